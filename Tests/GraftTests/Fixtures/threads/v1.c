/* UPD-5: a program with a worker thread. The main thread's loop has an
 * update point; the worker runs `work()` (old code) whenever it likes, so no
 * patch may be applied while it lives. `prog single` runs without the worker.
 * Prints "vN <count>" every 20 ms. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

static volatile long shared;

static long step(long x) { return x + 1; }

static void *worker(void *arg) {
    (void)arg;
    for (;;) { shared = step(shared); usleep(1000); }
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t t;
    if (!(argc > 1 && strcmp(argv[1], "single") == 0)) pthread_create(&t, NULL, worker, NULL);
    for (long n = 0;; n++) {
        graft_update_point();
        printf("v1 %ld\n", n);
        fflush(stdout);
        usleep(20000);
    }
}
