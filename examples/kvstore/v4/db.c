/* db.c — the key space: a chained hash table of struct entry with
 * incremental rehashing.
 *
 * When the table holds as many entries as buckets it doubles: a second
 * table t[1] is allocated and every later lookup, insert and delete moves
 * one bucket of t[0] into it (rehash_step), and the event loop moves more
 * while it has time (db_rehash_ms).  While rehashing, keys may be in
 * either table; new keys go to t[1]. */
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

static void table_reset(struct table *t) {
    t->buckets = NULL;
    t->size = 0;
    t->sizemask = 0;
    t->used = 0;
}

static void table_alloc(struct table *t, unsigned long size) {
    t->buckets = xcalloc(size, sizeof *t->buckets);
    t->size = size;
    t->sizemask = size - 1;
    t->used = 0;
}

void db_init(struct dict *d) {
    if (hash_seed == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        hash_seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
        if (hash_seed == 0)
            hash_seed = 1;
    }
    table_alloc(&d->t[0], DICT_INITIAL_SIZE);
    table_reset(&d->t[1]);
    d->rehash_idx = -1;
}

int db_is_rehashing(const struct dict *d) {
    return d->rehash_idx != -1;
}

/* Moves n buckets of t[0] to t[1], visiting at most n*10 empty buckets.
 * When t[0] is empty, t[1] becomes t[0] and rehashing ends. */
static void rehash_step(struct dict *d, int n) {
    int empty_visits = n * 10;

    if (!db_is_rehashing(d))
        return;
    while (n-- > 0 && d->t[0].used != 0) {
        while (d->t[0].buckets[d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_visits == 0)
                return;
        }
        struct entry *e = d->t[0].buckets[d->rehash_idx];
        while (e != NULL) {
            struct entry *next = e->next;
            unsigned long idx = (unsigned long)(hash_key(e->key) & d->t[1].sizemask);
            e->next = d->t[1].buckets[idx];
            d->t[1].buckets[idx] = e;
            d->t[0].used--;
            d->t[1].used++;
            e = next;
        }
        d->t[0].buckets[d->rehash_idx] = NULL;
        d->rehash_idx++;
    }
    if (d->t[0].used == 0) {
        free(d->t[0].buckets);
        d->t[0] = d->t[1];
        table_reset(&d->t[1]);
        d->rehash_idx = -1;
    }
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_rehash_ms(struct dict *d, int ms) {
    long long start = now_ms();
    while (db_is_rehashing(d)) {
        rehash_step(d, 100);
        if (now_ms() - start >= ms)
            break;
    }
}

/* Starts growing to twice the size once the load factor reaches 1. */
static void expand_if_needed(struct dict *d) {
    if (db_is_rehashing(d))
        return;
    if (d->t[0].used >= d->t[0].size) {
        table_alloc(&d->t[1], d->t[0].size * 2);
        d->rehash_idx = 0;
    }
}

static struct entry *find(struct dict *d, const char *key, uint64_t h) {
    for (int t = 0; t <= 1; t++) {
        if (d->t[t].size == 0)
            break;
        unsigned long idx = (unsigned long)(h & d->t[t].sizemask);
        for (struct entry *e = d->t[t].buckets[idx]; e != NULL; e = e->next)
            if (strcmp(e->key, key) == 0)
                return e;
        if (!db_is_rehashing(d))
            break;
    }
    return NULL;
}

struct entry *db_lookup(struct dict *d, const char *key, int touch) {
    if (touch)
        rehash_step(d, 1);
    return find(d, key, hash_key(key));
}

struct entry *db_set(struct dict *d, const char *key, char *value) {
    uint64_t h = hash_key(key);

    rehash_step(d, 1);
    struct entry *e = find(d, key, h);
    if (e != NULL) {
        free(e->value);
        e->value = value;
        return e;
    }
    expand_if_needed(d);
    struct table *t = db_is_rehashing(d) ? &d->t[1] : &d->t[0];
    unsigned long idx = (unsigned long)(h & t->sizemask);
    e = malloc(sizeof(struct entry));
    if (e == NULL)
        kv_oom(sizeof(struct entry));
    e->key = xstrdup(key);
    e->value = value;
    e->expire_at_ms = 0;
    e->next = t->buckets[idx];
    t->buckets[idx] = e;
    t->used++;
    return e;
}

int db_delete(struct dict *d, const char *key) {
    uint64_t h = hash_key(key);

    rehash_step(d, 1);
    for (int t = 0; t <= 1; t++) {
        if (d->t[t].size == 0)
            break;
        unsigned long idx = (unsigned long)(h & d->t[t].sizemask);
        struct entry **pp = &d->t[t].buckets[idx];
        while (*pp != NULL) {
            struct entry *e = *pp;
            if (strcmp(e->key, key) == 0) {
                *pp = e->next;
                free(e->key);
                free(e->value);
                free(e);
                d->t[t].used--;
                return 1;
            }
            pp = &e->next;
        }
        if (!db_is_rehashing(d))
            break;
    }
    return 0;
}

unsigned long db_size(const struct dict *d) {
    return d->t[0].used + d->t[1].used;
}

void db_free(struct dict *d) {
    for (int t = 0; t <= 1; t++) {
        for (unsigned long i = 0; i < d->t[t].size; i++) {
            struct entry *e = d->t[t].buckets[i];
            while (e != NULL) {
                struct entry *next = e->next;
                free(e->key);
                free(e->value);
                free(e);
                e = next;
            }
        }
        free(d->t[t].buckets);
        table_reset(&d->t[t]);
    }
    d->rehash_idx = -1;
}
