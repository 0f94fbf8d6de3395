/* httpd — a small HTTP/1.1 static file server: one process, one thread,
 * poll(), keep-alive connections.
 *
 *   main.c   event loop, listening socket, connections, timeouts, signals
 *   http.c   request parsing and responses (the per-connection protocol)
 *   files.c  mapping a request target to a file under the root, MIME types
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stddef.h>
#include <sys/types.h>

#define HTTPD_VERSION "2"
#define HTTPD_SERVER_NAME "graft-httpd/" HTTPD_VERSION

#define HTTP_DEFAULT_PORT        8080
#define HTTP_DEFAULT_MAX_CLIENTS 1024
#define HTTP_MAX_HEAD            (8 * 1024)  /* request line + headers */
#define HTTP_MAX_PATH            4096
#define HTTP_READ_CHUNK          (16 * 1024)
#define HTTP_FILE_CHUNK          (64 * 1024) /* body bytes read from a file at a time */
#define HTTP_IDLE_TIMEOUT_MS     15000       /* keep-alive and slow request heads */
#define HTTP_POLL_TIMEOUT_MS     1000

/* ---- buffers and utilities (main.c) -------------------------------------- */

/* data[pos .. len) is the live part. */
struct buffer {
    char *data;
    size_t pos;
    size_t len;
    size_t cap;
};

void buf_reserve(struct buffer *b, size_t extra);
void buf_append(struct buffer *b, const char *p, size_t n);
void buf_appendf(struct buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_consume(struct buffer *b, size_t n);
void buf_release(struct buffer *b);

void http_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
long long mstime(void);

/* ---- connections ----------------------------------------------------------- */

enum conn_state {
    CONN_READING,  /* collecting a request head */
    CONN_SENDING,  /* writing a response: head and body */
    CONN_CLOSING,  /* to be closed at the end of this loop iteration */
};

struct conn {
    int fd;
    enum conn_state state;
    long long id;
    long long last_active_ms; /* for the idle timeout */
    int keep_alive;           /* keep the connection after this response */
    long request_count;       /* requests received on this connection */
    size_t head_len;          /* bytes of rbuf taken by the current request */
    struct buffer rbuf;       /* request bytes not yet handled */
    struct buffer out;        /* response bytes not yet written */
    int body_fd;              /* file the body comes from, or -1 */
    long long body_left;      /* body bytes still to read from body_fd */
};

/* ---- server configuration (main.c) ------------------------------------------ */

struct config {
    int port;
    int max_clients;
    char root[HTTP_MAX_PATH]; /* document root, no trailing slash */
};

extern struct config config;

/* ---- protocol (http.c) ---------------------------------------------------- */

/* Called when new bytes are in c->rbuf (state CONN_READING): handles a
 * complete request head, if there is one, by queueing the response. */
void http_on_input(struct conn *c);
/* Called when c->out has drained (state CONN_SENDING): queues more of the
 * body, or finishes the response (and starts the next pipelined request). */
void http_on_drained(struct conn *c);
void http_conn_reset_body(struct conn *c);

/* ---- files (files.c) ------------------------------------------------------- */

/* Maps a request target ("/a/b%20c.html?x") to a file path under root.
 * 0 on success with the path in out, else the HTTP status to answer with
 * (400 for a malformed target, 404 for one that would leave the root). */
int resolve_path(const char *root, const char *target, char *out, size_t outlen);
const char *mime_type(const char *path);

#endif
