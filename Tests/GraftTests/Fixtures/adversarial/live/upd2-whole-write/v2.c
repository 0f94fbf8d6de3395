/* v2: struct range stores hi before lo; check is new code. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct range { long hi; long lo; };

static void check(long n, const struct range *r) {
    printf("v2 %ld lo=%ld hi=%ld%s\n", n, r->lo, r->hi, r->hi == r->lo + 100 ? "" : " FAIL");
    fflush(stdout);
}

static void serve(struct range *r, struct range *spare) {
    for (long n = 0;; n++) {
        spare->lo = n; spare->hi = n + 100;
        graft_update_point();
        *r = *spare;
        check(n, r);
        usleep(20000);
    }
}

int main(void) {
    struct range *r = malloc(sizeof *r), *spare = malloc(sizeof *spare);
    r->lo = 0; r->hi = 100;
    serve(r, spare);
}
