/* B10 [TRANS-5]: a hand-written transformer that first copies the whole old
 * value into a local with memcpy and then keeps a pointer into that copy
 * (`copy.name`) in the new value: no pointer into `old` itself, but one into
 * the transformer's frame, which is gone when it returns. */
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
