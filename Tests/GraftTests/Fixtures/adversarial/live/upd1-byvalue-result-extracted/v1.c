/* UPD-1 [by value], the accepting side: a struct taken back by value from a
 * function the patch changes while the patch appends a field, but the
 * update point is the first statement of the loop, so UPD-3 extracts the
 * body and the caller is new code from the next iteration: admitted. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct pt { long x; long y; };

static struct pt next(const struct pt *p) { struct pt r = { p->x + 1, 2 * (p->x + 1) }; return r; }

static void serve(struct pt *p) {
    for (long n = 0;; n++) {
        graft_update_point();
        struct pt r = next(p);
        p->x = r.x; p->y = r.y;
        printf("%s %ld x=%ld y=%ld%s\n", "v1", n, r.x, r.y, r.y == 2 * r.x ? "" : " FAIL");
        fflush(stdout);
        usleep(20000);
    }
}

int main(void) {
    struct pt *p = malloc(sizeof *p);
    p->x = 0; p->y = 0;
    serve(p);
}
