#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

/* Same size: `flags` takes the place of `count`, which moves to the end. */
struct conn { int fd; int flags; int state; int count; };

static struct conn *c;
static int *countp;

int main(void) {
    c = malloc(sizeof *c);
    c->fd = 3; c->count = 0; c->state = 1; c->flags = 0;
    countp = (int *)((uintptr_t)c + offsetof(struct conn, count));
    for (long n = 0;; n++) {
        graft_update_point();
        int before = c->count;
        (*countp)++;
        int ok = c->count == before + 1 && c->state == 1 && c->flags == 0 && c->fd == 3;
        printf("v2 %ld %s count=%d state=%d flags=%d\n", n, ok ? "OK" : "FAIL", c->count, c->state, c->flags);
        fflush(stdout);
        usleep(20000);
    }
}
