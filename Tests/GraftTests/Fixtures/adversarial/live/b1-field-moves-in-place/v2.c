#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct queue { int head; int drops; int tail; int cap; };

static struct queue *q;
static int *tailp;

int main(void) {
    q = calloc(1, sizeof *q);
    q->cap = 64;
    tailp = &q->tail;
    for (long n = 0;; n++) {
        graft_update_point();
        int t = q->tail;
        *tailp = (*tailp + 1) % q->cap;
        int ok = q->tail == (t + 1) % 64 && q->drops == 0 && q->cap == 64;
        printf("v2 %ld %s tail=%d drops=%d\n", n, ok ? "OK" : "FAIL", q->tail, q->drops);
        fflush(stdout);
        usleep(20000);
    }
}
