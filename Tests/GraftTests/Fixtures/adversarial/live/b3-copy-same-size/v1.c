/* B3 [REP-4]: a whole-object copy is NEW code's first access to an OLD
 * object, after a patch that changes the struct at the same size (a field
 * replaced by another): the copy must be the converted value. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct point { int x; int y; };

static struct point *pts[4];

int main(void) {
    for (int i = 0; i < 4; i++) { pts[i] = malloc(sizeof *pts[i]); pts[i]->x = i; pts[i]->y = 10 * i; }
    for (long n = 0;; n++) {
        graft_update_point();
        printf("v1 %ld p3=(%d,%d)\n", n, pts[3]->x, pts[3]->y);
        fflush(stdout);
        usleep(20000);
    }
}
