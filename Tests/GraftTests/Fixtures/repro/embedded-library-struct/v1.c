/* repro embedded-library-struct: struct conn embeds an event library's
 * struct event (the library keeps its address and writes it) and passes
 * itself to the library as the callback's void * argument. conn is wrapped:
 * the void * is user data the library hands back (ALIAS-3), and ev is a
 * pinned field that stays where each conn has it (REP-8). v2 inserts a
 * field before ev; the conns v1 made keep ev where the library has it.
 * The library (loop.c) is built by the plain compiler. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
#include "loop.h"
struct conn {
  int fd;
  int nreads;
  struct event ev;                       /* the library's struct, embedded */
};
static int bad;
static void on_ready(int fd, void *arg) {
  struct conn *c = arg;
  if (c->fd != fd || c->ev.fd != fd || c->ev.arg != c) bad++;
  c->nreads++;
}
static void open_conn(int fd) {
  struct conn *c = calloc(1, sizeof *c);
  c->fd = fd;
  event_set(&c->ev, fd, on_ready, c);    /* the library hands c back to on_ready */
  event_add(&c->ev);
}
int main(void) {
  for (int fd = 3; fd < 8; fd++) open_conn(fd);
  for (long n = 0;; n++) {
    graft_update_point();
    event_loop_once();
    printf("v1 %ld %s\n", n, bad ? "BAD" : "ok");
    fflush(stdout);
    usleep(20000);
  }
}
