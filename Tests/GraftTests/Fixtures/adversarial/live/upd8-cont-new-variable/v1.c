/* UPD-8 adversarial: v2's code after the accept loop uses a variable of
 * main (`port`) that v1's does not. The running main passes the
 * continuation the variables v1's uses, so v2's would read its argument
 * slots wrongly: refused (UPD-1), naming the variable. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int count; };
static int serve(int port) {
    for (int i = 0;; i++) {
        graft_update_point();
        printf("v1 tick %d on %d\n", i, port);
        fflush(stdout);
        usleep(10000);
        if (i == 1000000) return i;
    }
}
static void run_session(struct session *s) {
    for (;;) { printf("v1 session fd=%d count=%d\n", s->fd, s->count); fflush(stdout); usleep(10000); }
}
int main(void) {
    int port = 2121;
    struct session s = { 7, 0 };
    s.count = serve(port);
    run_session(&s);
    return 0;
}
