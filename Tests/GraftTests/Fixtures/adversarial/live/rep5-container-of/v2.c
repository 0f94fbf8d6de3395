#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

#define container_of(p, T, m) ((T *)(void *)((uintptr_t)(p) - offsetof(T, m)))

struct event { int fd; int fired; };
struct conn { long reads; struct event ev; long writes; char peer[24]; };

static struct event *ready[2];

static void on_ready(struct event *e) { struct conn *c = container_of(e, struct conn, ev); e->fired++; c->reads++; c->writes++; }

int main(void) {
    for (int i = 0; i < 2; i++) { struct conn *c = calloc(1, sizeof *c); c->ev.fd = 3 + i; ready[i] = &c->ev; }
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = 1;
        for (int i = 0; i < 2; i++) {
            struct event *e = ready[i];
            struct conn *c = container_of(e, struct conn, ev);
            int f = e->fired;
            on_ready(e);
            ok &= c->ev.fired == f + 1 && e->fired == f + 1 && c->ev.fd == 3 + i && c->reads == c->ev.fired;
        }
        printf("v2 %ld %s fired=%d conn.fired=%d\n", n, ok ? "OK" : "FAIL", ready[1]->fired, container_of(ready[1], struct conn, ev)->ev.fired);
        fflush(stdout);
        usleep(20000);
    }
}
