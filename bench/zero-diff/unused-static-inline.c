/* an unused static inline function that names a symbol nothing defines */
static inline int foo(void) { extern int undefined_reference; return undefined_reference; }
int main(void) { return 0; }
