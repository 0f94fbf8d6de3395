/* Built by plain cc as a separate object: cc -O2 -c obj.c -o obj.o */
#include <string.h>
#include "conf.h"

int obj_check(void) {
  int bad = 0;
  bad |= strcmp(g_config.name, "edge") != 0;
  bad |= (g_config.verbose != 2) << 1;
  bad |= (g_config.files.soft != 64 || g_config.files.hard != 128) << 2;
  bad |= (g_config.procs.hard != 16) << 3;
  bad |= (g_nroutes != 3 || strcmp(g_routes[2].prefix, "/static") != 0 || g_routes[2].rate.hard != 300) << 4;
  bad |= (g_active != &g_config.procs) << 5;
  return bad;
}
void obj_raise_limits(int factor) {
  g_config.files.soft *= factor;
  g_config.files.hard *= factor;
  g_active->soft += 1;
  for (int i = 0; i < g_nroutes; i++) g_routes[i].rate.soft *= factor;
}
int obj_route(const char *path) {
  int best = -1; size_t len = 0;
  for (int i = 0; i < g_nroutes; i++) {
    size_t n = strlen(g_routes[i].prefix);
    if (n >= len && strncmp(path, g_routes[i].prefix, n) == 0) { best = g_routes[i].backend; len = n; }
  }
  return best;
}
void obj_add_route(const char *prefix, int backend) {
  struct route *r = &g_routes[g_nroutes++];
  r->prefix = prefix; r->backend = backend; r->rate.soft = 1; r->rate.hard = 2;
}
