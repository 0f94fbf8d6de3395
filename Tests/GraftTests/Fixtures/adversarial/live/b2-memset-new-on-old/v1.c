/* B2 [PATCH-6]: `memset(s, 0, sizeof *s)` by NEW code on an object OLD code
 * allocated, after the struct grew: NEW's sizeof is larger than the object.
 * A guard object allocated right after it must stay intact, and the reset
 * must be seen through the fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct session { long user; long hits; };

static struct session *sess;
static unsigned char *guard;

static void reset(struct session *s) { memset(s, 0, sizeof *s); }

int main(void) {
    sess = malloc(sizeof *sess);
    guard = malloc(64);
    memset(guard, 0xA5, 64);
    sess->user = 1; sess->hits = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        sess->hits++;
        if (sess->hits == 5) { reset(sess); sess->user = 1; }
        printf("v1 %ld hits=%ld\n", n, sess->hits);
        fflush(stdout);
        usleep(20000);
    }
}
