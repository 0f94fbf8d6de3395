/* http.c — HTTP/1.1 requests and responses for one connection.
 *
 * A connection reads a request head (request line + headers, up to
 * HTTP_MAX_HEAD bytes), answers it, and — with keep-alive — goes back to
 * reading.  Requests that arrive pipelined behind the current one wait in
 * rbuf until its response is fully written.  Request bodies are not
 * supported: a request that announces one is answered, then the connection
 * is closed (so the body is never mistaken for the next request). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"

/* What the server needs to know of one parsed request head. */
struct request {
    char method[16];
    char target[HTTP_MAX_PATH];
    int minor_version;       /* HTTP/1.<minor> */
    int conn_close;          /* "Connection: close" */
    int conn_keep_alive;     /* "Connection: keep-alive" */
    int has_host;
    int has_body;            /* Content-Length > 0 or Transfer-Encoding */
};

static const char *status_text(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 500: return "Internal Server Error";
    default: return "Unknown";
    }
}

static void http_date(char *buf, size_t len, time_t t) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* The status line and the headers every response carries; the caller adds
 * its own headers and then end_head(). */
static void write_head(struct conn *c, int status, const char *content_type, long long length) {
    char date[64];
    stats_count_response(status);
    http_date(date, sizeof date, time(NULL));
    buf_appendf(&c->out,
                "HTTP/1.1 %d %s\r\n"
                "Server: " HTTPD_SERVER_NAME "\r\n"
                "Date: %s\r\n"
                "Content-Type: %s\r\n"
                "Content-Length: %lld\r\n"
                "Connection: %s\r\n"
                "X-Request-Count: %ld\r\n",
                status, status_text(status), date, content_type, length,
                c->keep_alive ? "keep-alive" : "close", c->request_count);
}

static void end_head(struct conn *c) {
    buf_append(&c->out, "\r\n", 2);
}

static void respond_error(struct conn *c, int status, int head_only) {
    char body[128];
    int n = snprintf(body, sizeof body, "<html><body><h1>%d %s</h1></body></html>\n", status,
                     status_text(status));
    if (status == 400)
        c->keep_alive = 0; /* we may have lost track of where requests start */
    write_head(c, status, "text/html; charset=utf-8", n);
    if (status == 405)
        buf_append(&c->out, "Allow: GET, HEAD\r\n", 18);
    end_head(c);
    if (!head_only)
        buf_append(&c->out, body, (size_t)n);
}

static void respond_file(struct conn *c, const char *path, int head_only) {
    struct stat st;
    /* O_NONBLOCK: opening a FIFO someone left in the root must not hang. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        respond_error(c, errno == ENOENT || errno == ENOTDIR || errno == EACCES ||
                                 errno == ELOOP || errno == ENAMETOOLONG
                             ? 404
                             : 500,
                      head_only);
        return;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        respond_error(c, 404, head_only);
        return;
    }
    char modified[64];
    http_date(modified, sizeof modified, st.st_mtime);
    write_head(c, 200, mime_type(path), (long long)st.st_size);
    buf_appendf(&c->out, "Last-Modified: %s\r\n", modified);
    end_head(c);
    if (head_only || st.st_size == 0) {
        close(fd);
        return;
    }
    c->body_fd = fd;
    c->body_left = (long long)st.st_size;
}

/* The built-in /stats page. */
static void respond_stats(struct conn *c, int head_only) {
    struct buffer page = { NULL, 0, 0, 0 };
    stats_render(&page);
    write_head(c, 200, "text/plain; charset=utf-8", (long long)page.len);
    buf_append(&c->out, "Cache-Control: no-store\r\n", 25);
    end_head(c);
    if (!head_only)
        buf_append(&c->out, page.data, page.len);
    buf_release(&page);
}

/* Parses the head in rbuf[pos .. pos+head_len).  0, or an HTTP status. */
static int parse_head(const char *head, size_t len, struct request *req) {
    const char *end = head + len;
    const char *p = head;
    const char *eol;

    memset(req, 0, sizeof *req);

    /* request line: METHOD SP target SP HTTP/1.x */
    eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == NULL)
        return 400;
    const char *line_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
    const char *sp1 = memchr(p, ' ', (size_t)(line_end - p));
    if (sp1 == NULL || sp1 == p || (size_t)(sp1 - p) >= sizeof req->method)
        return 400;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
    if (sp2 == NULL || sp2 == sp1 + 1 || (size_t)(sp2 - sp1 - 1) >= sizeof req->target)
        return 400;
    memcpy(req->method, p, (size_t)(sp1 - p));
    memcpy(req->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    for (const char *q = req->method; *q; q++)
        if (*q < 'A' || *q > 'Z')
            return 400;
    for (const char *q = req->target; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f)
            return 400;
    size_t vlen = (size_t)(line_end - sp2 - 1);
    if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || (sp2[8] != '0' && sp2[8] != '1'))
        return 400;
    req->minor_version = sp2[8] - '0';

    /* headers: Name: value */
    p = eol + 1;
    while (p < end) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            break;
        line_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
        if (line_end == p)
            break; /* the empty line ending the head */
        const char *colon = memchr(p, ':', (size_t)(line_end - p));
        if (colon == NULL || colon == p)
            return 400;
        for (const char *q = p; q < colon; q++)
            if (*q == ' ' || *q == '\t')
                return 400; /* no whitespace before the colon (RFC 9112) */
        size_t nlen = (size_t)(colon - p);
        const char *v = colon + 1;
        while (v < line_end && (*v == ' ' || *v == '\t'))
            v++;
        const char *vend = line_end;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
            vend--;
        size_t value_len = (size_t)(vend - v);

        if (nlen == 4 && strncasecmp(p, "Host", 4) == 0) {
            req->has_host = 1;
        } else if (nlen == 10 && strncasecmp(p, "Connection", 10) == 0) {
            /* a comma-separated list of tokens */
            const char *t = v;
            while (t < vend) {
                while (t < vend && (*t == ' ' || *t == ',' || *t == '\t'))
                    t++;
                const char *te = t;
                while (te < vend && *te != ',' && *te != ' ' && *te != '\t')
                    te++;
                if (te - t == 5 && strncasecmp(t, "close", 5) == 0)
                    req->conn_close = 1;
                else if (te - t == 10 && strncasecmp(t, "keep-alive", 10) == 0)
                    req->conn_keep_alive = 1;
                t = te;
            }
        } else if (nlen == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
            if (value_len == 0 || value_len > 18)
                return 400;
            for (size_t i = 0; i < value_len; i++)
                if (v[i] < '0' || v[i] > '9')
                    return 400;
            if (!(value_len == 1 && v[0] == '0'))
                req->has_body = 1;
        } else if (nlen == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
            req->has_body = 1;
        }
        p = eol + 1;
    }
    if (req->minor_version == 1 && !req->has_host)
        return 400;
    return 0;
}

/* Finds the end of a request head in rbuf: the length up to and including
 * the blank line, or 0 if it has not all arrived. */
static size_t find_head_end(const struct buffer *b) {
    const char *start = b->data + b->pos;
    size_t avail = b->len - b->pos;
    for (size_t i = 0; i < avail; i++) {
        if (start[i] != '\n')
            continue;
        if (i + 1 < avail && start[i + 1] == '\n')
            return i + 2;
        if (i + 2 < avail && start[i + 1] == '\r' && start[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static void handle_request(struct conn *c, const char *head, size_t len) {
    struct request req;
    char path[HTTP_MAX_PATH + 64];
    int status = parse_head(head, len, &req);

    c->request_count++;
    stats.requests_total++;
    c->state = CONN_SENDING;
    c->keep_alive = 0;
    if (status != 0) {
        respond_error(c, status, 0);
        return;
    }
    if (req.minor_version == 1)
        c->keep_alive = !req.conn_close;
    else
        c->keep_alive = req.conn_keep_alive && !req.conn_close;
    if (req.has_body)
        c->keep_alive = 0;

    int head_only = strcmp(req.method, "HEAD") == 0;
    if (!head_only && strcmp(req.method, "GET") != 0) {
        respond_error(c, 405, 0);
        return;
    }
    switch (resolve_path(config.root, req.target, path, sizeof path, &status)) {
    case ROUTE_STATS:
        respond_stats(c, head_only);
        break;
    case ROUTE_FILE:
        respond_file(c, path, head_only);
        break;
    case ROUTE_ERROR:
    default:
        respond_error(c, status, head_only);
        break;
    }
}

void http_on_input(struct conn *c) {
    struct buffer *b = &c->rbuf;

    if (c->state != CONN_READING)
        return;
    /* Tolerate blank lines before a request (RFC 9112, 2.2). */
    while (b->pos < b->len && (b->data[b->pos] == '\r' || b->data[b->pos] == '\n'))
        buf_consume(b, 1);
    size_t n = find_head_end(b);
    if (n == 0 && b->len - b->pos <= HTTP_MAX_HEAD)
        return; /* wait for the rest of the head */
    if (n == 0 || n > HTTP_MAX_HEAD) {
        c->request_count++;
        stats.requests_total++;
        c->state = CONN_SENDING;
        c->keep_alive = 0;
        respond_error(c, 400, 0); /* head too large */
        return;
    }
    c->head_len = n;
    handle_request(c, b->data + b->pos, n);
}

void http_conn_reset_body(struct conn *c) {
    if (c->body_fd >= 0)
        close(c->body_fd);
    c->body_fd = -1;
    c->body_left = 0;
}

void http_on_drained(struct conn *c) {
    if (c->state != CONN_SENDING)
        return;
    if (c->body_left > 0) {
        size_t want = c->body_left < HTTP_FILE_CHUNK ? (size_t)c->body_left : HTTP_FILE_CHUNK;
        buf_reserve(&c->out, want);
        ssize_t n;
        do {
            n = read(c->body_fd, c->out.data + c->out.len, want);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            /* The file shrank or failed under us: the promised length
             * cannot be met, so the connection must end. */
            http_log("conn %lld: file read %s", c->id, n == 0 ? "hit EOF early" : strerror(errno));
            http_conn_reset_body(c);
            c->state = CONN_CLOSING;
            return;
        }
        c->out.len += (size_t)n;
        c->body_left -= n;
        if (c->body_left == 0)
            http_conn_reset_body(c);
        return;
    }
    /* The response is complete. */
    http_conn_reset_body(c);
    if (!c->keep_alive) {
        c->state = CONN_CLOSING;
        return;
    }
    buf_consume(&c->rbuf, c->head_len);
    c->head_len = 0;
    c->state = CONN_READING;
    http_on_input(c); /* a pipelined request may be waiting */
}
