#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct login { int done; int tries; long uid; };
struct session { int sock; struct login auth; };
struct session cur;
struct login *active;

int main(void) {
    active = &cur.auth;
    for (long n = 0;; n++) {
        graft_update_point();
        int before = cur.auth.tries;
        active->tries++;
        printf("v2 %ld %s tries=%d\n", n, cur.auth.tries == before + 1 ? "OK" : "FAIL", cur.auth.tries);
        fflush(stdout);
        usleep(20000);
    }
}
