/* B6 [UPD-2]: an update point inside a callback that code graft did not
 * build calls: qsort's comparison. Below qsort on the stack is main, old
 * code, which reads the items' fields once qsort returns; the patch puts a
 * field in front of them. main counts as on the stack at the point. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct item { long key; long val; };

static struct item *items[4];

static int cmp(const void *a, const void *b) {
    const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
    int r = (x->key > y->key) - (x->key < y->key);
    graft_update_point();
    return r;
}

static void report(long n, long sum, int ok) { printf("v1 %ld sum=%ld%s\n", n, sum, ok ? "" : " FAIL"); fflush(stdout); }

int main(void) {
    for (int i = 0; i < 4; i++) {
        items[i] = malloc(sizeof *items[i]);
        items[i]->key = 4 - i; items[i]->val = 10 * (4 - i);
    }
    for (long n = 0;; n++) {
        qsort(items, 4, sizeof items[0], cmp);
        long sum = 0, keys = 0;
        for (int i = 0; i < 4; i++) { sum += items[i]->val; keys += items[i]->key; }
        report(n, sum, sum == 10 * keys && keys == 10);
        usleep(20000);
    }
}
