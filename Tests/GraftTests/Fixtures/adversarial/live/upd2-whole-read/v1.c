/* UPD-2 [whole object]: old code still on the stack copies a whole struct
 * (`snap = *p`) after the update point, while the patch puts a field in
 * front: the converted object's bytes read in the old layout. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct acct { long id; long balance; };

static long audit(const struct acct *a) { return a->balance - 10 * a->id; }

static void serve(struct acct *a) {
    for (long n = 0;; n++) {
        a->balance += 10;
        graft_update_point();
        struct acct snap = *a;
        printf("v1 %ld id=%ld balance=%ld audit=%ld\n", n, snap.id, snap.balance, audit(&snap));
        fflush(stdout);
        a->id++;
        usleep(20000);
    }
}

int main(void) {
    struct acct *a = malloc(sizeof *a);
    a->id = 0; a->balance = 0;
    serve(a);
}
