/* B10 [TRANS-5]: a hand-written transformer that keeps `old` itself: in the
 * new value, as an integer (a "back pointer" to the previous version),
 * through a cast and integer arithmetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct user { char name[16]; int logins; };

static struct user *u;

int main(void) {
    u = malloc(sizeof *u);
    for (int i = 0; i < 6; i++) u->name[i] = "alice"[i];   /* no &u->name: PATCH-7 is not the point */
    u->logins = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        u->logins++;
        printf("v1 %ld logins=%d\n", n, u->logins);
        fflush(stdout);
        usleep(20000);
    }
}
