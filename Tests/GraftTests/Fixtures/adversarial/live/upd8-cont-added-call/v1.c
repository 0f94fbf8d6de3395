/* UPD-8 adversarial: v2 adds a call into the stack (a warm-up loop with
 * an update point) before the accept loop. The running main stands at the
 * accept loop; when it returns it must run the code after THAT call, not
 * the code after the new one (which would run the accept loop again): the
 * continuation is named by the call it follows. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int count; };
static int entered = 0;                  /* calls of serve */
static int serve(void) {                 /* v1 never returns */
    entered++;
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
