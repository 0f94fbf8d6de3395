/* sysutil.c — socket calls for the session (vsftpd's sysutil.c idea: one
 * place that speaks to the kernel).  Plain feature macros. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ftpd.h"

/* A socket listening on CTRL_FD's local address, any port: its address in
 * *IP (network order), its port in *PORT.  -1 on failure. */
int sys_listen_local(int ctrl_fd, unsigned int *ip, int *port) {
    struct sockaddr_in local;
    socklen_t len = sizeof local;
    int fd;

    if (getsockname(ctrl_fd, (struct sockaddr *)&local, &len) < 0) return -1;
    local.sin_port = 0;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0 || listen(fd, 1) < 0) {
        close(fd);
        return -1;
    }
    len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
        close(fd);
        return -1;
    }
    *ip = local.sin_addr.s_addr;
    *port = ntohs(local.sin_port);
    return fd;
}

/* accept(): the peer's address in *PEER_IP. */
int sys_accept(int fd, unsigned int *peer_ip) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int c = accept(fd, (struct sockaddr *)&peer, &len);
    if (c >= 0) *peer_ip = peer.sin_addr.s_addr;
    return c;
}
