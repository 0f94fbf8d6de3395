/* Reduced from openssh channels.h: struct Channel holds a struct with an
 * anonymous struct member (TAILQ_ENTRY), and openbsd-compat/port-net.c
 * includes this header as "../channels.h" (compiled in the subdirectory with
 * -I..) while serverloop.c includes it as "./channels.h". */
struct Channel {
	struct { struct Channel *next; } entry;   /* TAILQ_ENTRY(Channel) */
	int self;
};
typedef int filter_fn(struct Channel *);
int tun_filter(struct Channel *);
