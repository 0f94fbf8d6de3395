/* UPD-8: vsftpd's shape. The accept loop is called in a branch (standalone
 * mode), its result stored in the session; the session is served after the
 * `if`. v2 inserts a field before `count`: the code after the call, in the
 * branch and after it, is moved (the code after the `if` stays in main for
 * the other way); applied, and the session sees its values. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int count; };
static int standalone = 1;
static int serve(void) {
    for (int i = 0;; i++) {
        graft_update_point();
        printf("v1 tick %d\n", i);
        fflush(stdout);
        usleep(10000);
        if (i == 1000000) return i;
    }
}
static void run_session(struct session *s) {
    for (;;) { printf("v1 session fd=%d count=%d\n", s->fd, s->count); fflush(stdout); usleep(10000); }
}
int main(void) {
    struct session s = { 7, 0 };
    if (standalone) {
        int n = serve();
        s.count = n;
    } else {
        s.count = -1;
    }
    run_session(&s);
    return 0;
}
