/* main.c — start-up, then the session, as vsftpd's main():
 * parse the command line, let standalone_loop() listen, drop privileges
 * and fork; it returns only in a child, with the accepted connection, and
 * main() goes on to run the FTP session on the struct session it holds. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftpd.h"

struct config cfg = { "", 2121, NULL, 64, 0, 10 };

static void usage(FILE *f) {
    fprintf(f, "usage: ftpd --root DIR [--port N] [-u USER] [--max-clients N] [-w]\n"
               "  anonymous FTP on 127.0.0.1; -u USER drops to USER after binding (when root);\n"
               "  -w allows anonymous uploads\n");
}

int main(int argc, char **argv) {
    struct session sess = { -1, -1, -1, 0, "", 0, 0, 0, "", "/", 'A', 0, 0, 0 };
    static char root[PATH_MAX];
    struct client_launch launch;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--root") && i + 1 < argc) {
            if (!realpath(argv[++i], root)) { perror(argv[i]); return 2; }
            cfg.root = root;
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            cfg.port = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-u") && i + 1 < argc) {
            cfg.run_as = argv[++i];
        } else if (!strcmp(argv[i], "--max-clients") && i + 1 < argc) {
            cfg.max_clients = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-w")) {
            cfg.anon_upload = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!cfg.root[0] || cfg.port <= 0 || cfg.port > 65535 || cfg.max_clients <= 0) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    log_open("ftpd");

    launch = standalone_loop();

    /* In the child, with one client. */
    sess.ctrl_fd = launch.fd;
    sess.report_fd = launch.report_fd;
    sess.peer_ip = launch.peer_ip;
    sess.session_id = launch.session_id;
    str_ip(sess.peer_ip, sess.peer_addr, sizeof sess.peer_addr);
    session_run(&sess);
    return 0;
}
