/* global-table-written (beside repro global-value-preserving): the same
 * table, but v1 writes it at start-up (it points entry a at opt_b): the
 * running value is state v2's initializer would lose, so the patch is
 * refused without a state transformer (PATCH-3). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
int opt_a, opt_b;
static struct setting { const char *name; int *var; } table[] = {
    { "a", &opt_a }, { 0, 0 }
};
static int count(void) { int n = 0; while (table[n].name) n++; return n; }
static void step(int i) {
    printf("v1 %d settings=%d\n", i, count());
    fflush(stdout);
}
int main(void) {
    table[0].var = &opt_b;
    for (int i = 0;; i++) {
        graft_update_point();
        step(i);
        usleep(20000);
    }
}
