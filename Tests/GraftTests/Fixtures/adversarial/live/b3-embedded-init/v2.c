#include <stdio.h>
#include <unistd.h>
#include "graft.h"

/* Same size, same fields: their order changes. */
struct pt { int y; int x; };
struct seg { struct pt a; struct pt b; };

static int len2(const struct seg *s) { int dx = s->b.x - s->a.x, dy = s->b.y - s->a.y; return dx * dx + dy * dy; }

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        struct seg s = { .a = { .x = 1, .y = 1 }, .b = { .x = 4, .y = 5 } };
        struct pt arr[2] = { { .x = 7, .y = 8 }, { .x = 9, .y = 10 } };
        int ok = len2(&s) == 25 && s.b.x == 4 && s.b.y == 5 && arr[1].x == 9 && arr[1].y == 10 && arr[0].x == 7;
        printf("v2 %ld %s len2=%d b=(%d,%d) arr1=(%d,%d)\n", n, ok ? "OK" : "FAIL", len2(&s), s.b.x, s.b.y, arr[1].x, arr[1].y);
        fflush(stdout);
        usleep(20000);
    }
}
