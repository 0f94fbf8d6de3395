/* B2 [REP-6]: as b2-realloc-array, but the changed struct is embedded in the
 * array's elements at offset 4 (struct slot { int kind; struct rec r; }): the
 * side table's entries are at addresses inside the elements, and must move
 * with the block all the same. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct rec { int id; int weight; };

struct slot { int kind; struct rec r; };

static struct slot *recs;
static size_t nrecs, cap;

static void push(int id) {
    if (nrecs == cap) { cap = cap ? 2 * cap : 4; recs = realloc(recs, cap * sizeof *recs); }
    recs[nrecs].r.id = id; recs[nrecs].r.weight = 1;
    recs[nrecs].kind = 7;
    nrecs++;
}

int main(void) {
    for (int i = 0; i < 3; i++) push(i);
    for (long n = 0;; n++) {
        graft_update_point();
        recs[0].r.weight++;
        printf("v1 %ld n=%zu w0=%d\n", n, nrecs, recs[0].r.weight);
        fflush(stdout);
        usleep(20000);
    }
}
