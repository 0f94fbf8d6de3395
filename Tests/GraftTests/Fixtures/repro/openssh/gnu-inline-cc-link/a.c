/* Reduced from openssh: its Makefile links with $(LD), which configure sets
 * to plain "cc", so `make CC="graft cc"` links graft's objects with cc.
 * <sys/sysmacros.h> defines gnu_dev_major/minor/makedev as
 * 'extern inline __attribute__((gnu_inline))' (via __extension__ __extern_inline). */
#include <stdio.h>
#include <sys/sysmacros.h>

int b(void);

int main(void)
{
	printf("%u %d\n", major(makedev(8, 1)), b());
	return 0;
}
