/* B6 [UPD-6], the accepting side: the renamed handler reads nothing the
 * patch changes (the struct that grows is another one), so the old code the
 * table still reaches is safe and the patch applies. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"

struct req { int id; long arg; };
struct stats { long served; };

static struct stats st;
static long on_get(struct req *r) { return r->arg * 2; }
static long on_put(struct req *r) { return r->arg + 1; }
static long (*table[2])(struct req *) = { on_get, on_put };

int main(void) {
    static struct req r = { 1, 20 };
    for (long n = 0;; n++) {
        graft_update_point();
        long v = table[n % 2](&r);
        st.served++;
        printf("v1 %ld %s v=%ld served=%ld\n", n, v == (n % 2 ? 21 : 40) ? "OK" : "FAIL", v, st.served);
        fflush(stdout);
        usleep(20000);
    }
}
