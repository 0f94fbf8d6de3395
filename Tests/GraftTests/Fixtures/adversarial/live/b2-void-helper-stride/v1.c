/* B2 [PATCH-6]: a heap array of a wrapped struct reached only through the
 * program's own `void *` element helper, `at(base, i, sizeof *a)` (no pointer
 * arithmetic on a `struct item *`): new code passes the new sizeof after the
 * struct grows, and old code made the array with the old one. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct item { int id; int qty; };

static void *at(void *base, size_t i, size_t size) { return (char *)base + i * size; }

enum { N = 8 };
static void *items;

int main(void) {
    struct item *probe = 0;
    items = malloc(N * sizeof *probe);
    for (int i = 0; i < N; i++) { struct item *it = at(items, i, sizeof *probe); it->id = i; it->qty = 10 * i; }
    for (long n = 0;; n++) {
        graft_update_point();
        struct item *last = at(items, N - 1, sizeof *probe);
        last->qty++;
        printf("v1 %ld last=%d/%d\n", n, last->id, last->qty);
        fflush(stdout);
        usleep(20000);
    }
}
