/* A program with three update points whose Δ differ (Specs/updatability.md):
 *   in work()  — the stack is work, main: work handles struct job;
 *   in idle()  — the stack is idle, main: idle handles struct tick;
 *   in main()  — only main, which passes pointers along.
 * `prog` prints "VERSION TOTAL" after each round of work; `prog idle` only
 * ever reaches idle()'s update point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif

struct job { int id; long weight; long total; };
struct tick { long n; };

static struct job *job_new(void) {
    struct job *j = calloc(1, sizeof(struct job));
    j->id = 1;
    return j;
}

static struct tick *tick_new(void) { return calloc(1, sizeof(struct tick)); }

static const char *version(void) { return "v2"; }

static long work(struct job *j) {
    for (int i = 0; i < 50; i++) {
        j->total += 1;
        graft_update_point();   /* not first in the body: the loop stays in work (UPD-3) */
        j->weight = j->total * 2;
        usleep(2000);
    }
    return j->total;
}

static void idle(struct tick *t) {
    for (;;) {
        t->n++;
        graft_update_point();   /* not first in the body: the loop stays in idle (UPD-3) */
        usleep(2000);
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "idle") == 0) idle(tick_new());
    struct job *j = job_new();
    for (;;) {
        graft_update_point();
        long t = work(j);
        printf("%s %ld\n", version(), t);
    }
}
