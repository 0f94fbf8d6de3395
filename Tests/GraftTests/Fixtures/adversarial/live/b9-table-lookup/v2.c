/* v2: a third command. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct cmd { const char *name; long arity; };

static const struct cmd cmds[] = { { "get", 1 }, { "set", 2 }, { "expire", 2 } };

static const struct cmd *lookup(const char *name) {
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmds[i].name, name) == 0) return &cmds[i];
    return 0;
}

static long arity(const char *name) { const struct cmd *c = lookup(name); return c ? c->arity : -1; }

int main(void) {
    for (long n = 0;; n++) {
        graft_update_point();
        long e = arity("expire");
        printf("v2 %ld get=%ld set=%ld expire=%ld%s\n", n, arity("get"), arity("set"), e, e == 2 ? "" : " FAIL");
        fflush(stdout);
        usleep(20000);
    }
}
