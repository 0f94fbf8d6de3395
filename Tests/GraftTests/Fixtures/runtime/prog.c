/* prog.c — a small updatable program written as graft's code generator would
 * emit it: a function slot, a wrapped global, numbered update points.
 *   prog          prints what greet() says every 10 ms
 *   prog block    prints, then blocks in poll() for 60 s, in a loop (SIGURG unblocked)
 *   prog reads    also reads the counter as old code does, through its con
 *                 function at the base representation: "GREET n=N" */
#include "graft_runtime.h"
#include "counter.h"
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wrapped_counter counter;  /* read by the type-update patches */
struct graft_type_state graft_ts_counter;
int fixture_state;                  /* set by a patch's state transformer */

static const char *greet_v1(void) { return "v1"; }
void *graft_slot_greet = (void *)greet_v1;

static const struct graft_type view = { COUNTER_TYPE, COUNTER_V0, sizeof(struct counter_v0), &graft_ts_counter };

/* The counter as this (old) code sees it: its con function. */
static struct counter_v0 *con_counter(void) {
    void *p = __atomic_load_n(&graft_ts_counter.pending, __ATOMIC_ACQUIRE) ? graft_con(&view, &counter) : (void *)&counter;
    return p;
}

__attribute__((constructor)) static void start(void) {
    /* A development build: it trusts no key and accepts unsigned patches (DEPLOY-1). */
    static const struct graft_program_info info = { GRAFT_ABI, "1111", "prog", 0, 0, 1 };
    /* Either order works; PROG_START_FIRST tries the other one. */
    if (getenv("PROG_START_FIRST")) graft_runtime_start(&info);
    static const struct graft_type *const views[] = { &view };
    graft_register_types(views, 1);
    if (!getenv("PROG_START_FIRST")) graft_runtime_start(&info);
    ((struct counter_v0 *)counter.payload)->n = 41;
}

int main(int argc, char **argv) {
    int block = argc > 1 && strcmp(argv[1], "block") == 0, reads = argc > 1 && strcmp(argv[1], "reads") == 0;
    if (block) {
        /* graft apply --interrupt wakes the poll() below with SIGURG; the test
         * runner starts its children with SIGURG blocked. */
        sigset_t urg;
        sigemptyset(&urg);
        sigaddset(&urg, SIGURG);
        sigprocmask(SIG_UNBLOCK, &urg, NULL);
    }
    for (;;) {
        graft_update_point_at(1);
        const char *(*greet)(void) = (const char *(*)(void))graft_slot_greet;
        if (reads) {
            const char *said = greet();
            printf("%s n=%d\n", said, con_counter()->n);
        } else {
            printf("%s\n", greet());
        }
        fflush(stdout);
        poll(NULL, 0, block ? 60000 : 10);
    }
}
