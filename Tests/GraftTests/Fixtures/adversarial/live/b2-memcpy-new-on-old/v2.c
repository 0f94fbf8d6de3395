#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct cfg { int port; int workers; long timeout_ms; long backlog; char name[16]; };

static struct cfg *live;
static unsigned char *guard;

static int guard_ok(void) { for (int i = 0; i < 64; i++) if (guard[i] != 0x5A) return 0; return 1; }

int main(void) {
    live = malloc(sizeof *live);
    guard = malloc(64);
    memset(guard, 0x5A, 64);
    live->port = 80; live->workers = 1;
    for (long n = 0;; n++) {
        graft_update_point();
        struct cfg *next = malloc(sizeof *next);
        next->port = 8080; next->workers = 4; next->timeout_ms = 1500; next->backlog = 128;
        strcpy(next->name, "edge");
        memcpy(live, next, sizeof *next);
        free(next);
        int ok = live->port == 8080 && live->workers == 4 && live->timeout_ms == 1500 && live->backlog == 128
              && strcmp(live->name, "edge") == 0 && guard_ok();
        printf("v2 %ld %s port=%d workers=%d timeout=%ld guard=%d\n", n, ok ? "OK" : "FAIL", live->port, live->workers, live->timeout_ms, guard_ok());
        fflush(stdout);
        usleep(20000);
    }
}
