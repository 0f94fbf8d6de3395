#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

struct user_old;
/* `prev` remembers where the previous version's value was (0 if none). */
struct user { char name[16]; int logins; uintptr_t prev; };

static struct user *u;

static void churn(int depth) { volatile char junk[512]; memset((char *)junk, 'x', sizeof junk); if (depth) churn(depth - 1); }

int main(void) {
    u = malloc(sizeof *u);
    strcpy(u->name, "alice");
    u->logins = 0;
    for (long n = 0;; n++) {
        graft_update_point();
        u->logins++;
        churn(4);
        /* The previous value's name, through the remembered address. */
        const char *was = u->prev ? (const char *)(u->prev ^ 0x5a5a) : "alice";
        int ok = strcmp(was, "alice") == 0 && strcmp(u->name, "alice") == 0;
        printf("v2 %ld %s %s logins=%d was=%.8s\n", n, ok ? "OK" : "FAIL", u->name, u->logins, was);
        fflush(stdout);
        usleep(20000);
    }
}
