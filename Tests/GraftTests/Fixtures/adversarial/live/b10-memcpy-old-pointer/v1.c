/* B10 [TRANS-5]: a hand-written transformer that copies a pointer into the
 * old value into the new one with memcpy (the source is the address of a
 * local that holds `old->name`), instead of an assignment TRANS-5 sees. */
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
