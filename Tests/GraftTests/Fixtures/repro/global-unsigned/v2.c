/* repro global-value-preserving (1): a global counter and a wrapped
 * struct's field go from int to unsigned int. The global keeps its object
 * and its value (same representation, PATCH-3); the field converts by
 * default (PATCH-2). v2 checks that the count goes on from where v1 was. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct conn { int fd; unsigned int nclients; };
static unsigned int n_children;
struct conn *g_conn;
static void step(int i) {
    n_children++;
    g_conn->nclients = n_children;
    /* i + 1 steps so far, v1's and v2's: the count went on across the update. */
    printf("v2 %d n=%u%s\n", i, g_conn->nclients, g_conn->nclients == (unsigned)i + 1 && n_children == (unsigned)i + 1 ? "" : " FAIL");
    fflush(stdout);
}
int main(void) {
    g_conn = calloc(1, sizeof *g_conn);
    for (int i = 0;; i++) {
        graft_update_point();
        step(i);
        usleep(20000);
    }
}
