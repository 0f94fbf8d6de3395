/* B8 [PATCH-9]: new code takes the address of a function whose signature
 * the patch changes. The address is the running program's trampoline,
 * compiled with the old prototype `long scale(int)`: a call through it
 * passes the new `long` argument as an `int` (at -O0 it arrives truncated). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

static long scale(int a) { return a * 2L; }

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        printf("v1 %ld %ld\n", n, scale((int)n));
        fflush(stdout);
        usleep(20000);
    }
}
