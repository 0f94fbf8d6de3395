/* B1 [PATCH-7]: a pointer to a struct's first member made through `void *`
 * (no `&obj->field` anywhere), kept in a global across a patch that grows
 * the struct: every old object's value moves to the heap (REP-5). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct counter { long hits; long misses; };

static struct counter *ctr;
static long *hitsp;            /* == &ctr->hits, made through void * */

int main(void) {
    ctr = malloc(sizeof *ctr);
    ctr->hits = 0; ctr->misses = 0;
    void *raw = ctr;
    hitsp = raw;
    for (long n = 0;; n++) {
        graft_update_point();
        (*hitsp)++;
        ctr->misses += 2;
        printf("v1 %ld hits=%ld misses=%ld\n", n, ctr->hits, ctr->misses);
        fflush(stdout);
        usleep(20000);
    }
}
