#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct limits { int max_conns; int used; };
struct server { int port; struct limits lim; long bytes_in; long bytes_out; };

static struct server *srv;
static struct limits *limp;

static void take(struct limits *l) { l->used++; }

int main(void) {
    srv = calloc(1, sizeof *srv);
    srv->port = 8080; srv->lim.max_conns = 100;
    limp = &srv->lim;
    for (long n = 0;; n++) {
        graft_update_point();
        int before = srv->lim.used;
        take(limp);
        int ok = srv->lim.used == before + 1 && limp->used == srv->lim.used && srv->lim.max_conns == 100 && srv->port == 8080;
        printf("v2 %ld %s used=%d via-ptr=%d\n", n, ok ? "OK" : "FAIL", srv->lim.used, limp->used);
        fflush(stdout);
        usleep(20000);
    }
}
