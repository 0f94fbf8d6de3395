/* B2 [REP-3]: a growable array of a wrapped struct (push with realloc), made
 * by old code; the patch changes the struct at the same size (a field
 * replaced), and new code keeps pushing, so realloc moves elements that
 * were already converted, to addresses the side table does not know. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct rec { int id; int weight; };

static struct rec *recs;
static size_t nrecs, cap;

static void push(int id) {
    if (nrecs == cap) { cap = cap ? 2 * cap : 4; recs = realloc(recs, cap * sizeof *recs); }
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
