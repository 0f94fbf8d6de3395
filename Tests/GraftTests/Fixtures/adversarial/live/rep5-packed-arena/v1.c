/* REP-5: objects packed end to end in the program's own arena (a bump
 * allocator: no header, no slack between them), and a patch that grows the
 * struct. An old object's room is its old size, so each converted value
 * moves to the heap (REP-5); written over the object, it would run into
 * the next object's first field. v2 checks every object after the update. */
#include <stdio.h>
#include <stddef.h>
#include <unistd.h>
#include "graft.h"
struct rec { long id; long val; long sum; };
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
int main(void) {
    for (int i = 0; i < N; i++) {
        struct rec *r = pool_alloc(sizeof(struct rec));
        r->id = i + 1; r->val = f(r->id); r->sum = r->id + r->val;
        recs[i] = r;
    }
    for (long n = 0;; n++) {
        graft_update_point();
        int bad = 0;
        for (int i = 0; i < N; i++)
            if (recs[i]->id != i + 1 || recs[i]->val != f(recs[i]->id) || recs[i]->sum != recs[i]->id + recs[i]->val) bad++;
        printf("v1 %ld %s\n", n, bad ? "FAIL" : "ok");
        fflush(stdout);
        usleep(20000);
    }
}
