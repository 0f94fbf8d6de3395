/* REP-4 [PATCH-7]: `long *hits = &c->count` kept in a global across a patch
 * that changes struct conn at the same size and keeps `count` where it is
 * (a field renamed beside it). PATCH-7 admits it, because the value is
 * converted in place (REP-4): the object keeps its address and `count` its
 * bytes, so the kept pointer and new code's `c->count` are one counter.
 * Were the converted value moved to the heap, new code would count there
 * and `*hits` would read the old bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct conn { int fd; int spare; long count; };
static struct conn *c;
static long *hits;           /* &c->count kept across the update */
int main(void) {
    c = malloc(sizeof *c);
    c->fd = 7; c->spare = 0; c->count = 0;
    hits = &c->count;
    for (long n = 0;; n++) {
        graft_update_point();
        (*hits)++;
        printf("v1 %ld count=%ld\n", n, c->count);
        fflush(stdout);
        usleep(20000);
    }
}
