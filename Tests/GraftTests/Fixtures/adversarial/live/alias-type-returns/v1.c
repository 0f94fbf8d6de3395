/* GlobalAliases: a table no code writes grows (4 → 8: defined anew by the
 * first patch), then shrinks back to 4: the second patch would define it at
 * a representation the executable's table already has, so a later patch
 * naming it would reach the executable's. The runtime refuses it at load. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
const int table[4] = { 1, 2, 3, 4 };
int main(void) {
  for (;;) {
    graft_update_point();
    printf("v1 ok %d\n", table[3]);
    fflush(stdout);
    usleep(20000);
  }
}
