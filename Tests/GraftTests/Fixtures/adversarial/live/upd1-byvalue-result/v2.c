/* v2: struct pt gains `z` at its end; next fills it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct pt { long x; long y; long z; };

static struct pt next(const struct pt *p) { struct pt r = { p->x + 1, 2 * (p->x + 1), 7 }; return r; }

static void serve(struct pt *p) {
    for (long n = 0;; n++) {
        long was = p->x;
        graft_update_point();
        struct pt r = next(p);
        if (r.x != was + 1) printf("%s FAIL x went from %ld to %ld\n", "v2", was, r.x);
        p->x = r.x; p->y = r.y; p->z = r.z;
        printf("%s %ld x=%ld y=%ld z=%ld%s\n", "v2", n, r.x, r.y, r.z, r.y == 2 * r.x && r.z == 7 ? "" : " FAIL");
        fflush(stdout);
        usleep(20000);
    }
}

int main(void) {
    struct pt *p = malloc(sizeof *p);
    p->x = 0; p->y = 0; p->z = 0;
    serve(p);
}
