/* kvstore — a small single-threaded key-value server speaking RESP2.
 *
 * Layout of the program:
 *   main.c      event loop (poll), listening socket, connections, signals
 *   resp.c      buffers, the request parser (RESP arrays + inline), replies
 *   db.c        the key space: a chained hash table of struct entry
 *   commands.c  the command table and the command implementations
 */
#ifndef KVSTORE_H
#define KVSTORE_H

#include <stddef.h>

#define KV_VERSION "4"

#define KV_DEFAULT_PORT        6379
#define KV_DEFAULT_MAX_CLIENTS 10000
#define KV_MAX_BULK_LEN        (512LL * 1024 * 1024) /* one bulk argument */
#define KV_MAX_INLINE_LEN      (1024 * 1024)         /* one inline command line */
#define KV_MAX_HEADER_LEN      (64 * 1024)           /* a '*N' or '$N' line */
#define KV_MAX_MULTIBULK_LEN   (1024 * 1024)         /* arguments per request */
#define KV_MAX_REQUEST_BYTES   (1024LL * 1024 * 1024) /* all arguments of one request */
#define KV_READ_CHUNK          (16 * 1024)
#define KV_BIG_ARG             (32 * 1024)  /* bulk size from which we read it in place */
#define KV_WBUF_HIGH_WATER     (1024 * 1024) /* stop reading while this much is unsent */
#define KV_WBUF_HARD_LIMIT     (1024LL * 1024 * 1024) /* drop the client beyond this */
#define KV_POLL_TIMEOUT_MS     1000

/* ---- buffers (resp.c) ---------------------------------------------------- */

/* A byte buffer: data[pos .. len) is the live part, data[len .. cap) free. */
struct buffer {
    char *data;
    size_t pos;
    size_t len;
    size_t cap;
};

void buf_reserve(struct buffer *b, size_t extra);
void buf_append(struct buffer *b, const char *p, size_t n);
void buf_compact(struct buffer *b);
void buf_release(struct buffer *b);

/* ---- connections (main.c) ------------------------------------------------ */

enum req_type { REQ_NONE = 0, REQ_MULTIBULK, REQ_INLINE };

#define CONN_CLOSE_AFTER_REPLY 0x1 /* flush the replies, then close */
#define CONN_CLOSE_NOW         0x2 /* close at the end of this loop iteration */
#define CONN_READ_EOF          0x4 /* the peer shut down its sending side */

struct conn {
    int fd;
    int flags;
    long long id;
    struct buffer rbuf;       /* bytes read, not yet parsed */
    struct buffer wbuf;       /* replies not yet written */
    /* request parser state: survives across reads (partial requests) */
    int req_type;             /* enum req_type */
    long multibulk_len;       /* -1 until the '*N' header is read */
    long long bulk_len;       /* -1 until the next '$N' header is read */
    long long req_bytes;      /* argument bytes of the current request */
    int argc;
    int argv_cap;
    char **argv;              /* malloc'd, each NUL-terminated */
    size_t *argv_len;         /* length of each argument (binary safe) */
};

long long unix_ms(void);
void kv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kv_oom(size_t n) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ---- protocol (resp.c) --------------------------------------------------- */

/* Returns 1 when c->argv holds a complete request, 0 when more input is
 * needed, -1 on a protocol error (the error reply is already queued and the
 * connection is marked to close after it). */
int resp_parse_request(struct conn *c);
void resp_reset_request(struct conn *c);
int parse_ll(const char *s, size_t len, long long *out);

void reply_raw(struct conn *c, const char *p, size_t n);
void reply_status(struct conn *c, const char *s);
void reply_error(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_bulk(struct conn *c, const char *p, size_t n);
void reply_null(struct conn *c);
void reply_integer(struct conn *c, long long v);
void reply_array_len(struct conn *c, long n);

/* ---- key space (db.c) ---------------------------------------------------- */

struct entry {
    char *key;            /* NUL-terminated */
    char *value;          /* NUL-terminated */
    long long expire_at_ms; /* unix time in ms; 0 = no expiry */
    struct entry *next;   /* bucket chain */
};

/* One hash table: an array of bucket chains. */
struct table {
    struct entry **buckets;  /* size buckets, or NULL when unused */
    unsigned long size;      /* power of two, or 0 */
    unsigned long sizemask;
    unsigned long used;      /* entries */
};

/* The key space, Redis style: t[0] is the table in use; while the dict
 * grows, t[1] is the bigger table and the buckets of t[0] move over a few at
 * a time (rehash_idx is the next bucket of t[0] to move, -1 when not
 * rehashing), so no single request pays for rehashing everything. */
struct dict {
    struct table t[2];
    long rehash_idx;
};

extern struct dict db;

void db_init(struct dict *d);
/* touch: the lookup may advance incremental rehashing (it modifies the
 * table layout, never the entries); pass 0 from code that must not
 * reorganize the buckets, e.g. while walking them. */
struct entry *db_lookup(struct dict *d, const char *key, int touch);
/* Stores value (taking ownership of the malloc'd string) under key.  A new
 * key has no expiry; an existing key keeps its expiry. */
struct entry *db_set(struct dict *d, const char *key, char *value);
int db_delete(struct dict *d, const char *key);
unsigned long db_size(const struct dict *d);
int db_is_rehashing(const struct dict *d);
/* Rehashes for about ms milliseconds; called from the event loop. */
void db_rehash_ms(struct dict *d, int ms);
void db_free(struct dict *d);

/* ---- commands (commands.c) ----------------------------------------------- */

/* Counters reported by INFO. */
struct stats {
    long long commands_processed;
    long long connections_received;
    long long keyspace_hits;
    long long keyspace_misses;
};

extern struct stats stats;

void execute_command(struct conn *c);

/* ---- server facts for INFO (main.c) -------------------------------------- */

int server_connected_clients(void);
int server_port(void);
long long server_uptime_ms(void);
void server_mark_start(void);

#endif
