/* UPD-8 adversarial: the code after the accept loop has a label, so it
 * cannot be moved out of main: the running main would write s.count at the
 * old offset after a patch that inserts a field before it. Refused (UPD-2). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct session { int fd; int count; };
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
    s.count = serve();
    if (s.count < 0) goto out;
    run_session(&s);
out:
    return 0;
}
