/* ftpd.h — a small anonymous FTP server in vsftpd's shape.
 *
 * One parent process listens, keeps per-client statistics in a hash table
 * and forks one child per connection; the child returns from
 * standalone_loop() into main(), which runs the FTP session on the
 * `struct session` it holds by value in its frame.  Children report each
 * login and transfer to the parent through a pipe, so the parent's table
 * sees every transfer; SITE STATS prints the parent's state as of the fork. */
#ifndef FTPD_H
#define FTPD_H

#include <stddef.h>
#include <sys/types.h>

#define FTPD_VERSION "1.0"
#define FTPD_LINE_MAX 1024
#define FTPD_PATH_MAX 1024

/* Run-time configuration, set from the command line in main(). */
struct config {
    const char *root;        /* served directory (absolute) */
    int port;
    const char *run_as;      /* -u USER: drop to this user after binding */
    int max_clients;
    int anon_upload;         /* -w: anonymous STOR allowed */
    int data_timeout;        /* seconds to wait for a data connection */
};
extern struct config cfg;

/* One FTP session: lives in main()'s frame, by value (as vsftpd's). */
struct session {
    int ctrl_fd;
    int pasv_fd;             /* listening passive socket, or -1 */
    int report_fd;           /* pipe to the parent */
    unsigned int peer_ip;    /* network order */
    char peer_addr[16];
    unsigned long session_id;
    int logged_in;
    int got_user;
    char user[32];
    char cwd[FTPD_PATH_MAX]; /* "/" … relative to cfg.root */
    char type;               /* 'A' or 'I' */
    unsigned long transfers;
    unsigned long long bytes_down, bytes_up;
};

/* What standalone_loop() hands the child (vsftpd's vsf_client_launch). */
struct client_launch {
    int fd;
    int report_fd;
    unsigned int peer_ip;
    unsigned long session_id;
};

/* A child's report to the parent: written whole (< PIPE_BUF). */
enum report_kind { REPORT_LOGIN = 1, REPORT_DOWNLOAD = 2, REPORT_UPLOAD = 3 };
struct report {
    unsigned int peer_ip;
    int kind;
    unsigned long long bytes;
};

/* standalone.c */
struct client_launch standalone_loop(void);

/* clients.c — the parent's per-client table */
struct client_stats;
struct client_stats *client_get(unsigned int ip);
void client_connected(unsigned int ip);
void client_report(const struct report *r);
void client_format_stats(char *buf, size_t len);

/* ftpcmd.c */
void session_run(struct session *s);

/* sysutil.c */
int sys_listen_local(int ctrl_fd, unsigned int *ip, int *port);
int sys_accept(int fd, unsigned int *peer_ip);

/* log.c */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_open(const char *ident);

/* str.c */
void str_ip(unsigned int ip, char *out, size_t len);
void str_strip_crlf(char *s);
char *str_split_arg(char *line);
void str_upper(char *s);
int str_resolve(const char *root, const char *cwd, const char *arg, char *out, size_t len, char *virt, size_t vlen);
size_t str_append(char *buf, size_t len, size_t at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
