/* v1.c's loop in a program that handles SIGURG itself (`prog handler`, with
 * SA_RESTART, counting what it receives) or blocks it (`prog block`,
 * reporting whether one is pending). Each line is echoed with those counts:
 * graft must send neither variant a signal. -DGREETING='"v2"' makes v2. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "graft.h"
#ifndef GREETING
#define GREETING "v1"
#endif
static volatile sig_atomic_t urgs;
static void on_urg(int sig) { (void)sig; urgs++; }
static const char *greeting(void) { return GREETING; }
int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "handler") == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_urg;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGURG, &sa, NULL);
  }
  if (strcmp(mode, "block") == 0) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGURG);
    sigprocmask(SIG_BLOCK, &s, NULL);
  }
  char line[256];
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (;;) {
    graft_update_point();
    if (fgets(line, sizeof line, stdin) == NULL) {
      printf("fgets returned NULL: eof=%d error=%d\n", feof(stdin), ferror(stdin));
      return 1;
    }
    sigset_t pending;
    sigpending(&pending);
    printf("%s: urg=%d pending=%d %s", greeting(), (int)urgs, sigismember(&pending, SIGURG), line);
  }
}
