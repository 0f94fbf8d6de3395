/* repro new-field-zero: v2 adds cfg.window, which v2's start-up code sets
 * to 4096 and the loop divides by. The running program's start-up never
 * ran v2's: the default transformer must give window the value v2's code
 * gives it (PATCH-2), not zero (SIGFPE right after the update). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct config {
    int port;
};
struct config cfg;
static void setup(void) { cfg.port = 7000; }
static void step(int i) {
    printf("v1 %d chunks=%d%s\n", i, i * 1000 / 4096, cfg.port == 7000 ? "" : " FAIL");
    fflush(stdout);
}
int main(void) {
    setup();
    for (int i = 0;; i++) {
        graft_update_point();
        step(i);
        usleep(20000);
    }
}
