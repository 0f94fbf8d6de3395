/* get_count is v2's code (unchanged): the first patch's definition of count.
 * The loop is v3's: the same count, or BAD. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
long count;
long get_count(void) { return count; }
int main(void) {
  for (;;) {
    graft_update_point();
    count += 1;
    printf("v3 %s %ld %ld\n", count > 10 && count == get_count() ? "ok" : "BAD", count, get_count());
    fflush(stdout);
    usleep(20000);
  }
}
