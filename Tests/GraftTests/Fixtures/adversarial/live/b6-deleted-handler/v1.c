/* B6 [UPD-6]: a handler reached only through a table in data is renamed by
 * the patch (on_get → handle_get, same body) while the struct it reads
 * gains a field before the one it reads. The table still holds on_get, whose
 * old code would read the new layout: the patch must be refused. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct req { int id; long arg; };

static long on_get(struct req *r) { return r->arg * 2; }
static long on_put(struct req *r) { return r->arg + 1; }
static long (*table[2])(struct req *) = { on_get, on_put };

int main(void) {
    static struct req r = { 1, 20 };
    for (long n = 0;; n++) {
        graft_update_point();
        long v = table[n % 2](&r);
        printf("v1 %ld %s v=%ld\n", n, v == (n % 2 ? 21 : 40) ? "OK" : "FAIL", v);
        fflush(stdout);
        usleep(20000);
    }
}
