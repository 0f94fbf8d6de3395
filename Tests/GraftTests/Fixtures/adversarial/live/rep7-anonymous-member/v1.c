/* REP-7 / PATCH-2: a wrapped struct with an anonymous member (and an
 * unnamed struct inside it) gains a field: the default transformer copies
 * the anonymous member whole, where the new layout has it. (graft patch
 * used to fail on it with a compiler error in the patch's C.) */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct pt { int x; int y; };
struct h { int a; struct { int b; struct { int x, y; } p; }; int d; };
struct h g;
int main(void) {
  g.a = 1; g.b = 2; g.p.x = 3; g.p.y = 4; g.d = 5;
  for (long n = 0;; n++) { graft_update_point(); printf("v1 %d %d %d %d %d\n", g.a, g.b, g.p.x, g.p.y, g.d); fflush(stdout); usleep(20000); }
}
