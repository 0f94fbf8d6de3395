#include <stdio.h>
#include <stddef.h>
#include <unistd.h>
#include "graft.h"
struct rec { long id; long val; long sum; long seen; };
#define N 64
static _Alignas(16) unsigned char arena[N * 48];
static size_t used;
static void *pool_alloc(size_t n) {
    void *p = arena + used;
    used += (n + 7) & ~(size_t)7;
    return p;
}
static struct rec *recs[N];
static long f(long id) { return id * 7 + 3; }
static long rounds;
int main(void) {
    for (int i = 0; i < N; i++) {
        struct rec *r = pool_alloc(sizeof(struct rec));
        r->id = i + 1; r->val = f(r->id); r->sum = r->id + r->val; r->seen = 0;
        recs[i] = r;
    }
    for (long n = 0;; n++) {
        graft_update_point();
        rounds++;
        int bad = 0, first = -1;
        for (int i = 0; i < N; i++) {
            struct rec *r = recs[i];
            r->seen++;
            if (r->id != i + 1 || r->val != f(r->id) || r->sum != r->id + r->val || r->seen != rounds) {
                bad++;
                if (first < 0) first = i;
            }
        }
        if (bad) printf("v2 %ld FAIL %d of %d objects wrong, first #%d: id=%ld val=%ld sum=%ld seen=%ld\n", n, bad, N, first,
                        recs[first]->id, recs[first]->val, recs[first]->sum, recs[first]->seen);
        else printf("v2 %ld OK %d objects\n", n, N);
        fflush(stdout);
        usleep(20000);
    }
}
