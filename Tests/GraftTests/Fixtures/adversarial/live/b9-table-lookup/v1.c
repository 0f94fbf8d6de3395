/* B9 [PATCH-3], admitted: a command table that grows, as kvstore's does.
 * The running program only looks entries up (a pointer returned into a
 * local of a function that is not on the stack), so nothing keeps the old
 * table's address across the update and the new definition serves. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct cmd { const char *name; long arity; };

static const struct cmd cmds[] = { { "get", 1 }, { "set", 2 } };

static const struct cmd *lookup(const char *name) {
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmds[i].name, name) == 0) return &cmds[i];
    return 0;
}

static long arity(const char *name) { const struct cmd *c = lookup(name); return c ? c->arity : -1; }

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        printf("v1 %ld get=%ld set=%ld\n", n, arity("get"), arity("set"));
        fflush(stdout);
        usleep(20000);
    }
}
