/* repro global-narrow, v2: total is an int. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static int total = 0;
static void step(int i) {
    total += i;
    int ok = total == i * (i + 1) / 2;
    printf("v2 %d total=%d%s\n", i, total, ok ? "" : " FAIL");
    fflush(stdout);
}
int main(void) {
    for (int i = 1;; i++) {
        graft_update_point();
        step(i);
        usleep(10000);
    }
}
