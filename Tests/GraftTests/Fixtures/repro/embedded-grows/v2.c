/* repro embedded-grows, v2: struct login gains uid, gid, dir, shell (16 → 48
 * bytes), so struct session grows too (24 → 56). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"
struct login { int done; char *user; long uid, gid, dir, shell; };
struct session { int sock; struct login auth; };
struct session cur;
static void serve(int i) {
    /* What v1 left: its last sock, done and user; the new fields zero until set. */
    int ok = cur.sock == i - 1 && cur.auth.done == ((i - 1) & 1) && cur.auth.user && strcmp(cur.auth.user, "alice") == 0;
    ok &= cur.auth.uid == 0 || cur.auth.uid == 1;
    ok &= cur.auth.gid == 0 && cur.auth.dir == 0 && cur.auth.shell == 0;
    cur.sock = i; cur.auth.done = i & 1; cur.auth.uid = 1;
    printf("v2 %d %s sock=%d\n", i, ok ? "OK" : "FAIL", cur.sock);
    fflush(stdout);
}
int main(void) {
    for (int i = 0;; i++) {
        graft_update_point();
        serve(i);
        usleep(20000);
    }
}
