/* UPD-1 [by value]: old code still on the stack takes a struct back by
 * value from a function the patch changes, while the patch appends a field:
 * the new callee would return the new size into the old caller's old-sized
 * object. The update point is not the first statement of the loop, so
 * serve stays on the stack in its old code. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct pt { long x; long y; };

static struct pt next(const struct pt *p) { struct pt r = { p->x + 1, 2 * (p->x + 1) }; return r; }

static void serve(struct pt *p) {
    for (long n = 0;; n++) {
        long was = p->x;
        graft_update_point();
        struct pt r = next(p);
        if (r.x != was + 1) printf("%s FAIL x went from %ld to %ld\n", "v1", was, r.x);
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
