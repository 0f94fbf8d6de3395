/* Two threads that can never be at update points at once: each reaches its
 * update point holding the same lock. A patch (-DSTEP=2) must be refused, not hold the program
 * until the timeout; afterwards both threads go on ("w N" and "m N" lines). */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
#ifndef STEP
#define STEP 1
#endif
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
long w, m;
static long step(void) { return STEP; }
static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    graft_update_point();
    w += step();
    pthread_mutex_unlock(&lock);
    printf("w %ld\n", w);
    fflush(stdout);
    usleep(5000);
  }
  return NULL;
}
int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  for (;;) {
    pthread_mutex_lock(&lock);
    graft_update_point();
    m += step();
    pthread_mutex_unlock(&lock);
    printf("m %ld\n", m);
    fflush(stdout);
    usleep(5000);
  }
}
