#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct conn { int id; int count; long extra[4]; };
static struct conn *c;
static int *countp;
int main(void) {
    c = malloc(sizeof *c);
    c->id = 7; c->count = 0;
    countp = &c->count;
    for (long n = 0;; n++) {
        graft_update_point();
        int before = c->count;
        (*countp)++;
        printf("%s v2 %ld count=%d\n", c->count == before + 1 && c->id == 7 ? "OK" : "FAIL", n, c->count);
        fflush(stdout);
        usleep(20000);
    }
}
