/* A forking server (one process per connection, as vsftpd): the parent
 * accepts on 127.0.0.1 (an ephemeral port it prints as "port N"), forks a
 * child per connection and goes on accepting; each child serves its session
 * until told to quit. Built with -DVER=1, 2, 3: the versions differ only in
 * what version() answers, so a reply says which code the process runs.
 *
 * A session is lines: "ping" → "pong vN PID PPID"; "quit" → "bye", exit(0);
 * "_exit" → "bye", _exit(0); "exec" → "exec", execl /bin/sleep 60 (the
 * process is no graft program after that); "execfail" → tries to exec a file
 * that does not exist and answers "execfail ERRNO", the session goes on.
 * The parent checks every 20 ms (an update point each time round) whether
 * the file argv[1] exists, and exits(0) once it does. With argv[2] "helper"
 * it first forks a helper that only waits in pause(), at no update point. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "graft.h"
#ifndef VER
#define VER 1
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

static const char *version(void) { return "v" STR(VER); }

static int reply(int c, const char *s) {
  char buf[128];
  int n = snprintf(buf, sizeof buf, "%s\n", s);
  return write(c, buf, (size_t)n) == n ? 0 : -1;
}

static void session(int c) {
  char line[128];
  size_t have = 0;
  for (;;) {
    graft_update_point();
    ssize_t r = read(c, line + have, sizeof line - 1 - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) exit(0);
    have += (size_t)r;
    char *nl;
    while ((nl = memchr(line, '\n', have))) {
      *nl = 0;
      char out[128];
      if (strcmp(line, "ping") == 0) {
        snprintf(out, sizeof out, "pong %s %d %d", version(), (int)getpid(), (int)getppid());
        reply(c, out);
      } else if (strcmp(line, "quit") == 0) {
        reply(c, "bye");
        exit(0);
      } else if (strcmp(line, "_exit") == 0) {
        reply(c, "bye");
        _exit(0);
      } else if (strcmp(line, "exec") == 0) {
        reply(c, "exec");
        execl("/bin/sleep", "sleep", "60", (char *)NULL);
        _exit(127);
      } else if (strcmp(line, "execfail") == 0) {
        execl("/nonexistent/graft-forking", "x", (char *)NULL);
        snprintf(out, sizeof out, "execfail %d", errno);
        reply(c, out);
      } else {
        reply(c, "?");
      }
      size_t used = (size_t)(nl + 1 - line);
      memmove(line, nl + 1, have - used);
      have -= used;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: server STOPFILE [helper]\n"); return 2; }
  signal(SIGPIPE, SIG_IGN);
  if (argc > 2 && strcmp(argv[2], "helper") == 0 && fork() == 0)
    for (;;) pause();
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0
      || getsockname(ls, (struct sockaddr *)&a, &len) != 0) { perror("listen"); return 1; }
  printf("port %d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    graft_update_point();
    if (access(argv[1], F_OK) == 0) return 0;
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    struct pollfd p = { .fd = ls, .events = POLLIN };
    if (poll(&p, 1, 20) <= 0) continue;
    int c = accept(ls, NULL, NULL);
    if (c < 0) continue;
    pid_t pid = fork();
    if (pid == 0) {
      close(ls);
      session(c);
    }
    close(c);
  }
}
