/* Reduced from OpenSSH built with -D_FORTIFY_SOURCE=2 (Debian's flags): glibc's
 * fortified fgets calls __fgets_alias, declared with __REDIRECT, that is
 * `__asm__("fgets")`; its major() and minor() are extern inline functions of
 * <sys/sysmacros.h>, included by both units. */
#include <stdio.h>
#include <sys/types.h>
#include <sys/sysmacros.h>

int first_line(const char *path, char *buf, int n)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	int ok = fgets(buf, n, f) != NULL;
	fclose(f);
	return ok;
}

unsigned device_major(dev_t d) { return major(d); }
