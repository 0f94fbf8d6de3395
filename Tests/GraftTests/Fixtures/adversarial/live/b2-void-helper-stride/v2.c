#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct item { int id; int qty; long price; };

static void *at(void *base, size_t i, size_t size) { return (char *)base + i * size; }

enum { N = 8 };
static void *items;

int main(void) {
    struct item *probe = 0;
    items = malloc(N * sizeof *probe);
    for (int i = 0; i < N; i++) { struct item *it = at(items, i, sizeof *probe); it->id = i; it->qty = 10 * i; }
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = 1;
        for (int i = 0; i < N - 1; i++) { struct item *it = at(items, i, sizeof *probe); ok &= it->id == i && it->qty == 10 * i; }
        struct item *last = at(items, N - 1, sizeof *probe);
        int q = last->qty;
        last->qty++;
        ok &= last->id == N - 1 && last->qty == q + 1 && q > 10 * (N - 1);
        printf("v2 %ld %s last=%d/%d\n", n, ok ? "OK" : "FAIL", last->id, last->qty);
        fflush(stdout);
        usleep(20000);
    }
}
