/* Class A1 (first member at the struct's address), case a1-freelist-slab.
 * C11 6.7.2.1p15: a pointer to a structure, suitably converted, points to its
 * initial member, and vice versa; 6.5p6: allocated storage takes the effective
 * type of what is stored into it.
 * Shape: an object pool (as in servers' connection / buffer pools). Objects
 * are carved from malloc'ed slabs of N * objsize bytes and from a static
 * array; a free object is threaded on a freelist through its FIRST MEMBER,
 * a struct pool_link; the pool hands out and takes back struct pool_link *
 * and the caller converts to and from its own type through void *. Two
 * different types share the pool code. LIFO reuse makes the addresses
 * observable; the payload of live objects must survive the churn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pool_link { struct pool_link *next; };
struct pool { struct pool_link *free; void *slabs[8]; int nslabs; int per_slab; size_t objsize; int live; };

static void pool_init(struct pool *p, size_t objsize, int per_slab) {
  p->free = NULL; p->nslabs = 0; p->per_slab = per_slab; p->objsize = objsize; p->live = 0;
}
/* Threads n objects of p->objsize bytes starting at mem onto the freelist. */
static void pool_add(struct pool *p, void *mem, int n) {
  char *b = mem;
  for (int i = n - 1; i >= 0; i--) {
    struct pool_link *l = (void *)(b + (size_t)i * p->objsize);
    l->next = p->free;
    p->free = l;
  }
}
static struct pool_link *pool_get(struct pool *p) {
  if (!p->free) {
    if (p->nslabs == 8) return NULL;
    void *slab = malloc((size_t)p->per_slab * p->objsize);
    if (!slab) return NULL;
    p->slabs[p->nslabs++] = slab;
    pool_add(p, slab, p->per_slab);
  }
  struct pool_link *l = p->free;
  p->free = l->next;
  p->live++;
  return l;
}
static void pool_put(struct pool *p, struct pool_link *l) { l->next = p->free; p->free = l; p->live--; }
static void pool_destroy(struct pool *p) { for (int i = 0; i < p->nslabs; i++) free(p->slabs[i]); }

struct conn { struct pool_link link; int fd; unsigned state; char peer[16]; };
struct msg_body { int len; char data[20]; };
struct msg { struct pool_link link; struct msg_body body; long seq; };

static struct conn *conn_of(struct pool_link *l) { void *v = l; return v; }
static struct msg *msg_of(struct pool_link *l) { void *v = l; return v; }

static struct conn static_conns[3];
static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-48s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static int conn_ok(const struct conn *c, int fd) {
  char want[16];
  snprintf(want, sizeof want, "10.0.0.%d", fd);
  return c->fd == fd && c->state == (unsigned)fd * 3u && strcmp(c->peer, want) == 0;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct pool cp, mp;
  pool_init(&cp, sizeof(struct conn), 4);
  pool_init(&mp, sizeof(struct msg), 3);
  pool_add(&cp, static_conns, 3);              /* static objects first on the list */

  struct conn *live[12] = { 0 };
  for (int i = 0; i < 12; i++) {
    struct pool_link *l = pool_get(&cp);
    if (!l) return 99;
    struct conn *c = conn_of(l);
    c->fd = i; c->state = (unsigned)i * 3u;
    snprintf(c->peer, sizeof c->peer, "10.0.0.%d", i);
    live[i] = c;
  }
  CHECK("first objects come from the static array", (void *)live[0] == (void *)&static_conns[0]
                                                     && (void *)live[2] == (void *)&static_conns[2]);
  int firsts = 1;
  for (int i = 0; i < 12; i++) firsts &= (void *)&live[i]->link == (void *)live[i];
  CHECK("&c->link == c for every object", firsts);
  CHECK("conn_of(&c->link) == c", conn_of(&live[5]->link) == live[5]);
  int intact = 1;
  for (int i = 0; i < 12; i++) intact &= conn_ok(live[i], i);
  CHECK("12 live conns intact after allocation", intact);

  /* free the odd ones, reallocate: LIFO order gives back the same objects */
  void *last_freed = live[11];
  for (int i = 1; i < 12; i += 2) { pool_put(&cp, &live[i]->link); live[i] = NULL; }
  intact = 1;
  for (int i = 0; i < 12; i += 2) intact &= conn_ok(live[i], i);
  CHECK("even conns intact after freeing the odd ones", intact);
  struct conn *again = conn_of(pool_get(&cp));
  CHECK("reuse is LIFO: last freed (11) comes back", (void *)again == last_freed);
  again->fd = 11; again->state = 33; strcpy(again->peer, "10.0.0.11"); live[11] = again;
  for (int i = 9; i >= 1; i -= 2) {
    struct conn *c = conn_of(pool_get(&cp));
    c->fd = i; c->state = (unsigned)i * 3u; snprintf(c->peer, sizeof c->peer, "10.0.0.%d", i);
    live[i] = c;
  }
  intact = 1;
  for (int i = 0; i < 12; i++) intact &= conn_ok(live[i], i);
  CHECK("all 12 intact after churn", intact);
  printf("conn pool: %d live, %d slabs\n", cp.live, cp.nslabs);

  /* the second type through the same pool code */
  struct msg *m[7];
  for (int i = 0; i < 7; i++) {
    m[i] = msg_of(pool_get(&mp));
    if (!m[i]) return 99;
    m[i]->seq = 1000 + i;
    m[i]->body.len = snprintf(m[i]->body.data, sizeof m[i]->body.data, "message %d", i);
  }
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 7; i += 2) { pool_put(&mp, &m[i]->link); m[i] = msg_of(pool_get(&mp)); m[i]->seq = 1000 + i;
      m[i]->body.len = snprintf(m[i]->body.data, sizeof m[i]->body.data, "message %d", i); }
  long sum = 0; int lens = 0;
  for (int i = 0; i < 7; i++) { sum += m[i]->seq; lens += m[i]->body.len; }
  printf("msg pool: %d live, %d slabs, seq sum %ld, lens %d\n", mp.live, mp.nslabs, sum, lens);
  CHECK("messages intact", sum == 7021 && lens == 63 && strcmp(m[6]->body.data, "message 6") == 0);
  CHECK("&m->link == m", (void *)&m[3]->link == (void *)m[3]);

  for (int i = 0; i < 12; i++) pool_put(&cp, &live[i]->link);
  for (int i = 0; i < 7; i++) pool_put(&mp, &m[i]->link);
  int n = 0;
  for (struct pool_link *l = cp.free; l && n < 100; l = l->next) n++;
  printf("conn freelist length %d\n", n);
  CHECK("freelist holds 3 static + 3 slabs * 4", n == 15);
  pool_destroy(&cp); pool_destroy(&mp);
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
