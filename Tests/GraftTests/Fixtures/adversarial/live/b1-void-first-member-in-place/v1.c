/* B1 [PATCH-7], accepted: a `long *` to the first member made through
 * `void *` and kept in a global, as in b1-void-first-member; but the patch
 * keeps `hits` where it is and the struct's size (a field renamed after it),
 * so every object is converted in place (REP-4) and the kept pointer still
 * points at `hits`. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct counter { long hits; int misses; int spare; };

static struct counter *ctr;
static long *hitsp;

int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0; ctr->spare = 7;
    void *raw = ctr;
    hitsp = raw;
    for (long n = 0;; n++) {
        graft_update_point();
        (*hitsp)++;
        ctr->misses += 2;
        printf("v1 %ld hits=%ld misses=%d\n", n, ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
