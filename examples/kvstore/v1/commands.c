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

static void cmd_get(struct conn *c) {
    struct entry *e = db_lookup(&db, c->argv[1]);
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
    db_set(&db, c->argv[1], value);
    reply_status(c, "OK");
}

static void cmd_del(struct conn *c) {
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        n += db_delete(&db, c->argv[i]);
    reply_integer(c, n);
}

static void cmd_exists(struct conn *c) {
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup(&db, c->argv[i]) != NULL)
            n++;
    reply_integer(c, n);
}

static void cmd_incr(struct conn *c) {
    struct entry *e = db_lookup(&db, c->argv[1]);
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
