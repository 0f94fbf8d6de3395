/* B1 [PATCH-7]: a library-like event registry keeps `&conn->ev` (the event
 * struct embedded in the connection, with a back pointer) and fires the
 * callback through it each iteration; the patch grows struct conn. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct event { int fd; int fired; void (*cb)(struct event *); void *data; };
struct conn { int id; struct event ev; long reads; };

/* The "library": keeps pointers to events it does not own. */
static struct event *registry[4];
static int nreg;
static void ev_register(struct event *e) { registry[nreg++] = e; }
static void ev_run(void) { for (int i = 0; i < nreg; i++) { registry[i]->fired++; registry[i]->cb(registry[i]); } }

static void on_read(struct event *e) { struct conn *c = e->data; c->reads++; }

static struct conn *c0;

int main(void) {
    c0 = calloc(1, sizeof *c0);
    c0->id = 5; c0->ev.fd = 9; c0->ev.cb = on_read; c0->ev.data = c0;
    ev_register(&c0->ev);
    for (long n = 0;; n++) {
        graft_update_point();
        ev_run();
        printf("v1 %ld reads=%ld fired=%d\n", n, c0->reads, c0->ev.fired);
        fflush(stdout);
        usleep(20000);
    }
}
