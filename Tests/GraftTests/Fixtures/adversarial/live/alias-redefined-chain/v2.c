#include <stdio.h>
#include <unistd.h>
#include "graft.h"
long count;
long get_count(void) { return count; }
int main(void) {
  for (;;) {
    graft_update_point();
    count++;
    printf("v2 %s %ld\n", count > 5 && count == get_count() ? "ok" : "BAD", count);
    fflush(stdout);
    usleep(20000);
  }
}
