/* worker-thread-point with an update point on every thread: two workers loop
 * over one (printing "wK total" each time round), and so does main. A patch
 * (-DSTEP=2) is applied once all three wait at their points at once. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
#ifndef STEP
#define STEP 1
#endif
long totals[2];
static long step(void) { return STEP; }
static void *worker(void *arg) {
  int k = (int)(long)arg;
  for (;;) {
    graft_update_point();
    totals[k] += step();
    printf("w%d %ld\n", k, totals[k]);
    fflush(stdout);
    usleep(5000 + 3000 * k);
  }
  return NULL;
}
int main(void) {
  pthread_t t[2];
  for (long k = 0; k < 2; k++) pthread_create(&t[k], NULL, worker, (void *)k);
  for (;;) {
    graft_update_point();
    usleep(20000);
  }
}
