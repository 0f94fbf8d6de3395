/* repro main-local-delta: main holds the session by value and calls the
 * accept loop, which returns (as in a forked child) and main then serves
 * the session. v2 inserts a field before `count`. The code after the call
 * is a function of its own (UPD-8): after the update NEW's runs, and `s`,
 * in main's frame, is converted when NEW's code reaches it (it grows, so
 * its value moves to the heap, REP-5). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int count; };
static int serve(void) {                 /* v1 never returns */
    for (int i = 0;; i++) {
        graft_update_point();
        printf("v1 tick %d\n", i);
        fflush(stdout);
        usleep(10000);
        if (i == 1000000) return i;
    }
}
static void run_session(struct session *s) {
    for (;;) {
        printf("v1 session fd=%d count=%d\n", s->fd, s->count);
        fflush(stdout);
        usleep(10000);
    }
}
int main(void) {
    struct session s = { 7, 0 };
    s.count = serve();
    run_session(&s);
    return 0;
}
