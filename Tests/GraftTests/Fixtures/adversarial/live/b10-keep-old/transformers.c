#include <stdint.h>
#include <string.h>

struct user { char name[16]; int logins; uintptr_t prev; };

struct user_old { char name[16]; int logins; };

void graft_transform_user(struct user_old *old, struct user *new) {
    uintptr_t where = (uintptr_t)old;
    new->prev = where ^ 0x5a5a;               /* `old` itself, kept as an integer */
}
