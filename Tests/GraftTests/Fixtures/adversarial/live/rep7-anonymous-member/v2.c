#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct pt { int x; int y; long z; };
struct h { int a; struct { int b; struct { int x, y; } p; }; int d; long e; };
struct h g;
int main(void) {
  for (long n = 0;; n++) { graft_update_point(); printf("v2 %s %d %d %d %d %d\n", g.a==1&&g.b==2&&g.p.x==3&&g.p.y==4&&g.d==5 ? "OK":"FAIL", g.a, g.b, g.p.x, g.p.y, g.d); fflush(stdout); usleep(20000); }
}
