/* privs.c — dropping root after the listener is bound. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ftpd.h"

void drop_privileges(const char *user) {
    struct passwd *pw;
    if (getuid() != 0) {
        log_msg(L_WARNING, "not root: -u %s ignored", user);
        return;
    }
    pw = getpwnam(user);
    if (!pw) { fprintf(stderr, "ftpd: no such user %s\n", user); exit(1); }
    if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
        perror("ftpd: dropping privileges");
        exit(1);
    }
    if (setuid(0) == 0) { fprintf(stderr, "ftpd: could regain root\n"); exit(1); }
    log_msg(L_INFO, "running as %s (uid %d)", user, (int)pw->pw_uid);
}
