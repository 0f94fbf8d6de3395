/* B3 [REP-3]: NEW code makes objects holding the changed struct by value
 * (a struct embedding two, an array of them) with initializers, after a
 * patch that changes the struct at the same size; reading their fields must
 * give what the initializers wrote. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct pt { int x; int y; };
struct seg { struct pt a; struct pt b; };

static int len2(const struct seg *s) { int dx = s->b.x - s->a.x, dy = s->b.y - s->a.y; return dx * dx + dy * dy; }

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        struct seg s = { { 0, 0 }, { 3, 4 } };
        printf("v1 %ld len2=%d\n", n, len2(&s));
        fflush(stdout);
        usleep(20000);
    }
}
