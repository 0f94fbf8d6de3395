/* UPD-2 [whole object]: old code still on the stack fills a struct in a
 * heap object and copies it whole into another (`*r = *spare`, no local of
 * the type) after the update point, while the patch swaps the struct's two
 * fields: old code copying converted objects moves bytes in the old layout. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct range { long lo; long hi; };

static void check(long n, const struct range *r) {
    printf("v1 %ld lo=%ld hi=%ld%s\n", n, r->lo, r->hi, r->hi == r->lo + 100 ? "" : " FAIL");
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
