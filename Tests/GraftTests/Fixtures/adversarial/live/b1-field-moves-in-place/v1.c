/* B1 [PATCH-7]: `&q->tail` kept in a global while the patch keeps struct
 * queue's size but moves `tail` (a field inserted before it, one removed
 * after it): the object is converted in place (REP-4), so the kept pointer
 * now points at another field. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct queue { int head; int tail; int spare; int cap; };

static struct queue *q;
static int *tailp;

int main(void) {
    q = calloc(1, sizeof *q);
    q->cap = 64;
    tailp = &q->tail;
    for (long n = 0;; n++) {
        graft_update_point();
        *tailp = (*tailp + 1) % q->cap;
        printf("v1 %ld tail=%d\n", n, q->tail);
        fflush(stdout);
        usleep(20000);
    }
}
