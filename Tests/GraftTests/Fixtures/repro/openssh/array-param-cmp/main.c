/* Array-declared parameter compared with a null pointer constant. */
#include <stdio.h>

int count(int n, unsigned list[]) { return (list == 0) ? n : -1; }

int main(void)
{
	unsigned g[2];
	printf("%d %d\n", count(3, g), count(4, (unsigned *)0));
	return 0;
}
