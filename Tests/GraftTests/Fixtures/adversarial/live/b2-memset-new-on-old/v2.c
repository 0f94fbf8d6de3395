#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct session { long user; long hits; long last_seen; long flags[5]; };

static struct session *sess;
static unsigned char *guard;

static void reset(struct session *s) { memset(s, 0, sizeof *s); }

static int guard_ok(void) { for (int i = 0; i < 64; i++) if (guard[i] != 0xA5) return 0; return 1; }

int main(void) {
    sess = malloc(sizeof *sess);
    guard = malloc(64);
    memset(guard, 0xA5, 64);
    sess->user = 1; sess->hits = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        sess->hits++;
        sess->last_seen = n;
        reset(sess);
        int ok = sess->hits == 0 && sess->user == 0 && sess->last_seen == 0 && guard_ok();
        sess->user = 1; sess->hits = 3;
        printf("v2 %ld %s hits=%ld guard=%d\n", n, ok ? "OK" : "FAIL", sess->hits, guard_ok());
        fflush(stdout);
        usleep(20000);
    }
}
