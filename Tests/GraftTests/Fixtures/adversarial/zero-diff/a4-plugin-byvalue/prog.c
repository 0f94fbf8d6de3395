/* Class A4 (a struct shared with code graft did not build), case a4-plugin-byvalue.
 * C11 6.2.7p1 (identically declared structs in separate translation units
 * are compatible), 6.5.2.2 (arguments and results are passed by value, as
 * the ABI says: System V x86-64 passes struct vec in two SSE registers,
 * struct span in one integer register, struct summary in memory).
 * Shape: the reverse direction of a4-plugin-register: the PROGRAM calls into
 * a plugin built by plain cc, through function pointers found by dlsym
 * (graft cannot see the callee): structs passed and returned BY VALUE, an
 * array of structs that the plugin fills (allocated by the program with
 * n * sizeof, stack and heap), and a large struct returned in memory.
 * Build: cc -O2 -shared -fPIC plugin.c -o plugin.so;
 *        [graft] cc -O2 -rdynamic prog.c -o prog -ldl; run in the folder. */
#include <stdio.h>
#include <stdlib.h>
#include <dlfcn.h>
#include "shapes.h"

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-46s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static struct sample g_samples[4];

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  void *h = dlopen("./plugin.so", RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 97; }
  scale_fn scale = (scale_fn)dlsym(h, "plugin_scale");
  range_fn range = (range_fn)dlsym(h, "plugin_range");
  fill_fn fill = (fill_fn)dlsym(h, "plugin_fill");
  summarize_fn summarize = (summarize_fn)dlsym(h, "plugin_summarize");
  if (!scale || !range || !fill || !summarize) return 97;

  struct vec v = { 1.5, -2.0 };
  struct vec w = scale(v, 4.0);
  printf("scale: (%g, %g)\n", w.x, w.y);
  CHECK("struct vec by value, both ways", w.x == 6.0 && w.y == -8.0);

  struct sample local[3] = { { 7, { 0, 0 } }, { 3, { 1, 1 } }, { 9, { 2, 2 } } };
  struct span r = range(local, 3);
  printf("range of stack array: [%d, %d]\n", r.lo, r.hi);
  CHECK("array of structs read by the plugin", r.lo == 3 && r.hi == 9);

  fill(g_samples, 4);
  printf("static array filled: %d %d %d %d, pos[3] = (%g, %g)\n", g_samples[0].id, g_samples[1].id,
         g_samples[2].id, g_samples[3].id, g_samples[3].pos.x, g_samples[3].pos.y);
  CHECK("array of structs filled by the plugin", g_samples[0].id == 100 && g_samples[3].id == 103 && g_samples[3].pos.y == -3.0);

  int n = 6;
  struct sample *heap = malloc((size_t)n * sizeof *heap);
  if (!heap) return 99;
  fill(heap, n);
  struct span want = { 101, 104 };
  struct summary m = summarize(heap, n, want);
  printf("summary: count %ld ids [%d, %d] centroid (%g, %g) label \"%s\"\n", m.count, m.ids.lo, m.ids.hi,
         m.centroid.x, m.centroid.y, m.label);
  CHECK("large struct returned in memory", m.count == 4 && m.ids.lo == 101 && m.ids.hi == 104 && m.centroid.x == 2.5);
  free(heap);
  dlclose(h);
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
