/* each inlined copy of doit has its own &&here; a call through a slot shares one */
#include <stdlib.h>
static void *p1, *p2;
static inline void doit(void **pp) { here: *pp = &&here; }
__attribute__((noinline)) static void f(void) { doit(&p1); }
__attribute__((noinline)) static void g(void) { doit(&p2); }
int main(void) { f(); g(); if (p1 == p2) abort(); return 0; }
