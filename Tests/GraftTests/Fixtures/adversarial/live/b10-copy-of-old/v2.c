#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

/* `display` points at the name to show: the user's own name by default. */
struct user { char name[16]; int logins; const char *display; };

static struct user *u;

static void churn(int depth) { volatile char junk[512]; for (int i = 0; i < 512; i++) junk[i] = 'x'; if (depth) churn(depth - 1); }

int main(void) {
    u = malloc(sizeof *u);
    strcpy(u->name, "alice");
    u->logins = 0;
    u->display = u->name;
    for (long n = 0;; n++) {
        graft_update_point();
        u->logins++;
        churn(4);
        /* v2 invariant: a user shows its own name. */
        int ok = u->display == u->name && strcmp(u->display, "alice") == 0;
        printf("v2 %ld %s %s logins=%d display=%.8s\n", n, ok ? "OK" : "FAIL", u->name, u->logins, u->display);
        fflush(stdout);
        usleep(20000);
    }
}
