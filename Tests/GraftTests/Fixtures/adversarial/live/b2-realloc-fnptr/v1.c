/* B2 [REP-6]: as b2-realloc-array, but the growable array is grown through
 * a function pointer to realloc (a static initializer), not a call graft can
 * see by name: the pointer must reach graft_realloc too. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct rec { int id; int weight; };

static struct rec *recs;
static size_t nrecs, cap;
static void *(*grow)(void *, size_t) = realloc;   /* realloc called through a pointer */

static void push(int id) {
    if (nrecs == cap) { cap = cap ? 2 * cap : 4; recs = grow(recs, cap * sizeof *recs); }
    recs[nrecs].id = id; recs[nrecs].weight = 1;
    nrecs++;
}

int main(void) {
    for (int i = 0; i < 3; i++) push(i);
    for (long n = 0;; n++) {
        graft_update_point();
        recs[0].weight++;
        printf("v1 %ld n=%zu w0=%d\n", n, nrecs, recs[0].weight);
        fflush(stdout);
        usleep(20000);
    }
}
