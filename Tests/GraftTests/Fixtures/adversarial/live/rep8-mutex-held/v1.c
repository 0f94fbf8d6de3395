/* REP-8: a wrapped struct holds an error-checking pthread mutex, handed to
 * the C library by address (so pinned), and it is locked across the update
 * point. v2 inserts a field before it (the struct moves onto the heap): the
 * mutex must stay where the library has it, so v2 can unlock it (EPERM if
 * v2 reached a copy). */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct counter { int hits; pthread_mutex_t lock; };
struct counter *c;
static struct counter the;
int main(void) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    c = &the;
    pthread_mutex_init(&c->lock, &a);
    pthread_mutex_lock(&c->lock);
    for (long n = 0;; n++) {
        graft_update_point();                /* the lock is held here */
        int r = pthread_mutex_unlock(&c->lock);
        c->hits++;
        printf("v1 %ld %s hits=%d\n", n, r == 0 ? "ok" : "BAD", c->hits);
        fflush(stdout);
        usleep(20000);
        pthread_mutex_lock(&c->lock);
    }
}
