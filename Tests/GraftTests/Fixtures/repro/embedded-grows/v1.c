/* repro embedded-grows: struct session embeds struct login by value; v2
 * adds fields to struct login so that it grows past what objects in the
 * process have room for. The session converts with it, onto the heap, and
 * its conversion converts the login it holds (REP-7): applied, every value
 * kept. (It used to fail `graft patch` with an IR verifier error.) */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct login { int done; char *user; };
struct session { int sock; struct login auth; };
struct session cur;
static void serve(int i) {
    cur.sock = i; cur.auth.done = i & 1; cur.auth.user = "alice";
    printf("v1 %d sock=%d\n", i, cur.sock);
    fflush(stdout);
}
int main(void) {
    for (int i = 0;; i++) {
        graft_update_point();
        serve(i);
        usleep(20000);
    }
}
