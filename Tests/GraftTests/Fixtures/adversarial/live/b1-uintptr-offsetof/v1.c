/* B1 [PATCH-7]: a pointer into an object computed as an integer,
 * `(uintptr_t)obj + offsetof(struct conn, count)` (no `&obj->field`), kept
 * across a patch that moves the field. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct conn { int fd; int count; int state; int spare; };

static struct conn *c;
static int *countp;

int main(void) {
    c = malloc(sizeof *c);
    c->fd = 3; c->count = 0; c->state = 1; c->spare = 0;
    countp = (int *)((uintptr_t)c + offsetof(struct conn, count));
    for (long n = 0;; n++) {
        graft_update_point();
        (*countp)++;
        printf("v1 %ld count=%d state=%d\n", n, c->count, c->state);
        fflush(stdout);
        usleep(20000);
    }
}
