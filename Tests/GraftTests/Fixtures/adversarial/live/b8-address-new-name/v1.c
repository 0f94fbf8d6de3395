/* B8 [PATCH-9], what makes it admissible: the new signature under a name
 * of its own (scale2), the old function kept. New code points to the new
 * function, whose trampoline the patch defines with the new prototype. */
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
