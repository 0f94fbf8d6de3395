#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

/* Same size: `lo` becomes `len`, and `hi` moves in front of it. */
struct span { int hi; int len; };

static struct span *cur;

static int width(struct span s) { return s.len * 1000 + s.hi; }

int main(void) {
    cur = malloc(sizeof *cur);
    cur->hi = 9; cur->len = 8;
    for (long n = 0;; n++) {
        graft_update_point();
        cur->hi++;
        cur->len = 8;
        struct span s = { .hi = 5, .len = 3 };
        int w = width(s), wc = width(*cur);
        int ok = w == 3005 && wc == 8000 + cur->hi;
        printf("v2 %ld %s width=%d width(cur)=%d hi=%d\n", n, ok ? "OK" : "FAIL", w, wc, cur->hi);
        fflush(stdout);
        usleep(20000);
    }
}
