/* [PATCH-7] [REP-5]: container_of (through uintptr_t and void *) applied by
 * NEW code to an event embedded in an OLD connection, after a patch that
 * grows the connection; the registry keeps `&c->ev`. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

#define container_of(p, T, m) ((T *)(void *)((uintptr_t)(p) - offsetof(T, m)))

struct event { int fd; int fired; };
struct conn { long reads; struct event ev; };

static struct event *ready[2];

static void on_ready(struct event *e) { struct conn *c = container_of(e, struct conn, ev); e->fired++; c->reads++; }

int main(void) {
    for (int i = 0; i < 2; i++) { struct conn *c = calloc(1, sizeof *c); c->ev.fd = 3 + i; ready[i] = &c->ev; }
    for (long n = 0;; n++) {
        graft_update_point();
        for (int i = 0; i < 2; i++) on_ready(ready[i]);
        printf("v1 %ld fired=%d\n", n, ready[1]->fired);
        fflush(stdout);
        usleep(20000);
    }
}
