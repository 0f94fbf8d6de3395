/* Class A2 (pointer round trip through uintptr_t, with arithmetic), case a2-uintptr-arith.
 * C11 7.20.1.4p1: a valid pointer to void converted to uintptr_t and back
 * compares equal to the original; the mapping is implementation-defined
 * (6.3.2.3p5-6), and on gcc/x86-64 it is the flat byte address, so integer
 * arithmetic on it is byte arithmetic (what the plain build does).
 * Shapes: (1) a Linux-rbtree-style node whose parent pointer and colour share
 * one uintptr_t (low bits hold the colour), embedded in the middle of an
 * entry and recovered with integer container_of; in-order walk through
 * parent links. (2) an XOR-linked list (prev ^ next in one integer) whose
 * nodes are not the first member. (3) array elements reached as base +
 * i * sizeof. (4) struct handle_rec goes straight from an integer to its
 * pointer type, which ALIAS-2 sees: that one is plain today, the others are
 * reached through void *. */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-48s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)
#define FROM_INT(type, u) ((type *)(void *)(uintptr_t)(u))

/* (1) parent pointer and colour in one word */
struct tnode { uintptr_t parent_color; struct tnode *left, *right; };
struct entry { int key; char val[6]; struct tnode node; short weight; };
#define RED 1u
static struct tnode *parent_of(const struct tnode *n) { return FROM_INT(struct tnode, n->parent_color & ~(uintptr_t)3); }
static unsigned color_of(const struct tnode *n) { return (unsigned)(n->parent_color & 3); }
static void set_parent(struct tnode *n, struct tnode *p, unsigned color) { n->parent_color = (uintptr_t)(void *)p | color; }
static struct entry *entry_of(struct tnode *n) { return FROM_INT(struct entry, (uintptr_t)(void *)n - offsetof(struct entry, node)); }

static struct tnode *root;
static void insert(struct entry *e) {
  struct tnode **link = &root, *parent = NULL;
  while (*link) {
    parent = *link;
    link = e->key < entry_of(parent)->key ? &parent->left : &parent->right;
  }
  e->node.left = e->node.right = NULL;
  set_parent(&e->node, parent, (unsigned)e->key & RED);
  *link = &e->node;
}
static struct tnode *first(struct tnode *n) { while (n && n->left) n = n->left; return n; }
static struct tnode *next(struct tnode *n) {
  if (n->right) return first(n->right);
  struct tnode *p;
  while ((p = parent_of(n)) && n == p->right) n = p;
  return p;
}

/* (2) XOR list */
struct xlink { uintptr_t both; };
struct item { double w; int id; struct xlink x; };
static struct item *item_of(uintptr_t link_addr) { return FROM_INT(struct item, link_addr - offsetof(struct item, x)); }
static uintptr_t addr(struct xlink *l) { return l ? (uintptr_t)(void *)l : 0; }

/* (4) an integer handle turned straight into the struct pointer (ALIAS-2 keeps it plain) */
struct handle_rec { int a, b; };

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  static const int keys[] = { 40, 20, 60, 10, 30, 50, 70, 25, 35 };
  enum { N = sizeof keys / sizeof keys[0] };
  struct entry *es = calloc(N, sizeof *es);
  struct entry stack_entry = { .key = 45, .val = "stack", .weight = 9 };
  if (!es) return 99;
  for (int i = 0; i < N; i++) {
    es[i].key = keys[i]; es[i].weight = (short)i;
    snprintf(es[i].val, sizeof es[i].val, "v%d", keys[i]);
    insert(&es[i]);
  }
  insert(&stack_entry);
  printf("in order:");
  int count = 0, prev = -1, sorted = 1, colors = 1;
  for (struct tnode *n = first(root); n; n = next(n)) {
    struct entry *e = entry_of(n);
    printf(" %d(%s)", e->key, e->val);
    sorted &= e->key > prev; prev = e->key; count++;
    colors &= color_of(n) == ((unsigned)e->key & RED);
  }
  printf("\n");
  CHECK("tree walk: 10 entries in order", count == 10 && sorted);
  CHECK("colour bits kept beside the parent pointer", colors);
  CHECK("entry_of(&e->node) == e (heap, stack)", entry_of(&es[4].node) == &es[4] && entry_of(&stack_entry.node) == &stack_entry);
  CHECK("parent of 25 is 30", entry_of(parent_of(&es[7].node))->key == 30);
  CHECK("pointer -> uintptr_t -> pointer", FROM_INT(struct entry, (uintptr_t)(void *)&es[2]) == &es[2]);

  /* (2) XOR list over a static array, walked both ways */
  static struct item items[5];
  for (int i = 0; i < 5; i++) {
    items[i].id = i; items[i].w = i * 1.5;
    struct xlink *p = i > 0 ? &items[i - 1].x : NULL, *n = i < 4 ? &items[i + 1].x : NULL;
    items[i].x.both = addr(p) ^ addr(n);
  }
  printf("forward:");
  uintptr_t pv = 0, cur = addr(&items[0].x);
  double wsum = 0; int ids = 0;
  while (cur) {
    struct item *it = item_of(cur);
    printf(" %d", it->id); wsum += it->w; ids = ids * 10 + it->id;
    uintptr_t nx = FROM_INT(struct xlink, cur)->both ^ pv;
    pv = cur; cur = nx;
  }
  printf("\nbackward:");
  int back = 0;
  pv = 0; cur = addr(&items[4].x);
  while (cur) {
    struct item *it = item_of(cur);
    printf(" %d", it->id); back = back * 10 + it->id;
    uintptr_t nx = FROM_INT(struct xlink, cur)->both ^ pv;
    pv = cur; cur = nx;
  }
  printf("\n");
  CHECK("xor list forward 0..4, weights 15", ids == 1234 && wsum == 15.0);
  CHECK("xor list backward 4..0", back == 43210);

  /* (3) base + i * sizeof */
  uintptr_t base = (uintptr_t)(void *)items;
  int stride_ok = 1;
  for (int i = 0; i < 5; i++) stride_ok &= FROM_INT(struct item, base + (uintptr_t)i * sizeof(struct item))->id == i;
  CHECK("items[i] at base + i * sizeof(struct item)", stride_ok);
  CHECK("&items[3].x at base + 3 * sizeof + offsetof", FROM_INT(struct xlink, base + 3 * sizeof(struct item) + offsetof(struct item, x)) == &items[3].x);

  /* (4) handle straight from an integer */
  struct handle_rec *hr = malloc(sizeof *hr);
  if (!hr) return 99;
  hr->a = 1; hr->b = 2;
  uintptr_t handle = (uintptr_t)(void *)hr ^ 0x5a5a;
  struct handle_rec *back_hr = (struct handle_rec *)(handle ^ 0x5a5a);
  CHECK("handle_rec through an integer handle", back_hr == hr && back_hr->b == 2);
  free(back_hr);
  free(entry_of(&es[0].node));
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
