#include <stdio.h>
#include <unistd.h>
#include "graft.h"
const int table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
int main(void) {
  for (;;) {
    graft_update_point();
    printf("v2 %s %d\n", table[7] == 8 ? "ok" : "BAD", table[7]);
    fflush(stdout);
    usleep(20000);
  }
}
