/* B2 [PATCH-6]: `memcpy(dst, src, sizeof *src)` by NEW code from an object it
 * made into one OLD code allocated (smaller), after the struct grew. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct cfg { int port; int workers; };

static struct cfg *live;
static unsigned char *guard;

int main(void) {
    live = malloc(sizeof *live);
    guard = malloc(64);
    memset(guard, 0x5A, 64);
    live->port = 80; live->workers = 1;
    for (long n = 0;; n++) {
        graft_update_point();
        struct cfg next = *live;
        next.workers++;
        memcpy(live, &next, sizeof next);
        printf("v1 %ld workers=%d\n", n, live->workers);
        fflush(stdout);
        usleep(20000);
    }
}
