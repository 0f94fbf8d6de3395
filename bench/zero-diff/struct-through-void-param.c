/* a struct passed as void * and reached by a hard-coded offset in the callee */
struct S { int i, j; };
struct Q { float k; struct S a; } s;
__attribute__((noinline)) int get(void *q) { return *(int *)((char *)q + sizeof(int)); }
int main(void) { s.a.i = 3; return get((void *)&s) != 3; }
