/* repro global-value-preserving (issue 8 item 13): a written counter
 * widens from int to long in v2. Its running value is carried over by C's
 * conversion when the patch is applied (PATCH-3), without a state
 * transformer; v2 checks every step that the running total survived. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static int total = 0;
static unsigned short hits = 0;
static void step(int i) {
    total += i;
    hits++;
    printf("v1 %d total=%d hits=%u\n", i, total, (unsigned)hits);
    fflush(stdout);
}
int main(void) {
    for (int i = 1;; i++) {
        graft_update_point();
        step(i);
        usleep(10000);
    }
}
