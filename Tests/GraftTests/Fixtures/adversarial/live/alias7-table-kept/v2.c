/* PATCH-7: the table (v1's, running) and cfg must agree. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct settings { int port; int max; long spare[16]; };
struct settings cfg = { 2121, 0, { 0 } };
static int *const table[] = { &cfg.port, &cfg.max };
int main(void) {
  for (;;) {
    graft_update_point();
    (*table[1])++;
    int ok = *table[1] == cfg.max && cfg.max > 5;
    printf("v2 %s %d %d\n", ok ? "OK" : "FAIL", cfg.port, cfg.max);
    fflush(stdout);
    usleep(20000);
  }
}
