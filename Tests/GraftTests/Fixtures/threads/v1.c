/* UPD-5: a program with a worker thread. The main thread's loop has an
 * update point; the worker runs `work()` (old code) whenever it likes, so no
 * patch may be applied while it lives. `prog single` runs without the worker.
 * Prints "vN <count>" every 20 ms. `prog late FILE` starts alone and waits,
 * reaching no update point, until FILE exists; then it starts the worker and
 * runs the loop (a thread born while a patch waits for its point).
 * `prog idle FILE` starts the worker, then waits for FILE the same way (a
 * second thread and no update point). */
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

static void wait_for(const char *file) {
    while (access(file, F_OK) != 0) usleep(10000);
}

int main(int argc, char **argv) {
    pthread_t t;
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "late") == 0 && argc > 2) wait_for(argv[2]);
    if (strcmp(mode, "single") != 0) pthread_create(&t, NULL, worker, NULL);
    if (strcmp(mode, "idle") == 0 && argc > 2) wait_for(argv[2]);
    for (long n = 0;; n++) {
        graft_update_point();
        printf("v1 %ld\n", n);
        fflush(stdout);
        usleep(20000);
    }
}
