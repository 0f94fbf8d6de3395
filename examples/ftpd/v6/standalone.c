/* standalone.c — the parent: listen, fork one child per connection.
 *
 * Compiled with -D_XOPEN_SOURCE=700 (see the Makefile): select() and
 * fd_set as POSIX spells them.  Each iteration of the accept loop starts
 * at an update point; the parent waits in select() on the listener and on
 * the pipe children report through, at most a second (it reaps children
 * then).  Reports are read before a connection is accepted, so a child
 * forked after a client saw "226" knows that client's transfer. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#if __has_include("graft.h")
#include "graft.h"
#else
#define graft_update_point() ((void)0)
#endif

#include "ftpd.h"

void drop_privileges(const char *user); /* privs.c */

static int listen_fd = -1;
static int report_pipe[2] = { -1, -1 };
static int num_children;

static int open_listener(int port) {
    struct sockaddr_in a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
    if (listen(fd, 128) < 0) { perror("listen"); exit(1); }
    return fd;
}

static unsigned long next_session_id(void) {
    static unsigned long serial;
    return ++serial;
}

static void drain_reports(void) {
    struct report r;
    while (read(report_pipe[0], &r, sizeof r) == (ssize_t)sizeof r)
        client_report(&r);
}

static void reap_children(void) {
    while (waitpid(-1, NULL, WNOHANG) > 0)
        num_children--;
}

struct client_launch standalone_loop(void) {
    struct client_launch launch;

    listen_fd = open_listener(cfg.port);
    if (pipe(report_pipe) < 0) { perror("pipe"); exit(1); }
    fcntl(report_pipe[0], F_SETFL, O_NONBLOCK);
    if (cfg.run_as)
        drop_privileges(cfg.run_as);
    log_msg(L_INFO, "listening on 127.0.0.1:%d, serving %s", cfg.port, cfg.root);

    for (;;) {
        graft_update_point();
        fd_set rfds;
        struct timeval tv = { 1, 0 };
        int maxfd = listen_fd > report_pipe[0] ? listen_fd : report_pipe[0];
        FD_ZERO(&rfds);
        FD_SET(listen_fd, &rfds);
        FD_SET(report_pipe[0], &rfds);
        int n = select(maxfd + 1, &rfds, NULL, NULL, &tv);
        reap_children();
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("select");
            exit(1);
        }
        drain_reports();
        if (n == 0 || !FD_ISSET(listen_fd, &rfds)) continue;

        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int fd = accept(listen_fd, (struct sockaddr *)&peer, &plen);
        if (fd < 0) continue;
        unsigned int ip = peer.sin_addr.s_addr;
        client_connected(ip);
        if (num_children >= cfg.max_clients) {
            static const char busy[] = "421 There are too many connected users, please try later.\r\n";
            if (write(fd, busy, sizeof busy - 1) < 0) { /* closing anyway */ }
            close(fd);
            continue;
        }
        unsigned long id = next_session_id();
        pid_t pid = fork();
        if (pid < 0) {
            log_msg(L_WARNING, "fork: %s", strerror(errno));
            close(fd);
            continue;
        }
        if (pid == 0) {
            close(listen_fd);
            close(report_pipe[0]);
            launch.fd = fd;
            launch.report_fd = report_pipe[1];
            launch.peer_ip = ip;
            launch.session_id = id;
            return launch;
        }
        num_children++;
        close(fd);
    }
}
