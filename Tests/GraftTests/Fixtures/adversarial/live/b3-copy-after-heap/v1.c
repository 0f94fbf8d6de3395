/* B3 [REP-5]: whole-object copies of an object whose value moved to the heap
 * (the patch grows the struct): `struct acct copy = *a; copy.x = 5;` must not
 * change *a, the copy must hold *a's current fields, and `*a = copy` must
 * write them back. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct acct { long id; long balance; };

static struct acct *a;

static void deposit(struct acct *x, long v) { x->balance += v; }

int main(void) {
    a = malloc(sizeof *a);
    a->id = 11; a->balance = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        deposit(a, 10);
        printf("v1 %ld balance=%ld\n", n, a->balance);
        fflush(stdout);
        usleep(20000);
    }
}
