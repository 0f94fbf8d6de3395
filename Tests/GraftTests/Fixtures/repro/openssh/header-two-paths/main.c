#include <stdio.h>
#include "chan.h"

static int run(filter_fn *fn, struct Channel *c) { return fn(c); }

int main(void)
{
	struct Channel c = { { 0 }, 7 };
	printf("%d\n", run(tun_filter, &c));     /* as serverloop.c:565 */
	return 0;
}
