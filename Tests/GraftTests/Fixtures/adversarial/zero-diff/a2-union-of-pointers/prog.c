/* Class A2 (container_of through a union of pointers), case a2-union-of-pointers.
 * C11 6.5.2.3p3 and footnote 95: reading a union member other than the one
 * last stored reinterprets the bytes (type punning); 6.2.5p28 and the x86-64
 * ABI give all object pointers one representation, so a pointer stored as one
 * member and read as another is the same address; 7.19p3 for offsetof.
 * Shape: an event loop in the style of epoll. A real epoll instance carries
 * the address of a member (struct watch, not first) of each connection in
 * epoll_data.ptr (a union of void *, int, uint32_t, uint64_t); the loop
 * recovers the connection through the program's own union of pointer kinds,
 * doing the offset arithmetic on the unsigned char * member and, for the
 * second watch of each connection, on the uint64_t member of the kernel's
 * epoll_data. A heap connection is recovered from a table of watch pointers
 * and freed through the recovered pointer. */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

struct conn;
struct watch { int fd; unsigned events; void (*on_ready)(struct watch *); };
struct conn {
  char name[12];
  int reads;
  struct watch rd;          /* not first */
  long bytes;
  struct watch wr;          /* second watch */
  int pipe_w;
};
union any_ptr { void *v; unsigned char *b; uintptr_t u; struct watch *w; struct conn *c; };

static struct conn *conn_of_rd(struct watch *w) {
  union any_ptr p; p.w = w; p.b -= offsetof(struct conn, rd); return p.c;
}
static struct conn *conn_of_wr(uint64_t cookie) {
  union any_ptr p; p.u = (uintptr_t)cookie - offsetof(struct conn, wr); return p.c;
}

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-46s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static char seen[64];
static void on_read(struct watch *w) {
  struct conn *c = conn_of_rd(w);
  char buf[32];
  ssize_t n = read(w->fd, buf, sizeof buf);
  if (n > 0) { c->reads++; c->bytes += n; }
  char one[20];
  snprintf(one, sizeof one, "%s:%ld ", c->name, (long)n);
  strncat(seen, one, sizeof seen - strlen(seen) - 1);
}

static struct conn conns[3];

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int ep = epoll_create1(0);
  if (ep < 0) { perror("epoll_create1"); return 98; }
  for (int i = 0; i < 3; i++) {
    struct conn *c = &conns[i];
    int fds[2];
    if (pipe(fds) != 0) return 98;
    snprintf(c->name, sizeof c->name, "conn%d", i);
    c->rd.fd = fds[0]; c->rd.events = EPOLLIN; c->rd.on_ready = on_read;
    c->wr.fd = fds[1]; c->wr.events = EPOLLOUT; c->wr.on_ready = NULL;
    c->pipe_w = fds[1];
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = &c->rd;                            /* a member's address, as void * */
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->rd.fd, &ev) != 0) return 98;
  }
  CHECK("conn_of_rd(&c->rd) == c", conn_of_rd(&conns[1].rd) == &conns[1]);
  CHECK("conn_of_wr(cookie of &c->wr) == c", conn_of_wr((uint64_t)(uintptr_t)&conns[2].wr) == &conns[2]);

  /* make conn0 and conn2 readable */
  if (write(conns[0].pipe_w, "hello", 5) != 5 || write(conns[2].pipe_w, "hi", 2) != 2) return 98;
  struct epoll_event out[8];
  int n = epoll_wait(ep, out, 8, 1000);
  printf("epoll_wait: %d ready\n", n);
  int order[8], k = 0;
  for (int i = 0; i < n; i++) {
    union any_ptr p; p.v = out[i].data.ptr;
    order[k++] = (int)(conn_of_rd(p.w) - conns);
  }
  /* the kernel's order is not specified: dispatch by connection index */
  for (int want = 0; want < 3; want++)
    for (int i = 0; i < n; i++)
      if (order[i] == want) { struct watch *w = out[i].data.ptr; w->on_ready(w); }
  printf("seen: %s\n", seen);
  CHECK("conn0 read 5, conn2 read 2, conn1 nothing", conns[0].bytes == 5 && conns[2].bytes == 2 && conns[1].reads == 0);

  /* second watch: the kernel keeps a u64 cookie */
  for (int i = 0; i < 3; i++) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLOUT;
    ev.data.u64 = (uint64_t)(uintptr_t)&conns[i].wr;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].wr.fd, &ev) != 0) return 98;
  }
  n = epoll_wait(ep, out, 8, 1000);
  int writable = 0; long names = 0;
  for (int i = 0; i < n; i++) {
    if (!(out[i].events & EPOLLOUT)) continue;
    struct conn *c = conn_of_wr(out[i].data.u64);
    if (c >= conns && c < conns + 3 && strncmp(c->name, "conn", 4) == 0) { writable++; names += c->name[4] - '0'; }
  }
  printf("writable: %d (index sum %ld)\n", writable, names);
  CHECK("three writable conns found through u64 cookies", writable == 3 && names == 3);

  /* a heap connection, a stack watch table */
  struct conn *h = calloc(1, sizeof *h);
  if (!h) return 99;
  strcpy(h->name, "heap");
  struct watch *table[4] = { &conns[0].rd, &h->rd, &conns[2].rd, &h->wr };
  CHECK("heap: conn_of_rd(table[1]) == h", conn_of_rd(table[1]) == h);
  CHECK("heap: conn_of_wr(table[3]) == h", conn_of_wr((uint64_t)(uintptr_t)table[3]) == h);
  CHECK("static: conn_of_rd(table[2])->name", strcmp(conn_of_rd(table[2])->name, "conn2") == 0);
  union any_ptr hp; hp.w = &h->wr; hp.u -= offsetof(struct conn, wr);
  free(hp.v);                                        /* free through the recovered pointer */
  for (int i = 0; i < 3; i++) { close(conns[i].rd.fd); close(conns[i].wr.fd); }
  close(ep);
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
