/* REP-3, REP-4, REP-5: a pool of heap objects that keeps being freed and
 * re-made, across updates that change the struct. v1: struct item {id, val}.
 * Every round frees a third of the items and makes new ones (so addresses
 * are reused), then checks that every item's val == f(id). Prints
 * "vN ok ROUND" or "vN BAD id=..." and exits 1 on a bad item.
 *   v2 (reorder.c): same size, fields swapped       -> converted in place (REP-4)
 *   v3 (grow.c):    a new field `twice`, 16 -> 24 B  -> old items move to the heap (REP-5) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct item { long val; long id; };

#define N 300
static struct item *pool[N];
static long next_id = 1;

static long f(long id) { return id * 7 + 3; }

static struct item *make(void) {
    struct item *it = malloc(sizeof(struct item));
    it->id = next_id++;
    it->val = f(it->id);
    return it;
}

static int check(const char *v, long round) {
    for (int i = 0; i < N; i++) {
        struct item copy = *pool[i];            /* a whole-object copy (REP-2) */
        if (copy.val != f(copy.id) || pool[i]->val != f(pool[i]->id)) {
            printf("%s BAD id=%ld val=%ld round %ld\n", v, copy.id, copy.val, round);
            return 0;
        }
    }
    printf("%s ok %ld\n", v, round);
    return 1;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < N; i++) pool[i] = make();
    for (long round = 0;; round++) {
        graft_update_point();
        for (int i = (int)(round % 3); i < N; i += 3) { free(pool[i]); pool[i] = make(); }
        if (!check("v2", round)) return 1;
        usleep(5000);
    }
}
