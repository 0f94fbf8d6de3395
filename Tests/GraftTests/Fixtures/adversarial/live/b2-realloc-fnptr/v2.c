#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

/* Same size: `weight` replaced by `score`; `id` moves behind it. */
struct rec { int score; int id; };

static struct rec *recs;
static size_t nrecs, cap;
static void *(*grow)(void *, size_t) = realloc;   /* realloc called through a pointer */

static void push(int id) {
    if (nrecs == cap) { cap = cap ? 2 * cap : 4; recs = grow(recs, cap * sizeof *recs); }
    recs[nrecs].id = id; recs[nrecs].score = 1;
    nrecs++;
}

int main(void) {
    for (int i = 0; i < 3; i++) push(i);
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = 1;
        for (size_t i = 0; i < nrecs; i++) ok &= recs[i].id == (int)i;
        size_t before = nrecs;
        for (int k = 0; k < 64; k++) push((int)nrecs);   /* realloc moves the array */
        for (size_t i = 0; i < nrecs; i++) ok &= recs[i].id == (int)i;
        ok &= nrecs == before + 64;
        printf("v2 %ld %s n=%zu id0=%d id1=%d id2=%d\n", n, ok ? "OK" : "FAIL", nrecs, recs[0].id, recs[1].id, recs[2].id);
        fflush(stdout);
        if (nrecs > 4000) { nrecs = 3; }
        usleep(20000);
    }
}
