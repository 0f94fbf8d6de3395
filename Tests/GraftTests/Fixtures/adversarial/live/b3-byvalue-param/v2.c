#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct task { long id; long runs; long prio; long budget; };

static struct task *cur;

static void step(struct task *t) { t->runs++; }

/* Reads its by-value parameter: every field as the caller set it. */
static long weigh(struct task t) { return t.id * 1000000 + t.prio * 1000 + t.budget; }

static struct task with_prio(struct task t, long prio) { t.prio = prio; t.budget = 7; return t; }

int main(void) {
    cur = malloc(sizeof *cur);
    cur->id = 42; cur->runs = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        long before = cur->runs;
        step(cur);
        struct task copy = *cur;
        copy.prio = 3; copy.budget = 9;
        long w = weigh(copy);
        struct task made = with_prio(*cur, 5);
        int ok = cur->runs == before + 1 && cur->id == 42 && cur->prio == 0
              && w == 42 * 1000000 + 3 * 1000 + 9
              && made.prio == 5 && made.budget == 7 && made.id == 42;
        printf("v2 %ld %s runs=%ld weigh=%ld made.prio=%ld made.budget=%ld\n", n, ok ? "OK" : "FAIL", cur->runs, w, made.prio, made.budget);
        fflush(stdout);
        usleep(20000);
    }
}
