/* REP-8 / PATCH-2: struct conn's ev is pinned (the library keeps its
 * address); v2's code copies a whole conn, which would read the value's
 * stale slot for ev once conns are converted. Refused. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
#include "loop.h"                          /* Fixtures/repro/embedded-library-struct */
struct conn { int fd; int nreads; struct event ev; };
static void on_ready(int fd, void *arg) { struct conn *c = arg; (void)fd; c->nreads++; }
static struct conn *open_conn(int fd) {
    struct conn *c = calloc(1, sizeof *c);
    c->fd = fd;
    event_set(&c->ev, fd, on_ready, c);
    event_add(&c->ev);
    return c;
}
int main(void) {
    struct conn *c = open_conn(3);
    for (long n = 0;; n++) {
        graft_update_point();
        event_loop_once();
        printf("v1 %ld reads=%d\n", n, c->nreads);
        fflush(stdout);
        usleep(20000);
    }
}
