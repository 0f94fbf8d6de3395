/* db.c — the key space: a chained hash table of struct entry.
 *
 * Buckets are singly linked chains; the table doubles when it holds as many
 * entries as buckets (load factor 1) and is rehashed all at once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvstore.h"

#define DICT_INITIAL_SIZE 16

/* The whole data set of the server. */
struct dict db;

/* Seed mixed into every hash, chosen at start-up so that clients cannot
 * predict bucket collisions.  It must stay the same for the life of the
 * process: every entry's bucket depends on it. */
static uint64_t hash_seed;

static uint64_t hash_key(const char *key) {
    /* FNV-1a, 64 bit, seeded */
    uint64_t h = 1469598103934665603ULL ^ hash_seed;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

void db_init(struct dict *d) {
    if (hash_seed == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        hash_seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
        if (hash_seed == 0)
            hash_seed = 1;
    }
    d->size = DICT_INITIAL_SIZE;
    d->sizemask = DICT_INITIAL_SIZE - 1;
    d->used = 0;
    d->table = xcalloc(DICT_INITIAL_SIZE, sizeof *d->table);
}

static void db_resize(struct dict *d, unsigned long newsize) {
    struct entry **nt = xcalloc(newsize, sizeof *nt);
    unsigned long mask = newsize - 1;

    for (unsigned long i = 0; i < d->size; i++) {
        struct entry *e = d->table[i];
        while (e != NULL) {
            struct entry *next = e->next;
            unsigned long idx = (unsigned long)(hash_key(e->key) & mask);
            e->next = nt[idx];
            nt[idx] = e;
            e = next;
        }
    }
    free(d->table);
    d->table = nt;
    d->size = newsize;
    d->sizemask = mask;
}

struct entry *db_lookup(struct dict *d, const char *key) {
    unsigned long idx = (unsigned long)(hash_key(key) & d->sizemask);
    for (struct entry *e = d->table[idx]; e != NULL; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

struct entry *db_set(struct dict *d, const char *key, char *value) {
    struct entry *e = db_lookup(d, key);
    if (e != NULL) {
        free(e->value);
        e->value = value;
        return e;
    }
    if (d->used >= d->size)
        db_resize(d, d->size * 2);
    unsigned long idx = (unsigned long)(hash_key(key) & d->sizemask);
    e = malloc(sizeof(struct entry));
    if (e == NULL)
        kv_oom(sizeof(struct entry));
    e->key = xstrdup(key);
    e->value = value;
    e->expire_at_ms = 0;
    e->next = d->table[idx];
    d->table[idx] = e;
    d->used++;
    return e;
}

int db_delete(struct dict *d, const char *key) {
    unsigned long idx = (unsigned long)(hash_key(key) & d->sizemask);
    struct entry **pp = &d->table[idx];
    while (*pp != NULL) {
        struct entry *e = *pp;
        if (strcmp(e->key, key) == 0) {
            *pp = e->next;
            free(e->key);
            free(e->value);
            free(e);
            d->used--;
            return 1;
        }
        pp = &e->next;
    }
    return 0;
}

unsigned long db_size(const struct dict *d) {
    return d->used;
}

void db_free(struct dict *d) {
    for (unsigned long i = 0; i < d->size; i++) {
        struct entry *e = d->table[i];
        while (e != NULL) {
            struct entry *next = e->next;
            free(e->key);
            free(e->value);
            free(e);
            e = next;
        }
    }
    free(d->table);
    d->table = NULL;
    d->size = d->sizemask = d->used = 0;
}
