/* resp.c — byte buffers, the RESP2 request parser and the reply writers.
 *
 * Requests are either RESP arrays of bulk strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
 * or inline commands ("GET k\r\n").  The parser is incremental: a request
 * may arrive split over many reads, and one read may carry many requests
 * (pipelining).  Its state lives in struct conn. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvstore.h"

/* ---- buffers ------------------------------------------------------------- */

void buf_reserve(struct buffer *b, size_t extra) {
    if (b->cap - b->len >= extra)
        return;
    size_t need = b->len + extra;
    size_t ncap = b->cap ? b->cap : 1024;
    if (need > 16 * 1024 * 1024) {
        ncap = need; /* large: exact size, no doubling */
    } else {
        while (ncap < need)
            ncap *= 2;
    }
    b->data = xrealloc(b->data, ncap);
    b->cap = ncap;
}

void buf_append(struct buffer *b, const char *p, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* Drops the consumed prefix data[0 .. pos). */
void buf_compact(struct buffer *b) {
    if (b->pos == 0)
        return;
    if (b->pos < b->len)
        memmove(b->data, b->data + b->pos, b->len - b->pos);
    b->len -= b->pos;
    b->pos = 0;
}

void buf_release(struct buffer *b) {
    free(b->data);
    b->data = NULL;
    b->pos = b->len = b->cap = 0;
}

/* ---- numbers ------------------------------------------------------------- */

/* Strict decimal parse, as Redis's string2ll: optional '-', no '+', no
 * spaces, no leading zeros, must fit in a long long.  1 on success. */
int parse_ll(const char *s, size_t len, long long *out) {
    const char *p = s;
    size_t left = len;
    int negative = 0;
    unsigned long long v;

    if (left == 0 || left > 20)
        return 0;
    if (left == 1 && p[0] == '0') {
        *out = 0;
        return 1;
    }
    if (p[0] == '-') {
        negative = 1;
        p++;
        left--;
        if (left == 0)
            return 0;
    }
    if (p[0] < '1' || p[0] > '9')
        return 0;
    v = (unsigned long long)(p[0] - '0');
    p++;
    left--;
    while (left > 0) {
        if (*p < '0' || *p > '9')
            return 0;
        if (v > (ULLONG_MAX / 10))
            return 0;
        v *= 10;
        if (v > ULLONG_MAX - (unsigned long long)(*p - '0'))
            return 0;
        v += (unsigned long long)(*p - '0');
        p++;
        left--;
    }
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return 0;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return 0;
        *out = (long long)v;
    }
    return 1;
}

/* ---- replies ------------------------------------------------------------- */

void reply_raw(struct conn *c, const char *p, size_t n) {
    if (c->flags & CONN_CLOSE_NOW)
        return;
    buf_append(&c->wbuf, p, n);
}

void reply_status(struct conn *c, const char *s) {
    reply_raw(c, "+", 1);
    reply_raw(c, s, strlen(s));
    reply_raw(c, "\r\n", 2);
}

/* reply_error(c, "ERR unknown command '%s'", name): the text must not
 * contain CR or LF, so any that come from client input become spaces. */
void reply_error(struct conn *c, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof msg)
        n = sizeof msg - 1;
    for (int i = 0; i < n; i++)
        if (msg[i] == '\r' || msg[i] == '\n')
            msg[i] = ' ';
    reply_raw(c, "-", 1);
    reply_raw(c, msg, (size_t)n);
    reply_raw(c, "\r\n", 2);
}

void reply_bulk(struct conn *c, const char *p, size_t n) {
    char hdr[32];
    int h = snprintf(hdr, sizeof hdr, "$%zu\r\n", n);
    reply_raw(c, hdr, (size_t)h);
    reply_raw(c, p, n);
    reply_raw(c, "\r\n", 2);
}

void reply_null(struct conn *c) {
    reply_raw(c, "$-1\r\n", 5);
}

void reply_integer(struct conn *c, long long v) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, ":%lld\r\n", v);
    reply_raw(c, buf, (size_t)n);
}

void reply_array_len(struct conn *c, long n) {
    char buf[32];
    int h = snprintf(buf, sizeof buf, "*%ld\r\n", n);
    reply_raw(c, buf, (size_t)h);
}

/* ---- request parser ------------------------------------------------------ */

void resp_reset_request(struct conn *c) {
    for (int i = 0; i < c->argc; i++)
        free(c->argv[i]);
    c->argc = 0;
    c->req_type = REQ_NONE;
    c->multibulk_len = -1;
    c->bulk_len = -1;
    c->req_bytes = 0;
    /* Do not keep a huge argv array around after a huge request. */
    if (c->argv_cap > 1024) {
        free(c->argv);
        free(c->argv_len);
        c->argv = NULL;
        c->argv_len = NULL;
        c->argv_cap = 0;
    }
}

static int protocol_error(struct conn *c, const char *what) {
    reply_error(c, "ERR Protocol error: %s", what);
    c->flags |= CONN_CLOSE_AFTER_REPLY;
    c->rbuf.pos = c->rbuf.len; /* discard the rest of the input */
    return -1;
}

static void add_arg(struct conn *c, const char *p, size_t n) {
    if (c->argc == c->argv_cap) {
        int ncap = c->argv_cap ? c->argv_cap * 2 : 8;
        c->argv = xrealloc(c->argv, (size_t)ncap * sizeof *c->argv);
        c->argv_len = xrealloc(c->argv_len, (size_t)ncap * sizeof *c->argv_len);
        c->argv_cap = ncap;
    }
    char *s = xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    c->argv[c->argc] = s;
    c->argv_len[c->argc] = n;
    c->argc++;
}

static int hexval(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Splits an inline command line into arguments, like redis-cli would
 * quote them: bare words, "double quoted" with \n \r \t \\ \" \xHH escapes,
 * 'single quoted' with \'.  -1 on unbalanced quotes. */
static int split_inline(struct conn *c, const char *p, size_t len) {
    const char *end = p + len;
    char *tmp = xmalloc(len + 1);

    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end)
            break;
        size_t n = 0;
        int quote = 0; /* 0 none, 1 double, 2 single */
        int done = 0;
        while (!done) {
            if (quote == 1) {
                if (p >= end)
                    goto bad;
                if (p[0] == '\\' && end - p >= 4 && p[1] == 'x' &&
                    hexval((unsigned char)p[2]) >= 0 && hexval((unsigned char)p[3]) >= 0) {
                    tmp[n++] = (char)(hexval((unsigned char)p[2]) * 16 + hexval((unsigned char)p[3]));
                    p += 4;
                } else if (p[0] == '\\' && end - p >= 2) {
                    char e = p[1];
                    switch (e) {
                    case 'n': e = '\n'; break;
                    case 'r': e = '\r'; break;
                    case 't': e = '\t'; break;
                    case 'b': e = '\b'; break;
                    case 'a': e = '\a'; break;
                    default: break;
                    }
                    tmp[n++] = e;
                    p += 2;
                } else if (p[0] == '"') {
                    /* a closing quote must end the argument */
                    if (p + 1 < end && !isspace((unsigned char)p[1]))
                        goto bad;
                    p++;
                    done = 1;
                } else {
                    tmp[n++] = *p++;
                }
            } else if (quote == 2) {
                if (p >= end)
                    goto bad;
                if (p[0] == '\\' && end - p >= 2 && p[1] == '\'') {
                    tmp[n++] = '\'';
                    p += 2;
                } else if (p[0] == '\'') {
                    if (p + 1 < end && !isspace((unsigned char)p[1]))
                        goto bad;
                    p++;
                    done = 1;
                } else {
                    tmp[n++] = *p++;
                }
            } else {
                if (p >= end || isspace((unsigned char)*p))
                    done = 1;
                else if (*p == '"') {
                    quote = 1;
                    p++;
                } else if (*p == '\'') {
                    quote = 2;
                    p++;
                } else {
                    tmp[n++] = *p++;
                }
            }
        }
        add_arg(c, tmp, n);
    }
    free(tmp);
    return 0;
bad:
    free(tmp);
    return -1;
}

static int parse_inline(struct conn *c) {
    struct buffer *b = &c->rbuf;
    char *start = b->data + b->pos;
    size_t avail = b->len - b->pos;
    char *nl = memchr(start, '\n', avail);

    if (nl == NULL) {
        if (avail > KV_MAX_INLINE_LEN)
            return protocol_error(c, "too big inline request");
        return 0;
    }
    size_t linelen = (size_t)(nl - start);
    if (linelen > KV_MAX_INLINE_LEN)
        return protocol_error(c, "too big inline request");
    b->pos += linelen + 1;
    if (linelen > 0 && start[linelen - 1] == '\r')
        linelen--;
    if (split_inline(c, start, linelen) < 0)
        return protocol_error(c, "unbalanced quotes in request");
    return 1;
}

/* Reads a "<prefix><number>\r\n" line at rbuf.pos.  1 with *out set and the
 * line consumed, 0 when the line is not complete yet, -1 on error. */
static int read_number_line(struct conn *c, char prefix, long long *out,
                            const char *too_big, const char *invalid) {
    struct buffer *b = &c->rbuf;
    const char *start = b->data + b->pos;
    size_t avail = b->len - b->pos;

    if (avail == 0)
        return 0;
    if (start[0] != prefix) {
        char what[64];
        unsigned char ch = (unsigned char)start[0];
        if (isprint(ch))
            snprintf(what, sizeof what, "expected '%c', got '%c'", prefix, ch);
        else
            snprintf(what, sizeof what, "expected '%c', got byte 0x%02x", prefix, ch);
        return protocol_error(c, what);
    }
    const char *cr = memchr(start, '\r', avail);
    if (cr == NULL) {
        if (avail > KV_MAX_HEADER_LEN)
            return protocol_error(c, too_big);
        return 0;
    }
    if ((size_t)(cr - start) + 1 >= avail)
        return 0; /* the '\n' has not arrived yet */
    if (cr[1] != '\n')
        return protocol_error(c, invalid);
    if (!parse_ll(start + 1, (size_t)(cr - start - 1), out))
        return protocol_error(c, invalid);
    b->pos += (size_t)(cr - start) + 2;
    return 1;
}

static int parse_multibulk(struct conn *c) {
    struct buffer *b = &c->rbuf;
    long long n;
    int r;

    if (c->multibulk_len < 0) {
        r = read_number_line(c, '*', &n, "too big mbulk count string", "invalid multibulk length");
        if (r <= 0)
            return r;
        if (n > KV_MAX_MULTIBULK_LEN)
            return protocol_error(c, "invalid multibulk length");
        if (n <= 0) {
            c->multibulk_len = 0; /* "*0" or "*-1": an empty request */
            return 1;
        }
        c->multibulk_len = (long)n;
        c->bulk_len = -1;
    }
    while (c->argc < c->multibulk_len) {
        if (c->bulk_len < 0) {
            r = read_number_line(c, '$', &n, "too big bulk count string", "invalid bulk length");
            if (r <= 0)
                return r;
            if (n < 0 || n > KV_MAX_BULK_LEN)
                return protocol_error(c, "invalid bulk length");
            if (c->req_bytes + n > KV_MAX_REQUEST_BYTES)
                return protocol_error(c, "request too large");
            c->bulk_len = n;
        }
        size_t need = (size_t)c->bulk_len + 2;
        size_t avail = b->len - b->pos;
        if (avail < need) {
            /* A big argument: make room for all of it now, so the reads
             * land in place instead of growing the buffer step by step. */
            if (c->bulk_len >= KV_BIG_ARG) {
                buf_compact(b);
                buf_reserve(b, need - (b->len - b->pos));
            }
            return 0;
        }
        const char *arg = b->data + b->pos;
        if (arg[c->bulk_len] != '\r' || arg[c->bulk_len + 1] != '\n')
            return protocol_error(c, "expected CRLF after bulk data");
        add_arg(c, arg, (size_t)c->bulk_len);
        c->req_bytes += c->bulk_len;
        b->pos += need;
        c->bulk_len = -1;
    }
    return 1;
}

int resp_parse_request(struct conn *c) {
    struct buffer *b = &c->rbuf;
    for (;;) {
        if (c->req_type == REQ_NONE) {
            if (b->pos >= b->len)
                return 0;
            c->req_type = b->data[b->pos] == '*' ? REQ_MULTIBULK : REQ_INLINE;
        }
        int r = c->req_type == REQ_MULTIBULK ? parse_multibulk(c) : parse_inline(c);
        if (r != 1)
            return r;
        if (c->argc > 0)
            return 1;
        resp_reset_request(c); /* empty line or "*0": nothing to run */
    }
}
