#include <string.h>

struct user { char name[16]; int logins; const char *display; };

struct user_old { char name[16]; int logins; };

void graft_transform_user(struct user_old *old, struct user *new) {
    const char *shown = old->name;           /* a pointer into the old value, in a local */
    memcpy(&new->display, &shown, sizeof shown);
}
