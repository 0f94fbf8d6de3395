/* Shared by the program and liblib.a (lib.c, built by plain cc). */
#ifndef ITEMS_H
#define ITEMS_H
struct item { int key; char tag[7]; long weight; };
struct item_set { int n; struct item items[4]; const char *origin; };

/* In the library: */
void lib_visit_all(void (*visit)(struct item *it, void *ctx), void *ctx);
long lib_total(void);
/* In the program, called by the library by name: */
void prog_fill(struct item_set *set);
#endif
