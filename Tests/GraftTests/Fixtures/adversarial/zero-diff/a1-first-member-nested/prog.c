/* Class A1 (first member at the struct's address), case a1-first-member-nested.
 * C11 6.7.2.1p15: "A pointer to a structure object, suitably converted, points
 * to its initial member ..., and vice versa. There may be unnamed padding
 * within a structure object, but not at its beginning."  7.22.3.3p2 / 7.22.3.5:
 * free() and realloc() take exactly the pointer that malloc returned, which is
 * also the address of the first member of the object stored there.
 * Shapes: three levels of first members that are themselves structs (each
 * level its own struct type), static / stack / heap / array-element objects,
 * the "vice versa" direction (first-member pointer back to the whole object
 * through void *), a base-class idiom (every object starts with a struct base
 * whose functions downcast), and free()/realloc() through the first member's
 * address, at the very end so that the transcript shows everything before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct leaf { int v; int w; };
struct mid { struct leaf l; long m; };
struct top { struct mid md; char name[8]; struct leaf second; };

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-44s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static struct top g_top = { { { 1, 2 }, 3 }, "static", { 4, 5 } };
static struct top g_arr[3];

static int same(const void *a, const void *b) { return a == b; }
/* first member -> whole object ("and vice versa") */
static struct top *top_of_leaf(struct leaf *l) { void *v = l; return v; }
static struct top *top_of_mid(struct mid *m) { void *v = m; return v; }
static struct mid *mid_of_leaf(struct leaf *l) { void *v = l; return v; }

static void check_top(const char *where, struct top *t) {
  char what[64];
  snprintf(what, sizeof what, "%s: &t->md == t", where);        CHECK(what, same(&t->md, t));
  snprintf(what, sizeof what, "%s: &t->md.l == t", where);      CHECK(what, same(&t->md.l, t));
  snprintf(what, sizeof what, "%s: &t->md.l.v == t", where);    CHECK(what, same(&t->md.l.v, t));
  snprintf(what, sizeof what, "%s: leaf -> top", where);        CHECK(what, top_of_leaf(&t->md.l) == t);
  snprintf(what, sizeof what, "%s: leaf -> mid", where);        CHECK(what, mid_of_leaf(&t->md.l) == &t->md);
  /* write through the whole object found from the first member, read directly */
  top_of_leaf(&t->md.l)->second.w = 700;
  top_of_mid(&t->md)->md.m = 701;
  snprintf(what, sizeof what, "%s: writes through leaf->top", where);
  CHECK(what, t->second.w == 700 && t->md.m == 701);
  /* and the other way: the first member seen as an int */
  int *first_int = (void *)t;
  *first_int = 42;
  snprintf(what, sizeof what, "%s: (int *)t is t->md.l.v", where); CHECK(what, t->md.l.v == 42);
}

/* A base-class idiom: functions on struct base downcast to the object. */
struct base { const char *kind; int refs; };
struct circle { struct base base; int r; };
struct rect { struct base base; int w, h; };
static long area(struct base *b) {
  if (b->kind[0] == 'c') { struct circle *c = (void *)b; return 3L * c->r * c->r; }
  struct rect *r = (void *)b;
  return (long)r->w * r->h;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  check_top("static", &g_top);
  CHECK("static: initializer kept", g_top.md.l.w == 2 && strcmp(g_top.name, "static") == 0 && g_top.second.v == 4);
  for (int i = 0; i < 3; i++) { char w[32]; snprintf(w, sizeof w, "static array [%d]", i); check_top(w, &g_arr[i]); }
  struct top s = { { { 9, 8 }, 7 }, "stack", { 6, 5 } };
  check_top("stack", &s);
  CHECK("stack: other fields kept", s.md.l.w == 8 && strcmp(s.name, "stack") == 0 && s.second.v == 6);

  struct top *heap = calloc(4, sizeof *heap);
  if (!heap) return 99;
  for (int i = 0; i < 4; i++) { char w[32]; snprintf(w, sizeof w, "heap array [%d]", i); check_top(w, &heap[i]); }
  CHECK("heap array: element stride by pointer", (char *)(void *)&heap[3] - (char *)(void *)&heap[0] == 3 * (long)sizeof *heap);

  struct circle c = { { "circle", 1 }, 2 };
  struct rect r = { { "rect", 1 }, 3, 4 };
  CHECK("base: &c.base == &c", same(&c.base, &c));
  CHECK("base: area(circle) == 12", area(&c.base) == 12);
  CHECK("base: area(rect) == 12", area(&r.base) == 12);
  struct base *objs[2] = { &c.base, &r.base };
  long total = 0;
  for (int i = 0; i < 2; i++) total += area(objs[i]);
  printf("total area %ld\n", total);

  /* free / realloc through the first member's address */
  struct top *h1 = malloc(sizeof *h1);
  struct top *h2 = malloc(sizeof *h2);
  struct circle *h3 = malloc(sizeof *h3);
  if (!h1 || !h2 || !h3) return 99;
  h1->md.l.v = 1; h2->md.l.v = 2; h3->base.kind = "circle"; h3->r = 1;
  check_top("heap single", h1);
  struct mid *grown = realloc(&h1->md, 2 * sizeof *h1);   /* the same pointer as h1 */
  if (!grown) return 99;
  h1 = top_of_mid(grown);
  CHECK("realloc through &h1->md kept value", h1->md.l.v == 42 && h1->second.w == 700);
  printf("freeing through first members\n");
  fflush(stdout);
  free(&h1->md);           /* first member is a struct */
  free(&h2->md.l);         /* first member of the first member */
  free(&h3->base);         /* the base-class part */
  free(&heap[0].md.l);     /* the calloc'ed array, through element 0's innermost first member */
  printf("freed\n");
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
