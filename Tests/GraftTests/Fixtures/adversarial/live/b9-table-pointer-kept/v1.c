/* B9 [PATCH-3]: a table the patch defines anew (a const array that grows)
 * while the running program keeps a pointer to it in data: `cur` points at
 * the old table's last entry, and NEW's code steps through the table from
 * there expecting the new length. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct level { const char *name; long limit; };

static const struct level levels[] = { { "low", 10 }, { "mid", 20 } };
static const struct level *cur;

static long total(void) {
    long t = 0;
    for (const struct level *l = levels; l <= cur; l++) t += l->limit;
    return t;
}

int main(void) {
    cur = &levels[1];
    for (long n = 0;; n++) {
        graft_update_point();
        printf("v1 %ld %s total=%ld\n", n, cur->name, total());
        fflush(stdout);
        usleep(20000);
    }
}
