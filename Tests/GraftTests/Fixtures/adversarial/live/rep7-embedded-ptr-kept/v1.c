/* REP-7 / PATCH-7: a pointer to the struct login held inside a session is
 * kept in a global across the update while the patch grows login (and so
 * the session, which moves onto the heap): the kept pointer would see the
 * old bytes. Refused, PATCH-7. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct login { int done; int tries; };
struct session { int sock; struct login auth; };
struct session cur;
struct login *active;

int main(void) {
    active = &cur.auth;
    for (long n = 0;; n++) {
        graft_update_point();
        active->tries++;
        printf("v1 %ld tries=%d\n", n, cur.auth.tries);
        fflush(stdout);
        usleep(20000);
    }
}
