/* UPD-8 adversarial, v2: the session now prints the port main listened on. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int count; };
static int serve(int port) {
    for (int i = 0;; i++) {
        graft_update_point();
        printf("v2 tick %d on %d\n", i, port);
        fflush(stdout);
        usleep(10000);
        if (i == 1000000) return i;
    }
}
static void run_session(struct session *s, int port) {
    for (;;) { printf("v2 session fd=%d count=%d port=%d%s\n", s->fd, s->count, port, port == 2121 ? "" : " FAIL"); fflush(stdout); usleep(10000); }
}
int main(void) {
    int port = 2121;
    struct session s = { 7, 0 };
    s.count = serve(port);
    run_session(&s, port);
    return 0;
}
