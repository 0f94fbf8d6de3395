#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct acct { long id; long balance; long history[4]; };

static struct acct *a;
static char *blockers[64];

int main(void) {
    a = malloc(sizeof *a);
    a->id = 42; a->balance = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        long before = a->balance;
        a->history[n % 4] = before;
        /* Grow the block past whatever follows it, so that realloc moves it. */
        blockers[n % 64] = malloc(32);
        a = realloc(a, 256 + 512 * (size_t)(n % 8));
        if (!a) abort();
        a->balance++;
        int ok = a->id == 42 && a->balance == before + 1 && a->history[n % 4] == before;
        printf("v2 %ld %s id=%ld balance=%ld\n", n, ok ? "OK" : "FAIL", a->id, a->balance);
        fflush(stdout);
        free(blockers[(n + 32) % 64]);
        blockers[(n + 32) % 64] = NULL;
        usleep(20000);
    }
}
