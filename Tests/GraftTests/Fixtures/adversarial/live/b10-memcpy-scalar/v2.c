#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

/* `score` is 10 points per login, from the first login on. */
struct user { char name[16]; int logins; long score; };

static struct user *u;

int main(void) {
    u = malloc(sizeof *u);
    strcpy(u->name, "alice");
    u->logins = 0;
    u->score = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        u->logins++;
        u->score += 10;
        int ok = u->score == 10L * u->logins && strcmp(u->name, "alice") == 0;
        printf("v2 %ld %s %s logins=%d score=%ld\n", n, ok ? "OK" : "FAIL", u->name, u->logins, u->score);
        fflush(stdout);
        usleep(20000);
    }
}
