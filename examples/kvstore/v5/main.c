/* main.c — kvstore's event loop: one process, one thread, poll().
 *
 * Every client is a struct conn with a read and a write buffer.  Each loop
 * iteration polls the listening socket and all clients, reads what is
 * available, runs every complete request in the read buffer (pipelining),
 * and writes the replies as far as the socket takes them.  A client whose
 * unsent replies pile up is not read from until they drain. */
#include <errno.h>
#include <fcntl.h>
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
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if __has_include("graft.h")
#include "graft.h"
#else
#define graft_update_point() ((void)0)
#endif

#include "kvstore.h"

struct server {
    int port;
    int listen_fd;
    int max_clients;
    struct conn **clients;   /* nclients live connections, unordered */
    int nclients;
    int clients_cap;
    struct pollfd *pfds;     /* rebuilt every iteration: [0] listener, [1+i] clients[i] */
    int pfds_cap;
    long long next_conn_id;
    long long accept_paused_until_ms; /* after EMFILE: stop accepting briefly */
    long long start_ms;
};

static struct server server;

static volatile sig_atomic_t shutdown_requested;

/* ---- utilities ----------------------------------------------------------- */

static long long mstime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall-clock time, for key expiry. */
long long unix_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kv_log(const char *fmt, ...) {
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;

    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%d %b %Y %H:%M:%S", &tm);
    fprintf(stderr, "%d:M %s * ", (int)getpid(), when);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void kv_oom(size_t n) {
    fprintf(stderr, "kvstore: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        kv_oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        kv_oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        kv_oom(n);
    return q;
}

char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
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
    c->id = ++server.next_conn_id;
    c->req_type = REQ_NONE;
    c->multibulk_len = -1;
    c->bulk_len = -1;
    return c;
}

static void conn_free(struct conn *c) {
    resp_reset_request(c);
    free(c->argv);
    free(c->argv_len);
    buf_release(&c->rbuf);
    buf_release(&c->wbuf);
    close(c->fd);
    free(c);
}

static size_t conn_pending(const struct conn *c) {
    return c->wbuf.len - c->wbuf.pos;
}

/* Writes as much of wbuf as the socket takes.  Marks the connection to be
 * closed on a write error, or once everything is sent if it asked to. */
static void conn_flush(struct conn *c) {
    struct buffer *b = &c->wbuf;

    while (b->pos < b->len) {
        ssize_t n = send(c->fd, b->data + b->pos, b->len - b->pos, MSG_NOSIGNAL);
        if (n > 0) {
            b->pos += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            c->flags |= CONN_CLOSE_NOW; /* EPIPE, ECONNRESET, ... */
            return;
        }
    }
    if (b->pos == b->len) {
        b->pos = b->len = 0;
        if (b->cap > 64 * 1024)
            buf_release(b); /* do not keep a big idle buffer */
        if (c->flags & CONN_CLOSE_AFTER_REPLY)
            c->flags |= CONN_CLOSE_NOW;
    } else if ((long long)conn_pending(c) > KV_WBUF_HARD_LIMIT) {
        kv_log("client %lld: output buffer over the limit, closing", c->id);
        c->flags |= CONN_CLOSE_NOW;
    }
}

/* Runs the complete requests in rbuf.  Returns 1 if it stopped because
 * too many replies are unsent (requests may remain), 0 otherwise. */
static int conn_process_input(struct conn *c) {
    int blocked = 0;
    while (!(c->flags & (CONN_CLOSE_AFTER_REPLY | CONN_CLOSE_NOW))) {
        if (conn_pending(c) > KV_WBUF_HIGH_WATER) {
            blocked = 1;
            break;
        }
        int r = resp_parse_request(c);
        if (r <= 0)
            break;
        execute_command(c);
        resp_reset_request(c);
    }
    if (c->flags & (CONN_CLOSE_AFTER_REPLY | CONN_CLOSE_NOW))
        c->rbuf.pos = c->rbuf.len;
    buf_compact(&c->rbuf);
    if (c->rbuf.len == 0 && c->rbuf.cap > 64 * 1024)
        buf_release(&c->rbuf);
    return blocked;
}

/* Runs requests and writes replies until the input is exhausted or the
 * socket stops taking data.  Terminates: each round with an empty output
 * buffer consumes at least one request. */
static void conn_service(struct conn *c) {
    for (;;) {
        int blocked = conn_process_input(c);
        conn_flush(c);
        if (c->flags & CONN_CLOSE_NOW)
            return;
        if (conn_pending(c) > 0)
            return; /* continued on POLLOUT */
        if (!blocked)
            break;
    }
    /* Everything answered: a peer that has shut down its side is done
     * (a trailing incomplete request can never complete). */
    if (c->flags & CONN_READ_EOF)
        c->flags |= CONN_CLOSE_NOW;
}

static void conn_read(struct conn *c) {
    struct buffer *b = &c->rbuf;
    ssize_t n;

    buf_reserve(b, KV_READ_CHUNK);
    do {
        n = read(c->fd, b->data + b->len, b->cap - b->len);
    } while (n < 0 && errno == EINTR);

    if (n > 0) {
        b->len += (size_t)n;
        conn_service(c);
    } else if (n == 0) {
        /* The peer closed (or half-closed) its side: answer what is
         * already complete, then close. */
        c->flags |= CONN_READ_EOF;
        conn_service(c);
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        c->flags |= CONN_CLOSE_NOW;
    }
}

static void conn_write_ready(struct conn *c) {
    conn_flush(c);
    /* Requests held back by a full output buffer can run again now. */
    if (!(c->flags & CONN_CLOSE_NOW) && conn_pending(c) == 0)
        conn_service(c);
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
    /* Bounded, so a flood of connections cannot starve the clients. */
    for (int i = 0; i < 1000; i++) {
        int fd = accept(server.listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                kv_log("accept: %s; pausing accepts for 100 ms", strerror(errno));
                server.accept_paused_until_ms = mstime() + 100;
                return;
            }
            kv_log("accept: %s", strerror(errno));
            return;
        }
        if (server.nclients >= server.max_clients) {
            static const char msg[] = "-ERR max number of clients reached\r\n";
            ssize_t ignored = send(fd, msg, sizeof msg - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
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
        stats.connections_received++;
    }
}

/* Frees the connections marked CONN_CLOSE_NOW. */
static void sweep_clients(void) {
    int i = 0;
    while (i < server.nclients) {
        struct conn *c = server.clients[i];
        if (c->flags & CONN_CLOSE_NOW) {
            conn_free(c);
            server.clients[i] = server.clients[--server.nclients];
        } else {
            i++;
        }
    }
}

/* ---- facts for INFO ------------------------------------------------------ */

int server_connected_clients(void) {
    return server.nclients;
}

int server_port(void) {
    return server.port;
}

long long server_uptime_ms(void) {
    return mstime() - server.start_ms;
}

/* A server that reached v4 by a live update (the v3 -> v4 patch's state
 * transformer calls this, see v4/transformers.c) counts its uptime from
 * then: v3 did not record when it started. */
void server_mark_start(void) {
    if (server.start_ms == 0)
        server.start_ms = mstime();
}

/* ---- listening socket ---------------------------------------------------- */

static int listen_on(int port) {
    struct sockaddr_in sa;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        kv_log("socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        kv_log("bind 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, 511) < 0 || set_nonblocking(fd) < 0) {
        kv_log("listen: %s", strerror(errno));
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
        short ev = 0;
        if (!(c->flags & (CONN_CLOSE_AFTER_REPLY | CONN_READ_EOF)) &&
            conn_pending(c) <= KV_WBUF_HIGH_WATER)
            ev |= POLLIN;
        if (conn_pending(c) > 0)
            ev |= POLLOUT;
        server.pfds[1 + i].fd = c->fd;
        server.pfds[1 + i].events = ev;
        server.pfds[1 + i].revents = 0;
    }
}

static void event_loop(void) {
    while (!shutdown_requested) {
        graft_update_point();

        build_pollset();
        int nfds = server.nclients + 1;
        /* While the key space is rehashing, wake up soon to continue. */
        int timeout = db_is_rehashing(&db) ? 1 : KV_POLL_TIMEOUT_MS;
        int n = poll(server.pfds, (nfds_t)nfds, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            kv_log("poll: %s", strerror(errno));
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
                c->flags |= CONN_CLOSE_NOW;
                continue;
            }
            if (re & (POLLIN | POLLHUP | POLLERR))
                conn_read(c);
            if (!(c->flags & CONN_CLOSE_NOW) && (re & POLLOUT))
                conn_write_ready(c);
        }
        sweep_clients();
        if (server.pfds[0].revents & POLLIN)
            accept_clients();
        /* Finish growing the key space in the background, 1 ms at a time. */
        if (db_is_rehashing(&db))
            db_rehash_ms(&db, 1);
    }
}

/* ---- start-up ------------------------------------------------------------ */

static void usage(FILE *out) {
    fprintf(out,
            "Usage: kvstore [--port N] [--maxclients N]\n"
            "A small key-value server speaking the Redis protocol (RESP2) on 127.0.0.1.\n"
            "\n"
            "  --port N        TCP port to listen on (default %d)\n"
            "  --maxclients N  maximum simultaneous clients (default %d)\n"
            "  --help          show this help\n"
            "\n"
            "Commands: PING ECHO SET GET MSET MGET APPEND DEL EXISTS INCR EXPIRE TTL PERSIST\n"
            "          INFO COMMAND CONFIG SELECT QUIT\n",
            KV_DEFAULT_PORT, KV_DEFAULT_MAX_CLIENTS);
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
    long v;

    server.port = KV_DEFAULT_PORT;
    server.max_clients = KV_DEFAULT_MAX_CLIENTS;
    server.listen_fd = -1;
    server.start_ms = mstime();

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            if (!parse_int_arg(argv[++i], 1, 65535, &v)) {
                fprintf(stderr, "kvstore: invalid port '%s'\n", argv[i]);
                return 2;
            }
            server.port = (int)v;
        } else if (strcmp(argv[i], "--maxclients") == 0 && i + 1 < argc) {
            if (!parse_int_arg(argv[++i], 1, 1000000, &v)) {
                fprintf(stderr, "kvstore: invalid maxclients '%s'\n", argv[i]);
                return 2;
            }
            server.max_clients = (int)v;
        } else {
            fprintf(stderr, "kvstore: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    /* Keep room for the listener, stdio and a few spare descriptors. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)server.max_clients + 32 > rl.rlim_cur) {
        int fit = rl.rlim_cur > 64 ? (int)rl.rlim_cur - 32 : 32;
        kv_log("maxclients %d lowered to %d (open file limit %llu)", server.max_clients, fit,
               (unsigned long long)rl.rlim_cur);
        server.max_clients = fit;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = handle_shutdown_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    db_init(&db);
    server.listen_fd = listen_on(server.port);
    if (server.listen_fd < 0)
        return 1;
    kv_log("kvstore %s ready on 127.0.0.1:%d (pid %d, maxclients %d)", KV_VERSION, server.port,
           (int)getpid(), server.max_clients);

    event_loop();

    kv_log("shutting down (%d clients, %lu keys)", server.nclients, db_size(&db));
    for (int i = 0; i < server.nclients; i++)
        conn_free(server.clients[i]);
    server.nclients = 0;
    free(server.clients);
    free(server.pfds);
    close(server.listen_fd);
    db_free(&db);
    return 0;
}
