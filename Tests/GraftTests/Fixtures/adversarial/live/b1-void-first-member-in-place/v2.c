#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

/* `spare` becomes `flags` (zeroed by the default transformer); `hits` and `misses` keep their place. */
struct counter { long hits; int misses; int flags; };

static struct counter *ctr;
static long *hitsp;

int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0; ctr->flags = 0;
    void *raw = ctr;
    hitsp = raw;
    for (long n = 0;; n++) {
        graft_update_point();
        long h = ctr->hits;
        (*hitsp)++;
        ctr->misses += 2;
        int ok = ctr->hits == h + 1 && ctr->misses == 2 * ctr->hits && *hitsp == ctr->hits && ctr->flags == 0;
        printf("v2 %ld %s hits=%ld misses=%d\n", n, ok ? "OK" : "FAIL", ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
