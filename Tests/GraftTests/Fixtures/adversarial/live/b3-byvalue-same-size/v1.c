/* B3 [REP-3]: a struct passed by value between functions of NEW code after a
 * patch that changes it at the same size (a field replaced by another): the
 * callee's parameter is an object of NEW's representation, and must read as
 * the caller wrote it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct span { int lo; int hi; };

static struct span *cur;

int main(void) {
    cur = malloc(sizeof *cur);
    cur->lo = 1; cur->hi = 9;
    for (long n = 0;; n++) {
        graft_update_point();
        cur->hi++;
        printf("v1 %ld span=[%d,%d]\n", n, cur->lo, cur->hi);
        fflush(stdout);
        usleep(20000);
    }
}
