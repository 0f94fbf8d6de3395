#include <string.h>

struct user { char name[16]; int logins; long score; };

struct user_old { char name[16]; int logins; };

void graft_transform_user(struct user_old *old, struct user *new) {
    int n;
    memcpy(&n, &old->logins, sizeof n);       /* a scalar out of the old value */
    long score = 10L * n;
    memcpy(&new->score, &score, sizeof score); /* a scalar into the new value */
    struct user_old copy = *old;              /* a whole copy, only read */
    memmove(new->name, copy.name, sizeof new->name);
}
