/* B1 [PATCH-7]: the struct's address laundered through a helper that returns
 * `void *` and a `void *` global, then made a `long *` to its first field and
 * — by byte arithmetic — to its second one, both kept in globals. The patch
 * swaps the two fields at the same size (conversion in place, REP-4), so the
 * kept pointers would read each other's field. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct counter { long hits; long misses; };

static struct counter *ctr;
static void *handle;           /* the counter, as a handle */
static long *hitsp, *missp;

static void *as_handle(struct counter *c) { return c; }

static void bind(void) {
    hitsp = handle;
    missp = (long *)((char *)handle + sizeof(long));
}

int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0;
    handle = as_handle(ctr);
    bind();
    for (long n = 0;; n++) {
        graft_update_point();
        (*hitsp)++;
        (*missp) += 2;
        printf("v1 %ld hits=%ld misses=%ld\n", n, ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
