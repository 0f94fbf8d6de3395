/* v2: struct acct gains `flags` in front; audit checks the invariant
 * balance == 10 * (id + 1) that serve keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct acct { long flags; long id; long balance; };

static long audit(const struct acct *a) { return a->balance - 10 * a->id; }

static void serve(struct acct *a) {
    for (long n = 0;; n++) {
        a->balance += 10;
        graft_update_point();
        struct acct snap = *a;
        long d = audit(&snap);
        printf("v2 %ld id=%ld balance=%ld audit=%ld%s\n", n, snap.id, snap.balance, d, d == 10 && snap.flags == 0 ? "" : " FAIL");
        fflush(stdout);
        a->id++;
        usleep(20000);
    }
}

int main(void) {
    struct acct *a = malloc(sizeof *a);
    a->flags = 0; a->id = 0; a->balance = 0;
    serve(a);
}
