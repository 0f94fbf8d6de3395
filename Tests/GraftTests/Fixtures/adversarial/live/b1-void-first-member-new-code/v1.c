/* B1 [PATCH-7] [REP-5]: the running program never converts the struct's
 * address; NEW's code does, through `void *` (a helper that bumps the first
 * member of whatever it is given), transiently, on the old object. The patch
 * grows the struct, so the old value moves to the heap and the view writes
 * the old bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct counter { long hits; long misses; };
static struct counter *ctr;
int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        ctr->hits++;
        ctr->misses += 2;
        printf("v1 %ld hits=%ld misses=%ld\n", n, ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
