#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
#include "loop.h"
struct conn { int fd; int nreads; int flags; struct event ev; };
static void on_ready(int fd, void *arg) { struct conn *c = arg; (void)fd; c->nreads++; }
static struct conn *open_conn(int fd) {
    struct conn *c = calloc(1, sizeof *c);
    c->fd = fd;
    event_set(&c->ev, fd, on_ready, c);
    event_add(&c->ev);
    return c;
}
static struct conn *first;
int main(void) {
    struct conn *c = open_conn(3);
    for (long n = 0;; n++) {
        graft_update_point();
        if (!first) first = c;
        struct conn snap = *first;           /* a whole copy: its ev is the value's stale slot */
        event_loop_once();
        printf("v2 %ld %s reads=%d\n", n, snap.ev.arg == first ? "OK" : "FAIL", c->nreads);
        fflush(stdout);
        usleep(20000);
    }
}
