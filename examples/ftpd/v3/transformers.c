/* 1.1 → 1.2, for `graft patch` only (not part of the build): the parent's
 * per-client table grows from 64 to 1024 buckets and its count widens from
 * int to unsigned long. Every row of the running table is moved, not copied,
 * into the bucket 1.2's client_get() looks in; the rows themselves keep
 * their place, so a pointer to one stays valid.
 *
 * GRAFT_OLD(x) (graft.h) names the running program's x at its old type; a
 * plain extern names 1.2's static, and a function declaration 1.2's static
 * function (Specs/transformers.md, TRANS-6). */
#include <graft.h>

struct client_stats {           /* as clients.c defines it (unchanged in 1.2) */
    unsigned int ip;
    int connections;
    int logins;
    int downloads;
    int uploads;
    unsigned long long bytes_down;
    unsigned long long bytes_up;
    struct client_stats *next;
};

extern struct client_stats *GRAFT_OLD(client_table)[64];
extern int GRAFT_OLD(client_count);
extern struct client_stats *client_table[1024];
extern unsigned long client_count;

unsigned int client_hash(unsigned int ip);   /* clients.c's static (TRANS-6) */

void graft_state_transform(void) {
    for (int b = 0; b < 64; b++) {
        struct client_stats *c = GRAFT_OLD(client_table)[b], *next;
        for (; c; c = next) {
            unsigned int nb = client_hash(c->ip) % 1024;
            next = c->next;
            c->next = client_table[nb];
            client_table[nb] = c;
        }
    }
    client_count = (unsigned long)GRAFT_OLD(client_count);
}
