/* Built by plain cc: cc -O2 -shared -fPIC plugin.c -o plugin.so */
#include <stdio.h>
#include "shapes.h"

struct vec plugin_scale(struct vec v, double k) { struct vec r = { v.x * k, v.y * k }; return r; }
struct span plugin_range(const struct sample *s, int n) {
  struct span r = { s[0].id, s[0].id };
  for (int i = 1; i < n; i++) { if (s[i].id < r.lo) r.lo = s[i].id; if (s[i].id > r.hi) r.hi = s[i].id; }
  return r;
}
void plugin_fill(struct sample *s, int n) {
  for (int i = 0; i < n; i++) { s[i].id = 100 + i; s[i].pos.x = i; s[i].pos.y = -i; }
}
struct summary plugin_summarize(const struct sample *s, int n, struct span want) {
  struct summary m = { 0, { want.hi, want.lo }, { 0, 0 }, "" };
  for (int i = 0; i < n; i++) {
    if (s[i].id < want.lo || s[i].id > want.hi) continue;
    m.count++; m.centroid.x += s[i].pos.x; m.centroid.y += s[i].pos.y;
    if (s[i].id < m.ids.lo) m.ids.lo = s[i].id;
    if (s[i].id > m.ids.hi) m.ids.hi = s[i].id;
  }
  if (m.count) { m.centroid.x /= m.count; m.centroid.y /= m.count; }
  snprintf(m.label, sizeof m.label, "%ld in [%d,%d]", m.count, want.lo, want.hi);
  return m;
}
