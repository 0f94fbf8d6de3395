/* clients.c — the parent's table of per-client statistics.
 *
 * A chained hash table keyed by the client's IPv4 address, with totals.
 * Only the parent writes it (from children's reports); a child sees the
 * table as it was when it was forked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftpd.h"

#define CLIENT_BUCKETS 1024 /* 1.2: was 64; busy servers see thousands of addresses */

struct client_stats {
    unsigned int ip;
    int connections;
    int logins;
    int downloads;
    int uploads;
    unsigned long long bytes_down;
    unsigned long long bytes_up;
    struct client_stats *next;
};

static struct client_stats *client_table[CLIENT_BUCKETS];
static unsigned long client_count; /* 1.2: was int */
static unsigned long total_connections;
static unsigned long total_transfers;
static unsigned long long total_bytes;

static unsigned int client_hash(unsigned int ip) {
    ip ^= ip >> 16;
    ip *= 0x45d9f3bU;
    ip ^= ip >> 16;
    return ip;
}

struct client_stats *client_get(unsigned int ip) {
    unsigned int b = client_hash(ip) % CLIENT_BUCKETS;
    struct client_stats *c;
    for (c = client_table[b]; c; c = c->next)
        if (c->ip == ip) return c;
    c = calloc(1, sizeof *c);
    if (!c) { perror("calloc"); exit(1); }
    c->ip = ip;
    c->next = client_table[b];
    client_table[b] = c;
    client_count++;
    return c;
}

void client_connected(unsigned int ip) {
    client_get(ip)->connections++;
    total_connections++;
}

void client_report(const struct report *r) {
    struct client_stats *c = client_get(r->peer_ip);
    switch (r->kind) {
    case REPORT_LOGIN:
        c->logins++;
        break;
    case REPORT_DOWNLOAD:
        c->downloads++;
        c->bytes_down += r->bytes;
        total_transfers++;
        total_bytes += r->bytes;
        break;
    case REPORT_UPLOAD:
        c->uploads++;
        c->bytes_up += r->bytes;
        total_transfers++;
        total_bytes += r->bytes;
        break;
    }
}

void client_format_stats(char *buf, size_t len) {
    char addr[16];
    size_t at = str_append(buf, len, 0, " connections %lu transfers %lu bytes %llu clients %lu\r\n",
                           total_connections, total_transfers, total_bytes, client_count);
    for (int b = 0; b < CLIENT_BUCKETS; b++)
        for (struct client_stats *c = client_table[b]; c; c = c->next) {
            str_ip(c->ip, addr, sizeof addr);
            at = str_append(buf, len, at, " client %s connections %d logins %d downloads %d uploads %d bytes_down %llu bytes_up %llu\r\n",
                            addr, c->connections, c->logins, c->downloads, c->uploads, c->bytes_down, c->bytes_up);
        }
}
