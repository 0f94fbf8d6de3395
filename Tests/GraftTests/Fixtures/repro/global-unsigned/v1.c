/* repro global-value-preserving (1): a global counter and a wrapped
 * struct's field go from int to unsigned int. The global keeps its object
 * and its value (same representation, PATCH-3); the field converts by
 * default (PATCH-2). v2 checks that the count goes on from where v1 was. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct conn { int fd; int nclients; };
static int n_children;
struct conn *g_conn;
static void step(int i) {
    n_children++;
    g_conn->nclients = n_children;
    printf("v1 %d n=%d\n", i, (int)g_conn->nclients);
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
