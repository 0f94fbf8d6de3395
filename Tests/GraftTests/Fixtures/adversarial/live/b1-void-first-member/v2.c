#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct counter { long hits; long misses; long total[6]; };

static struct counter *ctr;
static long *hitsp;

int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0;
    void *raw = ctr;
    hitsp = raw;
    for (long n = 0;; n++) {
        graft_update_point();
        long h = ctr->hits;
        (*hitsp)++;
        ctr->misses += 2;
        int ok = ctr->hits == h + 1 && ctr->misses == 2 * ctr->hits && *hitsp == ctr->hits;
        printf("v2 %ld %s hits=%ld misses=%ld *hitsp=%ld\n", n, ok ? "OK" : "FAIL", ctr->hits, ctr->misses, *hitsp);
        fflush(stdout);
        usleep(20000);
    }
}
