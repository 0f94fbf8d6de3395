/* B2 [PATCH-6]: a heap array `malloc(n * sizeof *a)` of a wrapped struct
 * made by old code, indexed by new code with the new stride after the
 * struct grows. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct slot { int key; int val; };

enum { N = 8 };
static struct slot *table;

static void bump(int i) { table[i].val++; }

int main(void) {
    table = malloc(N * sizeof *table);
    for (int i = 0; i < N; i++) { table[i].key = i; table[i].val = 100 * i; }
    for (long n = 0;; n++) {
        graft_update_point();
        for (int i = 0; i < N; i++) bump(i);
        printf("v1 %ld slot7=%d/%d\n", n, table[7].key, table[7].val);
        fflush(stdout);
        usleep(20000);
    }
}
