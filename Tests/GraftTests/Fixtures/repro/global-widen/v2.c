/* repro global-widen, v2: total is a long, hits an unsigned long; both are
 * carried over from the running program's values. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static long total = 0;
static unsigned long hits = 0;
static void step(int i) {
    total += i;
    hits++;
    int ok = total == (long)i * (i + 1) / 2 && hits == (unsigned long)i;
    printf("v2 %d total=%ld hits=%lu%s\n", i, total, hits, ok ? "" : " FAIL");
    fflush(stdout);
}
int main(void) {
    for (int i = 1;; i++) {
        graft_update_point();
        step(i);
        usleep(10000);
    }
}
