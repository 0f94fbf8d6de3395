/* v2: scale takes two longs, and the loop calls it through a pointer. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

static long scale(long a, long b) { return a * b; }

typedef long (*op2_fn)(long, long);
static op2_fn pick(void) { return scale; }

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        op2_fn f = pick();
        long big = 5000000000L + n;
        long r = f(big, 3);
        printf("v2 %ld %ld%s\n", n, r, r == 3 * big ? "" : " FAIL");
        fflush(stdout);
        usleep(20000);
    }
}
