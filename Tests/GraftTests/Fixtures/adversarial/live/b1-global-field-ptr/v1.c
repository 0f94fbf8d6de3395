/* B1 [PATCH-7]: `int *countp = &c->count` kept in a global across a patch
 * that grows struct conn: every old object's value moves to the heap
 * (REP-5), and the kept pointer would still point into the old bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct conn { int id; int count; };
static struct conn *c;
static int *countp;          /* &c->count kept across the update */
int main(void) {
    c = malloc(sizeof *c);
    c->id = 7; c->count = 0;
    countp = &c->count;
    for (long n = 0;; n++) {
        graft_update_point();
        (*countp)++;
        printf("v1 %ld count=%d\n", n, c->count);
        fflush(stdout);
        usleep(20000);
    }
}
