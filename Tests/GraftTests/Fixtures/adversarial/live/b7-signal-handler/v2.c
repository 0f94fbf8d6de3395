/* v2: the handler reads the siginfo the kernel passes with SA_SIGINFO. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"

static volatile sig_atomic_t hits, bad;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (sig != SIGUSR1 || si == 0 || si->si_signo != SIGUSR1) { bad++; return; }
    hits++;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, 0);
    for (long n = 0;; n++) {
        graft_update_point();
        raise(SIGUSR1);
        printf("v2 %ld hits=%ld%s\n", n, (long)hits, bad ? " FAIL" : "");
        fflush(stdout);
        usleep(20000);
    }
}
