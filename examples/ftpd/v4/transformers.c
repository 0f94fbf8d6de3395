/* transformers.c — 1.2 -> 1.3: struct session's peer_addr grew from 16 to
 * INET6_ADDRSTRLEN (46) bytes.  The default transformer copies every other
 * field (same name, same type); an array that changed length it cannot, so
 * graft asks for this one (PATCH-2).  Not part of `make`: graft patch
 * compiles it against v4's ftpd.h. */
#include <string.h>

#include "ftpd.h"

struct session_old { /* v3's struct session, field for field */
    int ctrl_fd, pasv_fd, report_fd;
    unsigned int peer_ip;
    char peer_addr[16];
    unsigned long session_id;
    int logged_in, got_user;
    char user[32];
    char cwd[FTPD_PATH_MAX];
    char type;
    unsigned long transfers;
    unsigned long long bytes_down, bytes_up;
    long long restart_pos;
};

void graft_transform_session(struct session_old *old, struct session *new) {
    memcpy(new->peer_addr, old->peer_addr, sizeof old->peer_addr);
}
