#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct login { int done; int tries; long uid; };
struct session { int sock; struct login auth[2]; };
struct session cur;

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        int before = cur.auth[1].tries;
        cur.auth[1].tries++;
        printf("v2 %ld %s tries=%d\n", n, cur.auth[1].tries == before + 1 && before > 0 ? "OK" : "FAIL", cur.auth[1].tries);
        fflush(stdout);
        usleep(20000);
    }
}
