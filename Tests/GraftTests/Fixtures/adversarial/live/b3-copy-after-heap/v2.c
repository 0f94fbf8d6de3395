#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct acct { long id; long balance; long limit; long flags[3]; };

static struct acct *a;

static void deposit(struct acct *x, long v) { x->balance += v; }

int main(void) {
    a = malloc(sizeof *a);
    a->id = 11; a->balance = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        deposit(a, 10);                       /* first access: converts *a (to the heap) */
        a->limit = 500;
        long bal = a->balance;
        struct acct copy = *a;
        int ok = copy.id == 11 && copy.balance == bal && copy.limit == 500;
        copy.balance = 5;
        ok &= a->balance == bal;              /* the copy is not the object */
        copy.balance = bal + 1;
        *a = copy;                            /* write back */
        ok &= a->balance == bal + 1 && a->limit == 500 && a->id == 11;
        printf("v2 %ld %s balance=%ld copy.balance=%ld copy.limit=%ld\n", n, ok ? "OK" : "FAIL", a->balance, copy.balance, copy.limit);
        fflush(stdout);
        usleep(20000);
    }
}
