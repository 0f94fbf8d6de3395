/* ra0 and ra1 both report the return address into call(): directly, or one frame up */
#include <stdlib.h>
__attribute__((noinline)) void *ra0(void) { return __builtin_return_address(0); }
__attribute__((noinline)) void *ra1(char *p) { return __builtin_return_address(1); }
__attribute__((noinline)) void *mid(void) { return ra1(__builtin_alloca(4)); }
void *(*fp[2])(void) = { ra0, mid };
__attribute__((noinline)) void *call(int i) { return fp[i](); }
int main(void) { if (call(0) != call(1)) abort(); return 0; }
