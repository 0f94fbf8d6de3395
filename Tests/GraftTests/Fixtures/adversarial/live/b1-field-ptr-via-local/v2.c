#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct counter { long hits; long misses; long total[6]; };

static struct counter *ctr;
static long *missp;

static void setup(void) {
    long *p = &ctr->misses;
    missp = p;
}

int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0;
    setup();
    for (long n = 0;; n++) {
        graft_update_point();
        ctr->hits++;
        (*missp) += 2;
        int ok = ctr->misses == 2 * ctr->hits && *missp == ctr->misses;
        printf("v2 %ld %s hits=%ld misses=%ld *missp=%ld\n", n, ok ? "OK" : "FAIL", ctr->hits, ctr->misses, *missp);
        fflush(stdout);
        usleep(20000);
    }
}
