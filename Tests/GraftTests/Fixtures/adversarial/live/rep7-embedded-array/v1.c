/* REP-7 / PATCH-6: struct login is held by value in an array field of
 * struct session; the patch grows login. The elements after the first would
 * be misplaced in the objects already made: refused, PATCH-6 (a held record
 * converts with its holder, but an array is spaced by its element's size). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct login { int done; int tries; };
struct session { int sock; struct login auth[2]; };
struct session cur;

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        cur.auth[1].tries++;
        printf("v1 %ld tries=%d\n", n, cur.auth[1].tries);
        fflush(stdout);
        usleep(20000);
    }
}
