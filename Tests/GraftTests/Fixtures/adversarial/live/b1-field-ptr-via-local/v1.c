/* B1 [PATCH-7]: `&ctr->misses` taken into a local of a function that is not
 * on the stack at the update point, and only then stored in a global (no
 * `&field` stored directly anywhere); the patch grows the struct, so every
 * old object's value moves to the heap (REP-5). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct counter { long hits; long misses; };

static struct counter *ctr;
static long *missp;            /* == &ctr->misses, through a local */

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
        printf("v1 %ld hits=%ld misses=%ld\n", n, ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
