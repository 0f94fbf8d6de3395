/* Built by plain cc into an archive: cc -O2 -c lib.c -o lib.o && ar rcs liblib.a lib.o */
#include <stdio.h>
#include "items.h"

static struct item lib_items[3] = { { 1, "one", 10 }, { 2, "two", 20 }, { 3, "three", 30 } };

void lib_visit_all(void (*visit)(struct item *it, void *ctx), void *ctx) {
  for (int i = 0; i < 3; i++) visit(&lib_items[i], ctx);
  struct item on_stack = { 4, "four", 40 };
  visit(&on_stack, ctx);
}

long lib_total(void) {
  struct item_set s;
  s.n = -1; s.origin = "lib";
  prog_fill(&s);
  long t = 0;
  for (int i = 0; i < s.n && i < 4; i++) t += s.items[i].weight * s.items[i].key;
  printf("lib: set of %d from %s, first tag %s\n", s.n, s.origin, s.n > 0 ? s.items[0].tag : "-");
  fflush(stdout);
  return t;
}
