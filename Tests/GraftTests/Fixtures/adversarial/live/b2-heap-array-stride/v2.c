#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct slot { int key; int val; long stamp; };

enum { N = 8 };
static struct slot *table;

static void bump(int i) { table[i].val++; table[i].stamp = i; }

int main(void) {
    table = malloc(N * sizeof *table);
    for (int i = 0; i < N; i++) { table[i].key = i; table[i].val = 100 * i; }
    for (long n = 0;; n++) {
        graft_update_point();
        int v0 = table[0].val;
        for (int i = 0; i < N; i++) bump(i);
        int ok = 1;
        for (int i = 0; i < N; i++) ok &= table[i].key == i && table[i].val == 100 * i + (table[0].val) && table[i].stamp == i;
        ok &= table[0].val == v0 + 1;
        printf("v2 %ld %s slot7=%d/%d\n", n, ok ? "OK" : "FAIL", table[7].key, table[7].val);
        fflush(stdout);
        usleep(20000);
    }
}
