/* ALIAS-7, PATCH-7: v1's static table holds the addresses of cfg's fields,
 * computed when it was loaded; v2 grows struct settings past its room, which
 * would move cfg's value to the heap and leave the table pointing at the old
 * bytes. Refused [PATCH-7]. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct settings { int port; int max; };
struct settings cfg = { 2121, 0 };
static int *const table[] = { &cfg.port, &cfg.max };
int main(void) {
  for (;;) {
    graft_update_point();
    (*table[1])++;
    printf("v1 %d %d\n", cfg.port, cfg.max);
    fflush(stdout);
    usleep(20000);
  }
}
