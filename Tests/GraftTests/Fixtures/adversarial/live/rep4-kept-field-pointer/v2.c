#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct conn { int fd; int flags; long count; };
static struct conn *c;
static long *hits;
int main(void) {
    c = malloc(sizeof *c);
    c->fd = 7; c->flags = 0; c->count = 0;
    hits = &c->count;
    for (long n = 0;; n++) {
        graft_update_point();
        long before = *hits;
        c->count++;               /* new code, through the con function */
        c->flags |= 1;
        int ok = *hits == before + 1 && c->count == *hits && c->fd == 7 && c->flags == 1;
        printf("v2 %ld %s count=%ld hits=%ld\n", n, ok ? "OK" : "FAIL", c->count, *hits);
        fflush(stdout);
        usleep(20000);
    }
}
