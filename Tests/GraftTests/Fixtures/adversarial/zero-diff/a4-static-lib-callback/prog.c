/* Class A4 (a struct shared with code graft did not build), case a4-static-lib-callback.
 * C11 6.2.7p1: struct item declared by one header in the program and in a
 * static library compiled by plain cc is the same type with one layout
 * (the ABI's); 6.2.2p2 / 6.9p5: the library's call to prog_fill and the
 * program's call to lib_visit_all name the same external functions.
 * Shape: callbacks across an archive. The program never passes a struct to
 * the library (so no call of the program shows the exposure): the library
 * calls the program's callback with pointers to ITS OWN static and stack
 * struct items, and calls the program's prog_fill by name with a struct
 * item_set (an array of items inside) on its own stack, which the program
 * fills and the library reads back.
 * Build: cc -O2 -c lib.c -o lib.o && ar rcs liblib.a lib.o;
 *        [graft] cc -O2 prog.c liblib.a -o prog. */
#include <stdio.h>
#include <string.h>
#include "items.h"

struct acc { long sum; int count; char tags[64]; };

static void visit(struct item *it, void *ctx) {
  struct acc *a = ctx;
  a->sum += it->weight;
  a->count++;
  strncat(a->tags, it->tag, sizeof a->tags - strlen(a->tags) - 2);
  strcat(a->tags, " ");
  it->weight += 1;                     /* written back into the library's object */
}

void prog_fill(struct item_set *set) {
  static const char *tags[] = { "alpha", "beta", "gamma" };
  set->n = 3;
  for (int i = 0; i < 3; i++) {
    set->items[i].key = i + 1;
    snprintf(set->items[i].tag, sizeof set->items[i].tag, "%s", tags[i]);
    set->items[i].weight = 100 * (i + 1);
  }
  set->origin = "prog";
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int fails = 0;
  struct acc a = { 0, 0, "" };
  lib_visit_all(visit, &a);
  printf("visited %d items, weight %ld: %s\n", a.count, a.sum, a.tags);
  fails += a.count != 4 || a.sum != 100 || strcmp(a.tags, "one two three four ") != 0;
  struct acc b = { 0, 0, "" };
  lib_visit_all(visit, &b);
  printf("second visit sees the written weights: %ld\n", b.sum);
  fails += b.sum != 103;
  long t = lib_total();
  printf("lib_total %ld\n", t);
  fails += t != 100 * 1 + 200 * 2 + 300 * 3;
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
