#define ctx ctx128                /* renaming -D / #define, as umac128.c does */

struct ctx { int v; };

struct ctx *ctx_new(void) { static struct ctx c = { 42 }; return &c; }
int ctx_get(struct ctx *c) { return c->v; }
