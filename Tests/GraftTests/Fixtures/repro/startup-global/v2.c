/* repro startup-global: v2 keeps the table in a new static that only
 * start-up code (init(), before the loop) fills. The running program never
 * runs init() again, so v2's lookup() would read a null table: refused
 * (PATCH-10) unless a state transformer sets it (startup-global-st). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
static int *main_buckets = 0;
static void init(void) {
    main_buckets = calloc(1024, sizeof(int));
    for (int k = 0; k < 1024; k++) main_buckets[k] = 3 * k;
}
static void step(int i) {
    int v = main_buckets[i & 1023];
    printf("v2 %d v=%d%s\n", i, v, v == 3 * (i & 1023) ? "" : " FAIL");
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
