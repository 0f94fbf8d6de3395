/* repro embedded-library-struct, v2: `int flags` inserted before ev (which
 * moves from byte 8 to byte 16 in the conns v2 makes); new conns opened.
 * Every conn the library calls back must see its own ev, where the library
 * wrote it, and count its reads. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
#include "loop.h"
struct conn {
  int fd;
  int nreads;
  int flags;                             /* v2: new field */
  struct event ev;                       /* the library's struct, embedded */
};
static int bad, calls;
static void on_ready(int fd, void *arg) {
  struct conn *c = arg;
  if (c->fd != fd || c->ev.fd != fd || c->ev.arg != c || c->flags != 0 || c->nreads <= 0 && fd < 8) bad++;
  c->nreads++;
  calls++;
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
    static int opened;                   /* since the update: three more conns, made by v2 */
    if (opened < 3) open_conn(8 + opened++);
    calls = 0;
    event_loop_once();
    int ok = !bad && calls == 5 + opened;
    printf("v2 %ld %s calls=%d\n", n, ok ? "OK" : "FAIL", calls);
    fflush(stdout);
    usleep(20000);
  }
}
