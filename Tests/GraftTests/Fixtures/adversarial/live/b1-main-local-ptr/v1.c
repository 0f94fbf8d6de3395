/* B1 [PATCH-7]: `long *servedp = &s->served` in a local of main, which stays
 * on the stack across the update; the patch inserts a field before `served`
 * (the field moves, and the struct grows). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct stats { long started; long served; };

static void serve(struct stats *s) { s->served++; }

int main(void) {
    struct stats *s = calloc(1, sizeof *s);
    s->started = 1;
    long *servedp = &s->served;
    for (long n = 0;; n++) {
        graft_update_point();
        serve(s);
        printf("v1 %ld served=%ld seen=%ld\n", n, s->served, *servedp);
        fflush(stdout);
        usleep(20000);
    }
}
