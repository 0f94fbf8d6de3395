/* TRANS-6: every count v1 made is kept: the total goes on, and the buckets add up to it. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static long hits[8];
static unsigned long total;
int main(void) {
  for (long n = 0;; n++) {
    graft_update_point();
    hits[n % 8]++;
    total++;
    long sum = 0;
    for (int i = 0; i < 8; i++) sum += hits[i];
    printf("v2 %s %lu %ld\n", total > 5 && sum == (long)total ? "OK" : "FAIL", total, sum);
    fflush(stdout);
    usleep(20000);
  }
}
