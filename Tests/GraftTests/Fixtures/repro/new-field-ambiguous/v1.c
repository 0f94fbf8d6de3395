/* new-field-ambiguous (beside repro new-field-zero): v2 adds cfg.mode,
 * which its start-up code sets to 1 or to 2 depending on the environment:
 * which value the running program's object should have is not known, so
 * the patch is refused (PATCH-2) unless a transformer sets it; admitted, the
 * running object would have mode 0, which v2 never gives it. */
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
