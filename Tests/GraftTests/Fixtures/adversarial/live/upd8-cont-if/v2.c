/* UPD-8, v2 of upd8-cont-if: `flags` inserted before `count`; the accept
 * loop returns ten iterations after the update, as a child would. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int flags; int count; };
static int standalone = 1;
static int first = -1;
static int serve(void) {
    for (int i = 0;; i++) {
        graft_update_point();
        if (first < 0) first = i;
        printf("v2 tick %d\n", i);
        fflush(stdout);
        usleep(10000);
        if (i == first + 10) return i;
    }
}
static void run_session(struct session *s) {
    for (;;) {
        int ok = s->fd == 7 && s->flags == 0 && s->count == first + 10;
        printf("v2 session fd=%d flags=%d count=%d%s\n", s->fd, s->flags, s->count, ok ? "" : " FAIL");
        fflush(stdout);
        usleep(10000);
    }
}
int main(void) {
    struct session s = { 7, 0, 0 };
    if (standalone) {
        int n = serve();
        s.count = n;
    } else {
        s.count = -1;
    }
    run_session(&s);
    return 0;
}
