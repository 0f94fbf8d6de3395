#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/sysmacros.h>

int first_line(const char *path, char *buf, int n);
unsigned device_major(dev_t d);

int main(void)
{
	char buf[64];
	memset(buf, 0, sizeof buf);
	int ok = first_line("main.c", buf, sizeof buf);
	printf("%d %s", ok, buf);
	printf("%u %u\n", device_major(makedev(8, 1)), minor(makedev(8, 1)));
	return 0;
}
