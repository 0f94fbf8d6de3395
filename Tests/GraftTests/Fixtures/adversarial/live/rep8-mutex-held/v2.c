#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct counter { int hits; long since; pthread_mutex_t lock; };
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
        graft_update_point();
        int r = pthread_mutex_unlock(&c->lock);   /* EPERM if this is not the mutex v1 locked */
        int before = c->hits;
        c->hits++;
        printf("v2 %ld %s hits=%d r=%d\n", n, r == 0 && before > 0 && c->since == 0 ? "OK" : "FAIL", c->hits, r);
        fflush(stdout);
        usleep(20000);
        pthread_mutex_lock(&c->lock);
    }
}
