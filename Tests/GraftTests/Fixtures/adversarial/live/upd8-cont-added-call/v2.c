/* UPD-8 adversarial, v2: a warm-up loop before the accept loop; `flags`
 * inserted before `count`. `entered` counts calls of serve: the running
 * process made one (its serve is the running v1 frame), so a continuation
 * that called serve again would be seen. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int flags; int count; };
static int entered = 0;
static int first = -1;
static void warmup(void) {
    for (int i = 0; i < 3; i++) graft_update_point();
}
static int serve(void) {
    entered++;
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
        int ok = s->fd == 7 && s->flags == 0 && s->count == first + 10 && entered == 1;
        printf("v2 session fd=%d flags=%d count=%d entered=%d%s\n", s->fd, s->flags, s->count, entered, ok ? "" : " FAIL");
        fflush(stdout);
        usleep(10000);
    }
}
int main(void) {
    struct session s = { 7, 0, 0 };
    warmup();
    s.count = serve();
    run_session(&s);
    return 0;
}
