/* The interface between the program and its plugin (built by plain cc). */
#ifndef SHAPES_H
#define SHAPES_H
struct vec { double x, y; };                  /* by value: two SSE registers on x86-64 */
struct span { int lo, hi; };                  /* returned by value in one register */
struct sample { int id; struct vec pos; };    /* an array of these crosses the boundary */
struct summary { long count; struct span ids; struct vec centroid; char label[24]; };   /* > 16 bytes: in memory */

typedef struct vec (*scale_fn)(struct vec v, double k);
typedef struct span (*range_fn)(const struct sample *s, int n);
typedef void (*fill_fn)(struct sample *s, int n);
typedef struct summary (*summarize_fn)(const struct sample *s, int n, struct span want);
#endif
