/* B10 [TRANS-5], admitted: a hand-written transformer that copies scalars
 * through memcpy — from the old value into a local, and from a local into
 * the new value — and keeps no pointer: TRANS-5's tracking of memcpy must
 * not refuse it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct user { char name[16]; int logins; };

static struct user *u;

int main(void) {
    u = malloc(sizeof *u);
    for (int i = 0; i < 6; i++) u->name[i] = "alice"[i];
    u->logins = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        u->logins++;
        printf("v1 %ld logins=%d\n", n, u->logins);
        fflush(stdout);
        usleep(20000);
    }
}
