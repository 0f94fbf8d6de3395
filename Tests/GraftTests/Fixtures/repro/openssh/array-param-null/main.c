/* Reduced from openssh uidswap.c: getgroups(0, NULL), where glibc declares
 * int getgroups(int __size, __gid_t __list[]);  (array-declared parameter) */
#include <stdio.h>

int count(int n, unsigned list[]);

int main(void)
{
	printf("%d\n", count(3, (void *)0));   /* NULL to an array-declared parameter */
	return 0;
}

int count(int n, unsigned *list) { return list ? -1 : n; }
