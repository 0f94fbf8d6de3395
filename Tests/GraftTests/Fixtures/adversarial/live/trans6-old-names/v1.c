/* TRANS-6: v2 retypes both counters (int[4] → long[8], int → unsigned long);
 * its state transformer names v1's by GRAFT_OLD(x) and v2's by plain externs. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static int hits[4];
static int total;
int main(void) {
  for (long n = 0;; n++) {
    graft_update_point();
    hits[n % 4]++;
    total++;
    printf("v1 %d\n", total);
    fflush(stdout);
    usleep(20000);
  }
}
