/* ftpcmd.c — one FTP session, in the child: the command loop and the
 * commands.  Compiled with -D_GNU_SOURCE (see the Makefile): struct tm
 * and fd_set as glibc spells them with every extension on.
 *
 * Each command line starts at an update point.  Data connections are
 * passive only (PASV, EPSV): the server listens on the control
 * connection's local address and accepts when the transfer command comes.
 * The socket calls themselves are in sysutil.c, as vsftpd keeps them: under
 * _GNU_SOURCE glibc declares their address parameter as a transparent
 * union, which graft's link step does not merge with the plain
 * declaration the other units see (LINK-3). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if __has_include("graft.h")
#include "graft.h"
#else
#define graft_update_point() ((void)0)
#endif

#include "ftpd.h"

/* The control connection's input, read ahead. */
static char inbuf[FTPD_LINE_MAX * 4];
static size_t inlen;

static void reply(struct session *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void reply(struct session *s, int code, const char *fmt, ...) {
    char line[FTPD_LINE_MAX];
    va_list ap;
    int n = snprintf(line, sizeof line, "%d ", code);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n - 2, fmt, ap);
    va_end(ap);
    if ((size_t)n > sizeof line - 3) n = (int)sizeof line - 3;
    line[n++] = '\r';
    line[n++] = '\n';
    write_all(s->ctrl_fd, line, (size_t)n);
}

/* A line of at most LEN-1 bytes without its CRLF; 0 at EOF. */
static int read_line(struct session *s, char *line, size_t len) {
    for (;;) {
        char *nl = memchr(inbuf, '\n', inlen);
        if (nl) {
            size_t n = (size_t)(nl - inbuf) + 1;
            size_t k = n < len ? n : len - 1;
            memcpy(line, inbuf, k);
            line[k] = 0;
            memmove(inbuf, inbuf + n, inlen - n);
            inlen -= n;
            str_strip_crlf(line);
            return 1;
        }
        if (inlen == sizeof inbuf) inlen = 0; /* an over-long line: dropped */
        ssize_t r = read(s->ctrl_fd, inbuf + inlen, sizeof inbuf - inlen);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        inlen += (size_t)r;
    }
}

static void send_report(struct session *s, int kind, unsigned long long bytes) {
    struct report r;
    r.peer_ip = s->peer_ip;
    r.kind = kind;
    r.bytes = bytes;
    if (write(s->report_fd, &r, sizeof r) < 0)
        log_msg("session %lu: report lost: %s", s->session_id, strerror(errno));
}

/* ---- data connections ----------------------------------------------------- */

static void close_pasv(struct session *s) {
    if (s->pasv_fd >= 0) close(s->pasv_fd);
    s->pasv_fd = -1;
}

/* Listens on the control connection's local address; returns the port or -1. */
static int open_pasv(struct session *s, unsigned int *ip) {
    int port;
    close_pasv(s);
    s->pasv_fd = sys_listen_local(s->ctrl_fd, ip, &port);
    return s->pasv_fd < 0 ? -1 : port;
}

/* The client's data connection (from the control connection's address), or -1. */
static int accept_data(struct session *s) {
    fd_set rfds;
    struct timeval tv;
    unsigned int peer_ip;
    int fd;

    if (s->pasv_fd < 0) {
        reply(s, 425, "Use PORT or PASV first.");
        return -1;
    }
    FD_ZERO(&rfds);
    FD_SET(s->pasv_fd, &rfds);
    tv.tv_sec = cfg.data_timeout;
    tv.tv_usec = 0;
    if (select(s->pasv_fd + 1, &rfds, NULL, NULL, &tv) <= 0) {
        close_pasv(s);
        reply(s, 425, "Failed to establish connection.");
        return -1;
    }
    fd = sys_accept(s->pasv_fd, &peer_ip);
    close_pasv(s);
    if (fd < 0 || peer_ip != s->peer_ip) {
        if (fd >= 0) close(fd);
        reply(s, 425, "Security: Bad IP connecting.");
        return -1;
    }
    return fd;
}

/* ---- commands ----------------------------------------------------------- */

static int resolve(struct session *s, const char *arg, char *path, char *virt) {
    if (str_resolve(cfg.root, s->cwd, arg, path, FTPD_PATH_MAX * 2, virt, FTPD_PATH_MAX) < 0) {
        reply(s, 550, "Path too long.");
        return -1;
    }
    return 0;
}

static void cmd_user(struct session *s, char *arg) {
    if (s->logged_in) {
        reply(s, 530, "Can't change to another user.");
        return;
    }
    if (strcasecmp(arg, "anonymous") && strcasecmp(arg, "ftp")) {
        reply(s, 530, "This FTP server is anonymous only.");
        return;
    }
    snprintf(s->user, sizeof s->user, "%s", arg);
    s->got_user = 1;
    reply(s, 331, "Please specify the password.");
}

static void cmd_pass(struct session *s, char *arg) {
    (void)arg;
    if (s->logged_in) {
        reply(s, 230, "Already logged in.");
        return;
    }
    if (!s->got_user) {
        reply(s, 503, "Login with USER first.");
        return;
    }
    s->logged_in = 1;
    send_report(s, REPORT_LOGIN, 0);
    log_msg("session %lu: %s logged in from %s", s->session_id, s->user, s->peer_addr);
    reply(s, 230, "Login successful.");
}

static void cmd_syst(struct session *s, char *arg) {
    (void)arg;
    reply(s, 215, "UNIX Type: L8");
}

static void cmd_noop(struct session *s, char *arg) {
    (void)arg;
    reply(s, 200, "NOOP ok.");
}

static void cmd_pwd(struct session *s, char *arg) {
    (void)arg;
    reply(s, 257, "\"%s\" is the current directory", s->cwd);
}

static void cmd_cwd(struct session *s, char *arg) {
    char path[FTPD_PATH_MAX * 2], virt[FTPD_PATH_MAX];
    struct stat st;
    if (resolve(s, arg, path, virt) < 0) return;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        reply(s, 550, "Failed to change directory.");
        return;
    }
    snprintf(s->cwd, sizeof s->cwd, "%s", virt);
    reply(s, 250, "Directory successfully changed.");
}

static void cmd_cdup(struct session *s, char *arg) {
    (void)arg;
    cmd_cwd(s, "..");
}

static void cmd_type(struct session *s, char *arg) {
    str_upper(arg);
    if (!strcmp(arg, "I") || !strcmp(arg, "L 8")) {
        s->type = 'I';
        reply(s, 200, "Switching to Binary mode.");
    } else if (!strcmp(arg, "A") || !strcmp(arg, "A N")) {
        s->type = 'A';
        reply(s, 200, "Switching to ASCII mode.");
    } else {
        reply(s, 500, "Unrecognised TYPE command.");
    }
}

static void cmd_mode(struct session *s, char *arg) {
    str_upper(arg);
    if (!strcmp(arg, "S")) reply(s, 200, "Mode set to S.");
    else reply(s, 504, "Bad MODE command.");
}

static void cmd_stru(struct session *s, char *arg) {
    str_upper(arg);
    if (!strcmp(arg, "F")) reply(s, 200, "Structure set to F.");
    else reply(s, 504, "Bad STRU command.");
}

static void cmd_pasv(struct session *s, char *arg) {
    unsigned int ip;
    (void)arg;
    int port = open_pasv(s, &ip);
    if (port < 0) {
        reply(s, 425, "Failed to enter passive mode.");
        return;
    }
    const unsigned char *h = (const unsigned char *)&ip;
    reply(s, 227, "Entering Passive Mode (%u,%u,%u,%u,%d,%d).", h[0], h[1], h[2], h[3], port >> 8, port & 255);
}

static void cmd_epsv(struct session *s, char *arg) {
    unsigned int ip;
    str_upper(arg);
    if (!strcmp(arg, "ALL")) {
        reply(s, 200, "EPSV ALL ok.");
        return;
    }
    if (arg[0] && strcmp(arg, "1")) {
        reply(s, 522, "Bad network protocol, use (1)");
        return;
    }
    int port = open_pasv(s, &ip);
    if (port < 0) {
        reply(s, 425, "Failed to enter passive mode.");
        return;
    }
    reply(s, 229, "Entering Extended Passive Mode (|||%d|)", port);
}

static void cmd_size(struct session *s, char *arg) {
    char path[FTPD_PATH_MAX * 2], virt[FTPD_PATH_MAX];
    struct stat st;
    if (resolve(s, arg, path, virt) < 0) return;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        reply(s, 550, "Could not get file size.");
        return;
    }
    reply(s, 213, "%lld", (long long)st.st_size);
}

static void cmd_retr(struct session *s, char *arg) {
    char path[FTPD_PATH_MAX * 2], virt[FTPD_PATH_MAX];
    char buf[65536];
    struct stat st;
    unsigned long long sent = 0;
    int fd, dfd, failed = 0;

    if (resolve(s, arg, path, virt) < 0) { close_pasv(s); return; }
    fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        close_pasv(s);
        reply(s, 550, "Failed to open file.");
        return;
    }
    dfd = accept_data(s);
    if (dfd < 0) { close(fd); return; }
    reply(s, 150, "Opening %s mode data connection for %s (%lld bytes).",
          s->type == 'I' ? "BINARY" : "ASCII", virt, (long long)st.st_size);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { failed = 1; break; }
        if (n == 0) break;
        if (write_all(dfd, buf, (size_t)n) < 0) { failed = 1; break; }
        sent += (unsigned long long)n;
    }
    close(fd);
    close(dfd);
    if (failed) {
        reply(s, 426, "Failure writing network stream.");
        return;
    }
    s->transfers++;
    s->bytes_down += sent;
    send_report(s, REPORT_DOWNLOAD, sent);
    log_msg("session %lu: sent %s, %llu bytes", s->session_id, virt, sent);
    reply(s, 226, "Transfer complete.");
}

static void cmd_stor(struct session *s, char *arg) {
    char path[FTPD_PATH_MAX * 2], virt[FTPD_PATH_MAX];
    char buf[65536];
    unsigned long long got = 0;
    int fd, dfd, failed = 0;

    if (!cfg.anon_upload) {
        close_pasv(s);
        reply(s, 550, "Permission denied.");
        return;
    }
    if (resolve(s, arg, path, virt) < 0) { close_pasv(s); return; }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        close_pasv(s);
        reply(s, 553, "Could not create file.");
        return;
    }
    dfd = accept_data(s);
    if (dfd < 0) { close(fd); return; }
    reply(s, 150, "Ok to send data.");
    for (;;) {
        ssize_t n = read(dfd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { failed = 1; break; }
        if (n == 0) break;
        if (write_all(fd, buf, (size_t)n) < 0) { failed = 2; break; }
        got += (unsigned long long)n;
    }
    close(dfd);
    if (close(fd) < 0 && !failed) failed = 2;
    if (failed) {
        reply(s, failed == 2 ? 451 : 426, failed == 2 ? "Failure writing to local file." : "Failure reading network stream.");
        return;
    }
    s->transfers++;
    s->bytes_up += got;
    send_report(s, REPORT_UPLOAD, got);
    log_msg("session %lu: received %s, %llu bytes", s->session_id, virt, got);
    reply(s, 226, "Transfer complete.");
}

/* LIST (long) or NLST (names) of the current directory or ARG. */
static void list(struct session *s, char *arg, int names_only) {
    char path[FTPD_PATH_MAX * 2], virt[FTPD_PATH_MAX], file[FTPD_PATH_MAX * 3];
    char line[FTPD_PATH_MAX + 128], when[32];
    struct dirent *e;
    struct stat st;
    DIR *d;
    int dfd;

    while (arg[0] == '-') { /* "LIST -la": options are ignored */
        char *sp = strchr(arg, ' ');
        arg = sp ? sp + 1 : arg + strlen(arg);
    }
    if (resolve(s, arg, path, virt) < 0) { close_pasv(s); return; }
    d = opendir(path);
    if (!d) {
        close_pasv(s);
        reply(s, 550, "Failed to open directory.");
        return;
    }
    dfd = accept_data(s);
    if (dfd < 0) { closedir(d); return; }
    reply(s, 150, "Here comes the directory listing.");
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (names_only) {
            snprintf(line, sizeof line, "%s\r\n", e->d_name);
        } else {
            struct tm tm;
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            if (lstat(file, &st) < 0) continue;
            gmtime_r(&st.st_mtime, &tm);
            strftime(when, sizeof when, "%b %d %H:%M", &tm);
            snprintf(line, sizeof line, "%c%s 1 ftp ftp %12lld %s %s\r\n",
                     S_ISDIR(st.st_mode) ? 'd' : '-', S_ISDIR(st.st_mode) ? "rwxr-xr-x" : "rw-r--r--",
                     (long long)st.st_size, when, e->d_name);
        }
        if (write_all(dfd, line, strlen(line)) < 0) break;
    }
    closedir(d);
    close(dfd);
    reply(s, 226, "Directory send OK.");
}

static void cmd_list(struct session *s, char *arg) { list(s, arg, 0); }
static void cmd_nlst(struct session *s, char *arg) { list(s, arg, 1); }

static void cmd_site(struct session *s, char *arg) {
    char *rest = str_split_arg(arg);
    (void)rest;
    str_upper(arg);
    if (!strcmp(arg, "STATS")) {
        char buf[16384];
        client_format_stats(buf, sizeof buf);
        char head[96];
        snprintf(head, sizeof head, "211-ftpd %s statistics, session %lu\r\n", FTPD_VERSION, s->session_id);
        write_all(s->ctrl_fd, head, strlen(head));
        write_all(s->ctrl_fd, buf, strlen(buf));
        reply(s, 211, "End of statistics.");
    } else if (!strcmp(arg, "HELP")) {
        reply(s, 214, "SITE commands: HELP STATS");
    } else {
        reply(s, 500, "Unknown SITE command.");
    }
}

static int quit_requested;

static void cmd_quit(struct session *s, char *arg) {
    (void)arg;
    reply(s, 221, "Goodbye.");
    quit_requested = 1;
}

struct ftp_command {
    const char *name;
    void (*run)(struct session *s, char *arg);
    int needs_login;
};

static const struct ftp_command commands[] = {
    { "USER", cmd_user, 0 }, { "PASS", cmd_pass, 0 }, { "SYST", cmd_syst, 0 },
    { "NOOP", cmd_noop, 0 }, { "QUIT", cmd_quit, 0 },
    { "PWD", cmd_pwd, 1 },   { "XPWD", cmd_pwd, 1 },  { "CWD", cmd_cwd, 1 },
    { "CDUP", cmd_cdup, 1 }, { "TYPE", cmd_type, 1 }, { "MODE", cmd_mode, 1 },
    { "STRU", cmd_stru, 1 }, { "PASV", cmd_pasv, 1 }, { "EPSV", cmd_epsv, 1 },
    { "SIZE", cmd_size, 1 }, { "RETR", cmd_retr, 1 }, { "STOR", cmd_stor, 1 },
    { "LIST", cmd_list, 1 }, { "NLST", cmd_nlst, 1 }, { "SITE", cmd_site, 1 },
};

static void dispatch(struct session *s, char *line) {
    char *arg = str_split_arg(line);
    str_upper(line);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, line)) continue;
        if (commands[i].needs_login && !s->logged_in) {
            reply(s, 530, "Please login with USER and PASS.");
            return;
        }
        commands[i].run(s, arg);
        return;
    }
    reply(s, 500, "Unknown command.");
}

void session_run(struct session *s) {
    char line[FTPD_LINE_MAX];
    log_msg("session %lu: connect from %s", s->session_id, s->peer_addr);
    reply(s, 220, "ftpd %s ready.", FTPD_VERSION);
    while (!quit_requested) {
        graft_update_point();
        if (!read_line(s, line, sizeof line)) break;
        if (!line[0]) continue;
        dispatch(s, line);
    }
    close_pasv(s);
    close(s->ctrl_fd);
    log_msg("session %lu: closed, %lu transfers", s->session_id, s->transfers);
}
