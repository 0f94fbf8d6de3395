/* Class A4 (a struct shared with code graft did not build), case a4-object-globals.
 * C11 6.2.2p2 and 6.9p5 (an identifier with external linkage denotes one
 * object in the whole program), 6.2.7p1 (the declarations in the program and
 * in obj.c, from one header, have compatible types): obj.o, compiled by plain
 * cc, reads and writes the program's own globals by name.
 * Shape: no struct is ever passed in a call (the calls carry ints and
 * strings only); the exposure is the link itself. Globals of struct type,
 * with nested structs, an array of structs (with spare slots the object
 * file fills), and a global pointer into the middle of one of them.
 * Build: cc -O2 -c obj.c -o obj.o; [graft] cc -O2 prog.c obj.o -o prog. */
#include <stdio.h>
#include "conf.h"

struct config g_config = { "edge", 2, { 64, 128 }, { 8, 16 } };
struct route g_routes[5] = { { "/", 1, { 10, 100 } }, { "/api", 2, { 20, 200 } }, { "/static", 3, { 30, 300 } } };
int g_nroutes = 3;
struct limits *g_active = &g_config.procs;

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int fails = 0;
  int bad = obj_check();
  printf("obj_check: %#x\n", bad);
  fails += bad != 0;
  obj_raise_limits(3);
  printf("files %d/%d procs %d/%d rates %d %d %d\n", g_config.files.soft, g_config.files.hard,
         g_config.procs.soft, g_config.procs.hard, g_routes[0].rate.soft, g_routes[1].rate.soft, g_routes[2].rate.soft);
  fails += g_config.files.soft != 192 || g_config.files.hard != 384 || g_config.procs.soft != 9 || g_routes[2].rate.soft != 90;
  obj_add_route("/api/v2", 4);
  printf("routes %d, last %s -> %d (rate %d/%d)\n", g_nroutes, g_routes[3].prefix, g_routes[3].backend,
         g_routes[3].rate.soft, g_routes[3].rate.hard);
  fails += g_nroutes != 4 || g_routes[3].backend != 4 || g_routes[3].rate.hard != 2;
  static const char *paths[] = { "/index.html", "/api/users", "/api/v2/items", "/static/a.css" };
  for (int i = 0; i < 4; i++) {
    int b = obj_route(paths[i]);
    printf("route %s -> %d\n", paths[i], b);
    fails += b != (int[]){ 1, 2, 4, 3 }[i];
  }
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
