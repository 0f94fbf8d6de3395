/* repro global-value-preserving (2): a settings table that no code writes
 * (not declared const) grows by one entry. Its running value is still v1's
 * initializer, so v2's definition from its own initializer loses nothing:
 * admitted without a state transformer (PATCH-3). */
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
    for (int i = 0;; i++) {
        graft_update_point();
        step(i);
        usleep(20000);
    }
}
