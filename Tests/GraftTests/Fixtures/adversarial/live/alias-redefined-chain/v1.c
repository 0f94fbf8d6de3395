/* GlobalAliases: v2 widens count (int → long, carried over, PATCH-3: the
 * patch defines it anew); v3 changes the loop that uses it. v3's patch,
 * built from a fresh v2, must reach v2's definition (the first patch's), not
 * the executable's int, which nothing updates any more. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
int count;   /* external: the files have different names, so a static would be another one in each (PATCH-1) */
long get_count(void) { return count; }
int main(void) {
  for (;;) {
    graft_update_point();
    count++;
    printf("v1 ok %ld\n", get_count());
    fflush(stdout);
    usleep(20000);
  }
}
