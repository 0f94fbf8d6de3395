/* repro embedded-grows: struct session embeds struct login by value; v2
 * adds fields to struct login so that it grows past what objects in the
 * process have room for. Refused with PATCH-6 (objects keep the size they
 * were made with, so what follows an embedded login would be misplaced),
 * never a verifier failure or an apply-time surprise. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct login { int done; char *user; long uid, gid, dir, shell; };
struct session { int sock; struct login auth; };
struct session cur;
static void serve(int i) {
    cur.sock = i; cur.auth.done = i & 1; cur.auth.uid = 1;
    printf("v2 %d sock=%d\n", i, cur.sock);
    fflush(stdout);
}
int main(void) {
    for (int i = 0;; i++) {
        graft_update_point();
        serve(i);
        usleep(20000);
    }
}
