/* &p->member and p->array compute addresses and read nothing, even when p is null */
struct a { char b[100]; struct a *next; };
int foo(struct a *a) { if (&a->b) return 1; return 0; }
int main(void) { struct a t = { 0 }; __builtin_prefetch(t.next->b, 0, 0); return foo((struct a *)0); }
