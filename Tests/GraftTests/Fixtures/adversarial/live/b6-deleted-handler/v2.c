#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct req { int id; long pad[2]; long arg; };

static long handle_get(struct req *r) { return r->arg * 2; }
static long on_put(struct req *r) { return r->arg + 1; }
static long (*table[2])(struct req *) = { handle_get, on_put };

int main(void) {
    static struct req r = { 1, { 0, 0 }, 20 };
    for (long n = 0;; n++) {
        graft_update_point();
        long v = table[n % 2](&r);
        printf("v2 %ld %s v=%ld\n", n, v == (n % 2 ? 21 : 40) ? "OK" : "FAIL", v);
        fflush(stdout);
        usleep(20000);
    }
}
