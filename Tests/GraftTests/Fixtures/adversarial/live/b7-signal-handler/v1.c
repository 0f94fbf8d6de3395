/* B7 [PATCH-9]: a signal handler whose signature changes while the kernel
 * keeps the old registration. v1 installs `on_usr1(int)` with signal();
 * v2's handler takes (int, siginfo_t *, void *) and v2 installs it with
 * SA_SIGINFO at start-up — which the running process never runs again, so
 * the kernel would go on calling the old entry with one argument. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

static volatile sig_atomic_t hits;

static void on_usr1(int sig) { if (sig == SIGUSR1) hits++; }

int main(void) {
    signal(SIGUSR1, on_usr1);
    for (long n = 0;; n++) {
        graft_update_point();
        raise(SIGUSR1);
        printf("v1 %ld hits=%ld\n", n, (long)hits);
        fflush(stdout);
        usleep(20000);
    }
}
