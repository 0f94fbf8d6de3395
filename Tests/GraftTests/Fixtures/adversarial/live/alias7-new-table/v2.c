/* ALIAS-7: the table names cfg's fields; both ways of reaching them agree. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct settings { int port; int max; long spare[16]; const char *banner; };
struct settings cfg = { 2121, 0, { 0 }, "hi" };
static int *const table[] = { &cfg.port, &cfg.max };
static const struct { const char *name; int *value; } named[] = { { "port", &cfg.port }, { "max", &cfg.max } };
int main(void) {
  for (;;) {
    graft_update_point();
    cfg.max++;
    (*table[1]) += 2;   /* through the table: cfg.max goes up by 3 each time */
    int ok = *table[0] == 2121 && *table[1] == cfg.max && *named[1].value == cfg.max && named[0].value == &cfg.port
             && cfg.max > 5 && cfg.spare[3] == 0;
    printf("v2 %s %d %d %d\n", ok ? "OK" : "FAIL", cfg.port, cfg.max, *table[1]);
    fflush(stdout);
    usleep(20000);
  }
}
