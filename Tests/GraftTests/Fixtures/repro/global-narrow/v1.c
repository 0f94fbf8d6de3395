/* repro global-narrow: a written long narrows to int in v2; C's conversion
 * does not keep every value, so the patch is refused without a state
 * transformer (PATCH-3). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static long total = 0;
static void step(int i) {
    total += i;
    printf("v1 %d total=%ld\n", i, total);
    fflush(stdout);
}
int main(void) {
    for (int i = 1;; i++) {
        graft_update_point();
        step(i);
        usleep(10000);
    }
}
