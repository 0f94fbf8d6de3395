#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct event { int fd; int fired; void (*cb)(struct event *); void *data; };
struct conn { int id; struct event ev; long reads; long writes; char peer[32]; };

static struct event *registry[4];
static int nreg;
static void ev_register(struct event *e) { registry[nreg++] = e; }
static void ev_run(void) { for (int i = 0; i < nreg; i++) { registry[i]->fired++; registry[i]->cb(registry[i]); } }

static void on_read(struct event *e) { struct conn *c = e->data; c->reads++; c->writes++; }

static struct conn *c0;

int main(void) {
    c0 = calloc(1, sizeof *c0);
    c0->id = 5; c0->ev.fd = 9; c0->ev.cb = on_read; c0->ev.data = c0;
    ev_register(&c0->ev);
    for (long n = 0;; n++) {
        graft_update_point();
        long r = c0->reads; int f = c0->ev.fired;
        ev_run();
        int ok = c0->reads == r + 1 && c0->ev.fired == f + 1 && registry[0]->fired == c0->ev.fired && c0->ev.fd == 9;
        printf("v2 %ld %s reads=%ld fired=%d registry-fired=%d\n", n, ok ? "OK" : "FAIL", c0->reads, c0->ev.fired, registry[0]->fired);
        fflush(stdout);
        usleep(20000);
    }
}
