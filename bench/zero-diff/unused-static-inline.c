/* unused static inline functions that name a symbol nothing defines; foo's
   address is taken only inside bar, which is unused too (20011115-1) */
static inline int foo(void) { extern int undefined_reference; return undefined_reference; }
static inline int bar(void) { if (foo == foo) return 1; return foo(); }
int main(void) { return 0; }
