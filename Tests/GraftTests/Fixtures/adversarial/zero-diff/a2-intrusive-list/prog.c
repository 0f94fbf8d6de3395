/* Class A2 (container_of through void *), case a2-intrusive-list.
 * C11 7.19p3 (offsetof is the byte offset of the member from the beginning
 * of its structure) and 6.3.2.3p7 (a pointer converted to a character type
 * points to the lowest addressed byte of the object; successive increments
 * yield the remaining bytes): subtracting offsetof(T, m) from the address of
 * member m of a T object gives the address of that T.
 * Shape: the Linux-style intrusive list. A timer sits on two lists at once
 * through two embedded struct list_head members, neither of them first, one
 * after an array; owners are on their own list through a member in the middle.
 * Sorted insertion, deletion, iteration and free() all go through
 * container_of written with void * (no cast between struct pointer types). */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>

struct list_head { struct list_head *next, *prev; };
#define container_of(ptr, type, member) \
  ((type *)(void *)((char *)(void *)(ptr) - offsetof(type, member)))
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

static void list_init(struct list_head *h) { h->next = h->prev = h; }
static void list_add_before(struct list_head *n, struct list_head *at) {
  n->prev = at->prev; n->next = at; at->prev->next = n; at->prev = n;
}
static void list_del(struct list_head *n) { n->prev->next = n->next; n->next->prev = n->prev; n->next = n->prev = n; }

struct timer {
  long expires;
  int id;
  struct list_head by_time;     /* member 3 */
  char label[10];
  struct list_head by_owner;    /* after an array */
  int owner_uid;
};
struct owner {
  int uid;
  struct list_head timers;      /* head of this owner's timers */
  struct list_head all;         /* on the list of owners */
  long total;
};

static struct list_head timeline, owners;
static struct owner static_owner = { .uid = 7 };
static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-46s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static struct owner *find_owner(int uid) {
  struct list_head *p;
  list_for_each(p, &owners) {
    struct owner *o = container_of(p, struct owner, all);
    if (o->uid == uid) return o;
  }
  return NULL;
}

static void add_timer(struct timer *t) {
  struct list_head *p;
  list_for_each(p, &timeline)
    if (container_of(p, struct timer, by_time)->expires > t->expires) break;
  list_add_before(&t->by_time, p);
  struct owner *o = find_owner(t->owner_uid);
  list_add_before(&t->by_owner, &o->timers);
  o->total += t->expires;
}

static void print_timeline(void) {
  struct list_head *p;
  printf("timeline:");
  list_for_each(p, &timeline) {
    struct timer *t = container_of(p, struct timer, by_time);
    printf(" %s@%ld", t->label, t->expires);
  }
  printf("\n");
}

static void print_owners(void) {
  struct list_head *p, *q;
  list_for_each(p, &owners) {
    struct owner *o = container_of(p, struct owner, all);
    printf("owner %d (total %ld):", o->uid, o->total);
    list_for_each(q, &o->timers) printf(" %d", container_of(q, struct timer, by_owner)->id);
    printf("\n");
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  list_init(&timeline); list_init(&owners);
  list_init(&static_owner.timers);
  list_add_before(&static_owner.all, &owners);
  struct owner stack_owner = { .uid = 3 };
  list_init(&stack_owner.timers);
  list_add_before(&stack_owner.all, &owners);
  struct owner *heap_owner = calloc(1, sizeof *heap_owner);
  if (!heap_owner) return 99;
  heap_owner->uid = 5;
  list_init(&heap_owner->timers);
  list_add_before(&heap_owner->all, &owners);

  static const long when[] = { 50, 10, 40, 30, 20, 60, 15 };
  static const int who[] = { 7, 3, 5, 7, 3, 5, 7 };
  struct timer *made[7];
  for (int i = 0; i < 7; i++) {
    struct timer *t = malloc(sizeof *t);
    if (!t) return 99;
    t->expires = when[i]; t->id = i; t->owner_uid = who[i];
    snprintf(t->label, sizeof t->label, "t%d", i);
    add_timer(t);
    made[i] = t;
  }
  print_timeline();
  print_owners();
  CHECK("container_of(&t->by_time) == t", container_of(&made[3]->by_time, struct timer, by_time) == made[3]);
  CHECK("container_of(&t->by_owner) == t", container_of(&made[4]->by_owner, struct timer, by_owner) == made[4]);
  CHECK("container_of(&o->all) == o (static)", container_of(&static_owner.all, struct owner, all) == &static_owner);
  CHECK("container_of(&o->timers) == o (stack)", container_of(&stack_owner.timers, struct owner, timers) == &stack_owner);
  CHECK("first timer is t1@10", container_of(timeline.next, struct timer, by_time)->id == 1);
  CHECK("owner totals", static_owner.total == 95 && stack_owner.total == 30 && heap_owner->total == 100);

  /* expire everything <= 30: unlink from both lists, free through container_of */
  int expired = 0;
  while (timeline.next != &timeline) {
    struct list_head *first = timeline.next;
    struct timer *t = container_of(first, struct timer, by_time);
    if (t->expires > 30) break;
    list_del(&t->by_time);
    list_del(&t->by_owner);
    find_owner(t->owner_uid)->total -= t->expires;
    free(container_of(&t->by_owner, struct timer, by_owner));
    expired++;
  }
  printf("expired %d\n", expired);
  print_timeline();
  print_owners();
  CHECK("4 expired, totals updated", expired == 4 && static_owner.total == 50 && stack_owner.total == 0
                                     && heap_owner->total == 100);
  struct list_head *p, *n;
  for (p = timeline.next; p != &timeline; p = n) { n = p->next; free(container_of(p, struct timer, by_time)); }
  free(container_of(&heap_owner->all, struct owner, all));
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
