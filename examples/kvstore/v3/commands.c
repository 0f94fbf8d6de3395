/* commands.c — the command table and the commands.
 *
 * Each command gets the parsed request in c->argv / c->argv_len and queues
 * its reply on c->wbuf through the reply_* functions. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvstore.h"

struct command {
    const char *name;               /* lower case, as in error messages */
    int arity;                      /* argc incl. the name; -N means at least N */
    void (*proc)(struct conn *c);
};

/* ---- connection / server commands ---------------------------------------- */

static void cmd_ping(struct conn *c) {
    if (c->argc > 2)
        reply_error(c, "ERR wrong number of arguments for 'ping' command");
    else if (c->argc == 1)
        reply_status(c, "PONG");
    else
        reply_bulk(c, c->argv[1], c->argv_len[1]);
}

static void cmd_echo(struct conn *c) {
    reply_bulk(c, c->argv[1], c->argv_len[1]);
}

static void cmd_quit(struct conn *c) {
    reply_status(c, "OK");
    c->flags |= CONN_CLOSE_AFTER_REPLY;
}

static void cmd_select(struct conn *c) {
    long long idx;
    if (!parse_ll(c->argv[1], c->argv_len[1], &idx)) {
        reply_error(c, "ERR value is not an integer or out of range");
        return;
    }
    if (idx != 0) {
        reply_error(c, "ERR DB index is out of range");
        return;
    }
    reply_status(c, "OK");
}

/* redis-cli asks "COMMAND DOCS" on start-up; an empty array is fine. */
static void cmd_command(struct conn *c) {
    reply_array_len(c, 0);
}

/* redis-benchmark asks "CONFIG GET save" and "CONFIG GET appendonly". */
static void cmd_config(struct conn *c) {
    if (strcasecmp(c->argv[1], "get") == 0) {
        if (c->argc < 3) {
            reply_error(c, "ERR wrong number of arguments for 'config|get' command");
            return;
        }
        reply_array_len(c, 0);
        return;
    }
    reply_error(c, "ERR unknown subcommand '%.64s'. Try CONFIG HELP.", c->argv[1]);
}

/* ---- key space commands -------------------------------------------------- */

/* Looks a key up, deleting it first if its time has passed: keys expire
 * lazily, when a command touches them. */
static struct entry *lookup_key(const char *key) {
    struct entry *e = db_lookup(&db, key, 1);
    if (e != NULL && e->expire_at_ms != 0 && e->expire_at_ms <= unix_ms()) {
        db_delete(&db, key);
        return NULL;
    }
    return e;
}

static void cmd_get(struct conn *c) {
    struct entry *e = lookup_key(c->argv[1]);
    if (e == NULL)
        reply_null(c);
    else
        reply_bulk(c, e->value, strlen(e->value));
}

static void cmd_set(struct conn *c) {
    if (c->argc != 3) {
        reply_error(c, "ERR syntax error");
        return;
    }
    /* The parser allocated the argument; the table takes it over. */
    char *value = c->argv[2];
    c->argv[2] = NULL;
    struct entry *e = db_set(&db, c->argv[1], value);
    e->expire_at_ms = 0; /* SET discards any previous time to live */
    reply_status(c, "OK");
}

static void cmd_del(struct conn *c) {
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        if (lookup_key(c->argv[i]) != NULL)
            n += db_delete(&db, c->argv[i]);
    reply_integer(c, n);
}

static void cmd_exists(struct conn *c) {
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        if (lookup_key(c->argv[i]) != NULL)
            n++;
    reply_integer(c, n);
}

static void cmd_incr(struct conn *c) {
    struct entry *e = lookup_key(c->argv[1]);
    long long v = 0;
    char buf[32];

    if (e != NULL && !parse_ll(e->value, strlen(e->value), &v)) {
        reply_error(c, "ERR value is not an integer or out of range");
        return;
    }
    if (v == LLONG_MAX) {
        reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    v++;
    snprintf(buf, sizeof buf, "%lld", v);
    db_set(&db, c->argv[1], xstrdup(buf));
    reply_integer(c, v);
}

/* EXPIRE key seconds: 1 if the key exists (a time in the past deletes
 * it), 0 if it does not. */
static void cmd_expire(struct conn *c) {
    long long seconds;
    long long now = unix_ms();

    if (!parse_ll(c->argv[2], c->argv_len[2], &seconds)) {
        reply_error(c, "ERR value is not an integer or out of range");
        return;
    }
    if (seconds > (LLONG_MAX - now) / 1000 || seconds < -(LLONG_MAX / 1000)) {
        reply_error(c, "ERR invalid expire time in 'expire' command");
        return;
    }
    struct entry *e = lookup_key(c->argv[1]);
    if (e == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (seconds <= 0) {
        db_delete(&db, c->argv[1]);
    } else {
        e->expire_at_ms = now + seconds * 1000;
    }
    reply_integer(c, 1);
}

/* TTL key: seconds left, -1 without expiry, -2 if there is no such key. */
static void cmd_ttl(struct conn *c) {
    struct entry *e = lookup_key(c->argv[1]);
    if (e == NULL) {
        reply_integer(c, -2);
        return;
    }
    if (e->expire_at_ms == 0) {
        reply_integer(c, -1);
        return;
    }
    long long left = e->expire_at_ms - unix_ms();
    if (left < 0)
        left = 0;
    reply_integer(c, (left + 500) / 1000);
}

/* PERSIST key: 1 if a time to live was removed, 0 otherwise. */
static void cmd_persist(struct conn *c) {
    struct entry *e = lookup_key(c->argv[1]);
    if (e == NULL || e->expire_at_ms == 0) {
        reply_integer(c, 0);
        return;
    }
    e->expire_at_ms = 0;
    reply_integer(c, 1);
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct command command_table[] = {
    { "ping", -1, cmd_ping },
    { "echo", 2, cmd_echo },
    { "quit", -1, cmd_quit },
    { "select", 2, cmd_select },
    { "command", -1, cmd_command },
    { "config", -2, cmd_config },
    { "get", 2, cmd_get },
    { "set", -3, cmd_set },
    { "del", -2, cmd_del },
    { "exists", -2, cmd_exists },
    { "incr", 2, cmd_incr },
    { "expire", 3, cmd_expire },
    { "ttl", 2, cmd_ttl },
    { "persist", 2, cmd_persist },
};

static const struct command *lookup_command(const char *name) {
    for (size_t i = 0; i < sizeof command_table / sizeof command_table[0]; i++)
        if (strcasecmp(command_table[i].name, name) == 0)
            return &command_table[i];
    return NULL;
}

void execute_command(struct conn *c) {
    const struct command *cmd = lookup_command(c->argv[0]);
    if (cmd == NULL) {
        reply_error(c, "ERR unknown command '%.128s'", c->argv[0]);
        return;
    }
    if ((cmd->arity > 0 && c->argc != cmd->arity) || c->argc < -cmd->arity) {
        reply_error(c, "ERR wrong number of arguments for '%s' command", cmd->name);
        return;
    }
    cmd->proc(c);
}
