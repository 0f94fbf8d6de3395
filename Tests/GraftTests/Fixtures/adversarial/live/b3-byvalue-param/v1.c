/* B3 [REP-3]: a struct passed by value between functions of NEW code after a
 * patch that grows it. v1 keeps a task on the heap; v2 adds `prio` and passes
 * tasks by value to a helper that must see every field the caller set. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct task { long id; long runs; };

static struct task *cur;

static void step(struct task *t) { t->runs++; }

int main(void) {
    cur = malloc(sizeof *cur);
    cur->id = 42; cur->runs = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        step(cur);
        printf("v1 %ld runs=%ld\n", n, cur->runs);
        fflush(stdout);
        usleep(20000);
    }
}
