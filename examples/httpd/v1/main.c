/* main.c — httpd's event loop: one process, one thread, poll().
 *
 * Each client is a struct conn that alternates between reading a request
 * head (POLLIN) and sending a response (POLLOUT); http.c decides what to
 * send.  Idle connections are closed after HTTP_IDLE_TIMEOUT_MS. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if __has_include("graft.h")
#include "graft.h"
#else
#define graft_update_point() ((void)0)
#endif

#include "httpd.h"

struct config config;

struct server {
    int listen_fd;
    struct conn **clients;  /* nclients live connections, unordered */
    int nclients;
    int clients_cap;
    struct pollfd *pfds;    /* rebuilt every iteration: [0] listener, [1+i] clients[i] */
    int pfds_cap;
    long long next_conn_id;
    long long accept_paused_until_ms;
};

static struct server server;

static volatile sig_atomic_t shutdown_requested;

/* ---- utilities ----------------------------------------------------------- */

long long mstime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void http_log(const char *fmt, ...) {
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;

    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "[%s] httpd[%d]: ", when, (int)getpid());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void oom(size_t n) {
    fprintf(stderr, "httpd: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

void buf_reserve(struct buffer *b, size_t extra) {
    if (b->cap - b->len >= extra)
        return;
    if (b->pos > 0) { /* reuse the consumed prefix first */
        memmove(b->data, b->data + b->pos, b->len - b->pos);
        b->len -= b->pos;
        b->pos = 0;
        if (b->cap - b->len >= extra)
            return;
    }
    size_t ncap = b->cap ? b->cap : 1024;
    while (ncap < b->len + extra)
        ncap *= 2;
    b->data = xrealloc(b->data, ncap);
    b->cap = ncap;
}

void buf_append(struct buffer *b, const char *p, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void buf_appendf(struct buffer *b, const char *fmt, ...) {
    va_list ap;
    buf_reserve(b, 256);
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) { /* did not fit: grow and redo */
        buf_reserve(b, (size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void buf_consume(struct buffer *b, size_t n) {
    b->pos += n;
    if (b->pos >= b->len)
        b->pos = b->len = 0;
}

void buf_release(struct buffer *b) {
    free(b->data);
    b->data = NULL;
    b->pos = b->len = b->cap = 0;
}

static int set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0)
        return -1;
    return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void handle_shutdown_signal(int sig) {
    (void)sig;
    shutdown_requested = 1;
}

/* ---- connections --------------------------------------------------------- */

static struct conn *conn_create(int fd) {
    struct conn *c = xcalloc(1, sizeof(struct conn));
    c->fd = fd;
    c->state = CONN_READING;
    c->id = ++server.next_conn_id;
    c->last_active_ms = mstime();
    c->body_fd = -1;
    return c;
}

static void conn_free(struct conn *c) {
    http_conn_reset_body(c);
    buf_release(&c->rbuf);
    buf_release(&c->out);
    close(c->fd);
    free(c);
}

/* Writes what is queued; when the queue empties, lets http.c queue more
 * (the next body chunk) or finish the response.  Bounded per call so that
 * one big download cannot monopolize the loop. */
static void conn_send(struct conn *c) {
    for (int round = 0; round < 16 && c->state == CONN_SENDING; round++) {
        struct buffer *b = &c->out;
        while (b->pos < b->len) {
            ssize_t n = send(c->fd, b->data + b->pos, b->len - b->pos, MSG_NOSIGNAL);
            if (n > 0) {
                b->pos += (size_t)n;
                c->last_active_ms = mstime();
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                return; /* continued on POLLOUT */
            } else {
                c->state = CONN_CLOSING;
                return;
            }
        }
        b->pos = b->len = 0;
        http_on_drained(c);
    }
}

static void conn_read(struct conn *c) {
    struct buffer *b = &c->rbuf;
    ssize_t n;

    buf_reserve(b, HTTP_READ_CHUNK);
    do {
        n = read(c->fd, b->data + b->len, b->cap - b->len);
    } while (n < 0 && errno == EINTR);

    if (n > 0) {
        b->len += (size_t)n;
        c->last_active_ms = mstime();
        http_on_input(c);
        conn_send(c);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        c->state = CONN_CLOSING; /* peer closed, or a reset */
    }
}

static void add_client(struct conn *c) {
    if (server.nclients == server.clients_cap) {
        int ncap = server.clients_cap ? server.clients_cap * 2 : 64;
        server.clients = xrealloc(server.clients, (size_t)ncap * sizeof *server.clients);
        server.clients_cap = ncap;
    }
    server.clients[server.nclients++] = c;
}

static void accept_clients(void) {
    for (int i = 0; i < 256; i++) {
        int fd = accept(server.listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                http_log("accept: %s; pausing accepts for 100 ms", strerror(errno));
                server.accept_paused_until_ms = mstime() + 100;
                return;
            }
            http_log("accept: %s", strerror(errno));
            return;
        }
        if (server.nclients >= config.max_clients) {
            static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
                                       "Content-Length: 0\r\nConnection: close\r\n\r\n";
            ssize_t ignored = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)ignored;
            close(fd);
            continue;
        }
        if (set_nonblocking(fd) < 0) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        add_client(conn_create(fd));
    }
}

/* Frees closing connections and those idle for too long. */
static void sweep_clients(void) {
    long long now = mstime();
    int i = 0;
    while (i < server.nclients) {
        struct conn *c = server.clients[i];
        if (c->state != CONN_CLOSING && now - c->last_active_ms > HTTP_IDLE_TIMEOUT_MS)
            c->state = CONN_CLOSING;
        if (c->state == CONN_CLOSING) {
            conn_free(c);
            server.clients[i] = server.clients[--server.nclients];
        } else {
            i++;
        }
    }
}

/* ---- listening socket ---------------------------------------------------- */

static int listen_on(int port) {
    struct sockaddr_in sa;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        http_log("socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        http_log("bind 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, 511) < 0 || set_nonblocking(fd) < 0) {
        http_log("listen: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- event loop ---------------------------------------------------------- */

static void build_pollset(void) {
    int need = server.nclients + 1;
    if (need > server.pfds_cap) {
        int ncap = server.pfds_cap ? server.pfds_cap : 64;
        while (ncap < need)
            ncap *= 2;
        server.pfds = xrealloc(server.pfds, (size_t)ncap * sizeof *server.pfds);
        server.pfds_cap = ncap;
    }
    server.pfds[0].fd = server.listen_fd;
    server.pfds[0].events = mstime() >= server.accept_paused_until_ms ? POLLIN : 0;
    server.pfds[0].revents = 0;
    for (int i = 0; i < server.nclients; i++) {
        struct conn *c = server.clients[i];
        server.pfds[1 + i].fd = c->fd;
        server.pfds[1 + i].events = c->state == CONN_READING ? POLLIN : POLLOUT;
        server.pfds[1 + i].revents = 0;
    }
}

static void event_loop(void) {
    while (!shutdown_requested) {
        graft_update_point();

        build_pollset();
        int nfds = server.nclients + 1;
        int n = poll(server.pfds, (nfds_t)nfds, HTTP_POLL_TIMEOUT_MS);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            http_log("poll: %s", strerror(errno));
            break;
        }
        /* clients[i] still matches pfds[1 + i]: nothing is added or
         * removed until sweep_clients() and accept_clients() below. */
        for (int i = 0; i < nfds - 1; i++) {
            struct conn *c = server.clients[i];
            short re = server.pfds[1 + i].revents;
            if (re == 0)
                continue;
            if (re & POLLNVAL) {
                c->state = CONN_CLOSING;
            } else if (c->state == CONN_READING && (re & (POLLIN | POLLHUP | POLLERR))) {
                conn_read(c);
            } else if (c->state == CONN_SENDING && (re & (POLLOUT | POLLHUP | POLLERR))) {
                conn_send(c);
            }
        }
        sweep_clients();
        if (server.pfds[0].revents & POLLIN)
            accept_clients();
    }
}

/* ---- start-up ------------------------------------------------------------ */

static void usage(FILE *out) {
    fprintf(out,
            "Usage: httpd --root DIR [--port N] [--maxclients N]\n"
            "A small HTTP/1.1 static file server on 127.0.0.1 (GET and HEAD, keep-alive).\n"
            "\n"
            "  --root DIR      directory to serve (required)\n"
            "  --port N        TCP port to listen on (default %d)\n"
            "  --maxclients N  maximum simultaneous connections (default %d)\n"
            "  --help          show this help\n",
            HTTP_DEFAULT_PORT, HTTP_DEFAULT_MAX_CLIENTS);
}

static int parse_int_arg(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

int main(int argc, char **argv) {
    const char *root = NULL;
    long v;

    config.port = HTTP_DEFAULT_PORT;
    config.max_clients = HTTP_DEFAULT_MAX_CLIENTS;
    server.listen_fd = -1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            root = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            if (!parse_int_arg(argv[++i], 1, 65535, &v)) {
                fprintf(stderr, "httpd: invalid port '%s'\n", argv[i]);
                return 2;
            }
            config.port = (int)v;
        } else if (strcmp(argv[i], "--maxclients") == 0 && i + 1 < argc) {
            if (!parse_int_arg(argv[++i], 1, 1000000, &v)) {
                fprintf(stderr, "httpd: invalid maxclients '%s'\n", argv[i]);
                return 2;
            }
            config.max_clients = (int)v;
        } else {
            fprintf(stderr, "httpd: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (root == NULL) {
        fprintf(stderr, "httpd: --root DIR is required\n");
        usage(stderr);
        return 2;
    }
    char resolved[PATH_MAX];
    struct stat st;
    if (realpath(root, resolved) == NULL || stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "httpd: --root %s: not a directory\n", root);
        return 2;
    }
    if (strlen(resolved) >= sizeof config.root) {
        fprintf(stderr, "httpd: --root path too long\n");
        return 2;
    }
    strcpy(config.root, resolved);
    if (strcmp(config.root, "/") == 0)
        config.root[0] = '\0'; /* paths are root + "/..." */

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)config.max_clients * 2 + 32 > rl.rlim_cur) {
        /* each connection may hold a socket and an open file */
        int fit = rl.rlim_cur > 96 ? ((int)rl.rlim_cur - 32) / 2 : 32;
        http_log("maxclients %d lowered to %d (open file limit %llu)", config.max_clients, fit,
                 (unsigned long long)rl.rlim_cur);
        config.max_clients = fit;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = handle_shutdown_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    server.listen_fd = listen_on(config.port);
    if (server.listen_fd < 0)
        return 1;
    http_log("httpd %s serving %s on http://127.0.0.1:%d/ (maxclients %d)", HTTPD_VERSION,
             config.root[0] ? config.root : "/", config.port, config.max_clients);

    event_loop();

    http_log("shutting down (%d connections)", server.nclients);
    for (int i = 0; i < server.nclients; i++)
        conn_free(server.clients[i]);
    server.nclients = 0;
    free(server.clients);
    free(server.pfds);
    close(server.listen_fd);
    return 0;
}
