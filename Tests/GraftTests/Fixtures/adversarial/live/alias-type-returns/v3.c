#include <stdio.h>
#include <unistd.h>
#include "graft.h"
const int table[4] = { 1, 2, 3, 40 };
int main(void) {
  for (;;) {
    graft_update_point();
    printf("v3 %s %d\n", table[3] == 40 ? "ok" : "BAD", table[3]);
    fflush(stdout);
    usleep(20000);
  }
}
