/* startup-global-st (repro startup-global, part 2): as startup-global, with
 * a state transformer (transformers.c) that carries the running program's
 * table over, naming v1's static `buckets` and v2's `main_buckets` by
 * extern declarations (TRANS-6): applied, every value kept. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
static int *buckets = 0;
static void init(void) {
    buckets = calloc(1024, sizeof(int));
    for (int k = 0; k < 1024; k++) buckets[k] = 3 * k;
}
static void step(int i) {
    int v = buckets[i & 1023];
    printf("v1 %d v=%d%s\n", i, v, v == 3 * (i & 1023) ? "" : " FAIL");
    fflush(stdout);
}
int main(void) {
    init();
    for (int i = 0;; i++) {
        graft_update_point();
        step(i);
        usleep(20000);
    }
}
