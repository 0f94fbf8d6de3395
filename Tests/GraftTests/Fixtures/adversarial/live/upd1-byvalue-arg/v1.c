/* UPD-1 [by value]: old code still on the stack passes a struct by value to
 * a function the patch changes, and the patch appends a field to the struct
 * (an extension, so UPD-2 alone would let old code keep using it). The old
 * caller pushes the old size; the new callee reads the new one. The update
 * point is in the middle of serve's loop, so serve stays on the stack. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct pt { long x; long y; };

static void show(long n, struct pt p) { printf("v1 %ld x=%ld y=%ld\n", n, p.x, p.y); fflush(stdout); }

static void serve(struct pt *p) {
    for (long n = 0;; n++) {
        p->x++; p->y = 2 * p->x;
        graft_update_point();
        show(n, *p);
        usleep(20000);
    }
}

int main(void) {
    struct pt *p = malloc(sizeof *p);
    p->x = 0; p->y = 0;
    serve(p);
}
