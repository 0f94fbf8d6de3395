/* UPD-8 adversarial, v2: `flags` inserted before `count`. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int flags; int count; };
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
    s.count = serve();
    if (s.count < 0) goto out;
    run_session(&s);
out:
    return 0;
}
