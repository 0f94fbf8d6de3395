/* B2 [REP-6] [REP-5]: one object made with malloc(sizeof *a) by old code;
 * the patch grows its struct, so on the first access by new code its value
 * moves to the heap (REP-5). New code then reallocs the object itself (with
 * a size it computes, not sizeof: the struct's size is not relied on), and
 * realloc moves it: what the side table knows of it — its representation
 * and where its value is — must move with it (graft_realloc). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct acct { long id; long balance; };

static struct acct *a;

int main(void) {
    a = malloc(sizeof *a);
    a->id = 42; a->balance = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        a->balance++;
        printf("v1 %ld id=%ld balance=%ld\n", n, a->id, a->balance);
        fflush(stdout);
        usleep(20000);
    }
}
