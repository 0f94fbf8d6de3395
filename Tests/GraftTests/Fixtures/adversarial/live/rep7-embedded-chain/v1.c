/* REP-7: a wrapped struct held by value in another (struct login in struct
 * session, and at offset 0 of struct first) grows in two patches in a row;
 * the holder grows too and moves onto the heap each time. v1 → v2 → v3:
 * the sessions v2 makes are recorded with their login at v2's layout, so at
 * the second patch the login inside must be converted from v2's layout, not
 * taken for one of the base's (its uid would be lost). Every value is
 * checked at every step; a line says BAD when one is not kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct login { int done; char *user; };
struct session { int sock; struct login auth; int served; };
struct first { struct login l; int x; };

#define N 8
static struct session *all[N];
struct session cur;
struct first f0;
static char names[N][16];

static struct session *make(int k) {
    struct session *s = malloc(sizeof *s);
    s->sock = k; s->auth.done = k % 2; s->auth.user = names[k]; s->served = 0;
    return s;
}

int main(void) {
    for (int k = 0; k < N; k++) { snprintf(names[k], sizeof names[k], "user%d", k); all[k] = make(k); }
    cur.sock = 99; cur.auth.user = "cur"; f0.l.user = "first"; f0.x = 5;
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = cur.sock == 99 && strcmp(cur.auth.user, "cur") == 0 && strcmp(f0.l.user, "first") == 0 && f0.x == 5;
        for (int k = 0; k < N; k++) {
            struct session *s = all[k];
            ok &= s->sock == k && s->auth.done == k % 2 && strcmp(s->auth.user, names[k]) == 0;
            s->served++;
        }
        printf("v1 %s %ld\n", ok ? "ok" : "BAD", n);
        fflush(stdout);
        usleep(20000);
    }
}
