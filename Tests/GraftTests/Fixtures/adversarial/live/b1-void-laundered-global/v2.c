#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

/* Same size, the fields swapped. */
struct counter { long misses; long hits; };

static struct counter *ctr;
static void *handle;
static long *hitsp, *missp;

static void *as_handle(struct counter *c) { return c; }

static void bind(void) {
    hitsp = (long *)((char *)handle + sizeof(long));
    missp = handle;
}

int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0;
    handle = as_handle(ctr);
    bind();
    for (long n = 0;; n++) {
        graft_update_point();
        long h = ctr->hits;
        (*hitsp)++;
        (*missp) += 2;
        int ok = ctr->hits == h + 1 && ctr->misses == 2 * ctr->hits && *hitsp == ctr->hits && *missp == ctr->misses;
        printf("v2 %ld %s hits=%ld misses=%ld\n", n, ok ? "OK" : "FAIL", ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
