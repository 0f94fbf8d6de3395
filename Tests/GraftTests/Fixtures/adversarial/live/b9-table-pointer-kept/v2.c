/* v2: a third level; cur is set to the last one at start-up (which the
 * running process does not run again). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct level { const char *name; long limit; };

static const struct level levels[] = { { "low", 10 }, { "mid", 20 }, { "high", 40 } };
static const struct level *cur;

static long total(void) {
    long t = 0;
    for (const struct level *l = levels; l <= cur; l++) t += l->limit;
    return t;
}

int main(void) {
    cur = &levels[2];
    for (long n = 0;; n++) {
        graft_update_point();
        long t = total();
        printf("v2 %ld %s total=%ld%s\n", n, cur->name, t, t == 30 || t == 70 ? "" : " FAIL");
        fflush(stdout);
        usleep(20000);
    }
}
