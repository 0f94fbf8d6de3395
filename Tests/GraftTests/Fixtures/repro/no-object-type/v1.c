/* repro no-object-type: struct client_cfg is only declared here (another
 * program sharing the header has objects of it); v2 adds a field to it and
 * changes tick(). No object of it can be in this process, so no conversion
 * is needed: the patch applies (PATCH-2, held_OLD). */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct client_cfg { int port; };
extern struct client_cfg ccfg;          /* never defined nor used here */
static long tick(long n, int i) {
    n += 1;
    printf("v1 %d n=%ld\n", i, n);
    fflush(stdout);
    return n;
}
int main(void) {
    long n = 0;
    for (int i = 0;; i++) {
        graft_update_point();
        n = tick(n, i);
        usleep(20000);
    }
}
