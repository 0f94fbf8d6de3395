/* Reduced from openssh mac.c / umac128.c: umac128.c does
 *   #define umac_ctx umac128_ctx
 *   #include "umac.c"
 * so the function is defined returning 'struct umac128_ctx *' while mac.c
 * (via umac.h) declares it returning the opaque 'struct umac_ctx *'. */
#include <stdio.h>

struct ctx;                       /* opaque; never completed in this unit */
struct ctx *ctx_new(void);
int ctx_get(struct ctx *c);

int main(void)
{
	struct ctx *c = ctx_new();
	printf("%d\n", ctx_get(c));
	return 0;
}
