/* v2: struct pt gains `z` at its end; show checks what it was given. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct pt { long x; long y; long z; };

static void show(long n, struct pt p) {
    int ok = p.y == 2 * p.x && p.z == 0;
    printf("v2 %ld x=%ld y=%ld z=%ld%s\n", n, p.x, p.y, p.z, ok ? "" : " FAIL");
    fflush(stdout);
}

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
    p->x = 0; p->y = 0; p->z = 0;
    serve(p);
}
