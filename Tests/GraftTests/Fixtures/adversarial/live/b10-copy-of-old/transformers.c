#include <string.h>

struct user { char name[16]; int logins; const char *display; };

struct user_old { char name[16]; int logins; };

void graft_transform_user(struct user_old *old, struct user *new) {
    struct user_old copy;
    memcpy(&copy, old, sizeof copy);          /* a copy of the old value, on the stack */
    new->display = copy.name;                 /* a pointer into that copy */
}
