#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct stats { long started; long failed; long served; };

static void serve(struct stats *s) { s->served++; }

int main(void) {
    struct stats *s = calloc(1, sizeof *s);
    s->started = 1;
    long *servedp = &s->served;
    for (long n = 0;; n++) {
        graft_update_point();
        serve(s);
        int ok = *servedp == s->served && s->failed == 0 && s->started == 1;
        printf("v2 %ld %s served=%ld seen=%ld failed=%ld\n", n, ok ? "OK" : "FAIL", s->served, *servedp, s->failed);
        fflush(stdout);
        usleep(20000);
    }
}
