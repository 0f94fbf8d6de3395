/* B6 [UPD-7], admitted: as b6-signal-point, with an update point in main's loop too:
 * the patch is admissible there and only there (the handler's point is not),
 * so it is applied between two steps, never inside the handler, while the
 * timer fires every millisecond. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>
#include "graft.h"

struct item { long count; long spare; };
static struct item *it;
static volatile sig_atomic_t ticks;

static void tick(void) { graft_update_point(); ticks++; }
static void on_alarm(int sig) { (void)sig; tick(); }

static long step(struct item *x) {
    volatile long *p = &x->count;
    long before = *p;
    for (int k = 0; k < 2000000; k++) *p += 1;
    return x->count - before;
}

/* main itself never touches struct item after start-up, so only the
 * point's place decides. */
static void report(long n, long d) {
    printf("v1 %ld count=%ld%s\n", n, it->count, d == 2000000 ? "" : " FAIL");
    fflush(stdout);
}

int main(void) {
    it = calloc(1, sizeof *it);
    signal(SIGALRM, on_alarm);
    struct itimerval tv = { { 0, 1000 }, { 0, 1000 } };
    setitimer(ITIMER_REAL, &tv, 0);
    for (long n = 0;; n++) {
        graft_update_point();
        long d = step(it);
        report(n, d);
        usleep(1000);
    }
}
