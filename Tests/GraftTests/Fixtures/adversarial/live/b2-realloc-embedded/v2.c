#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

/* Same size: `weight` replaced by `score`; `id` moves behind it. */
struct rec { int score; int id; };

struct slot { int kind; struct rec r; };

static struct slot *recs;
static size_t nrecs, cap;

static void push(int id) {
    if (nrecs == cap) { cap = cap ? 2 * cap : 4; recs = realloc(recs, cap * sizeof *recs); }
    recs[nrecs].r.id = id; recs[nrecs].r.score = 1;
    recs[nrecs].kind = 7;
    nrecs++;
}

int main(void) {
    for (int i = 0; i < 3; i++) push(i);
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = 1;
        for (size_t i = 0; i < nrecs; i++) ok &= recs[i].r.id == (int)i && recs[i].kind == 7;
        size_t before = nrecs;
        for (int k = 0; k < 64; k++) push((int)nrecs);   /* realloc moves the array */
        for (size_t i = 0; i < nrecs; i++) ok &= recs[i].r.id == (int)i && recs[i].kind == 7;
        ok &= nrecs == before + 64;
        printf("v2 %ld %s n=%zu id0=%d id1=%d id2=%d\n", n, ok ? "OK" : "FAIL", nrecs, recs[0].r.id, recs[1].r.id, recs[2].r.id);
        fflush(stdout);
        if (nrecs > 4000) { nrecs = 3; }
        usleep(20000);
    }
}
