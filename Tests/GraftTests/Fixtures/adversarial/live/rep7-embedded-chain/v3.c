/* v3: struct login grows again (gid); struct session again (since). Every
 * uid v2 set must have been kept, through both conversions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct login { int done; char *user; long uid; long gid; };
struct session { int sock; struct login auth; int served; int flags; long since; };
struct first { struct login l; int x; };

#define N 8
static struct session *all[N];
struct session cur;
struct first f0;
static char names[N][16];

static struct session *make(int k) {
    struct session *s = malloc(sizeof *s);
    s->sock = k; s->auth.done = k % 2; s->auth.user = names[k]; s->served = 0;
    s->auth.uid = 1000 + k; s->auth.gid = 0; s->flags = 0; s->since = 0;
    return s;
}

int main(void) {
    for (int k = 0; k < N; k++) { snprintf(names[k], sizeof names[k], "user%d", k); all[k] = make(k); }
    cur.sock = 99; cur.auth.user = "cur"; cur.auth.uid = 99; f0.l.user = "first"; f0.x = 5; f0.l.uid = 7;
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = cur.sock == 99 && strcmp(cur.auth.user, "cur") == 0 && cur.auth.uid == 99 && cur.auth.gid == 0;
        ok &= strcmp(f0.l.user, "first") == 0 && f0.x == 5 && f0.l.uid == 7;
        for (int k = 0; k < N; k++) {
            struct session *s = all[k];
            ok &= s->sock == k && s->auth.done == k % 2 && strcmp(s->auth.user, names[k]) == 0;
            ok &= s->auth.uid == 1000 + k && s->auth.gid == 0 && s->flags == 0 && s->since == 0;
            s->served++;
        }
        printf("v3 %s %ld\n", ok ? "ok" : "BAD", n);
        fflush(stdout);
        usleep(20000);
    }
}
