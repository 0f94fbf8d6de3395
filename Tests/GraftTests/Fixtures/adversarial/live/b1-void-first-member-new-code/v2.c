#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct counter { long hits; long misses; long total[6]; };
static struct counter *ctr;
static void bump(void *raw) { long *h = raw; (*h)++; }
int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        long h = ctr->hits;
        bump(ctr);
        ctr->misses += 2;
        int ok = ctr->hits == h + 1 && ctr->misses == 2 * ctr->hits;
        printf("v2 %ld %s hits=%ld misses=%ld\n", n, ok ? "OK" : "FAIL", ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
