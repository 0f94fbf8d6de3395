/* new-field-flag (beside repro new-field-zero): v2 adds cfg.mode, set
 * to 0 at start-up and to 2 by step() from the tenth step on: zero is a
 * value v2 gives it, so the default transformer leaves it zero and the
 * patch applies (PATCH-2). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct config {
    int port;
    int mode;
};
struct config cfg;
static void setup(void) { cfg.port = 7000; cfg.mode = 0; }
static void step(int i) {
    if (i >= 10) cfg.mode = 2;
    printf("v2 %d mode=%d chunks=%d%s\n", i, cfg.mode, i * 1000 / 4096, cfg.port == 7000 && cfg.mode == (i >= 10 ? 2 : 0) ? "" : " FAIL");
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
