/* B1 [PATCH-7]: a pointer to a struct embedded in another (`&srv->lim`),
 * kept in a global; the patch grows the outer struct. The embedded struct
 * itself does not change. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct limits { int max_conns; int used; };
struct server { int port; struct limits lim; };

static struct server *srv;
static struct limits *limp;

static void take(struct limits *l) { l->used++; }

int main(void) {
    srv = calloc(1, sizeof *srv);
    srv->port = 8080; srv->lim.max_conns = 100;
    limp = &srv->lim;
    for (long n = 0;; n++) {
        graft_update_point();
        take(limp);
        printf("v1 %ld used=%d\n", n, srv->lim.used);
        fflush(stdout);
        usleep(20000);
    }
}
