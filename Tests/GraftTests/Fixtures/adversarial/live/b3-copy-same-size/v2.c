#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

/* Same size: `y` becomes `z` (zeroed by the default transformer), and `x` moves behind it. */
struct point { int z; int x; };

static struct point *pts[4];
static int round_;

int main(void) {
    for (int i = 0; i < 4; i++) { pts[i] = malloc(sizeof *pts[i]); pts[i]->x = i; pts[i]->z = 0; }
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = 1;
        /* The first v2 round reaches every old object first by a whole copy. */
        for (int i = 0; i < 4; i++) {
            struct point p = *pts[i];
            ok &= p.x == i && p.z == (round_ > 0 ? 1 : 0);   /* 0 as converted, then 1 as set */
            pts[i]->z = 1;
        }
        if (round_ < 4) round_++;
        printf("v2 %ld %s p3=(%d,%d)\n", n, ok ? "OK" : "FAIL", pts[3]->x, pts[3]->z);
        fflush(stdout);
        usleep(20000);
    }
}
