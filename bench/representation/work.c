/* A workload that lives on field accesses of small structs: a chained hash
 * table of entries (heap), looked up and updated in a loop, plus a struct
 * local per iteration. With type wrapping every field access goes through a
 * con function, so this is where a representation's steady-state cost shows.
 * usage: work N_KEYS ROUNDS   (prints a checksum) */
#include <stdio.h>
#include <stdlib.h>

struct entry { unsigned key; int hits; long value; struct entry *next; };
struct table { struct entry **buckets; unsigned mask; unsigned count; };
struct stats { long sum; unsigned misses; unsigned probes; };

static unsigned hash(unsigned k) { k ^= k >> 16; k *= 0x45d9f3bu; k ^= k >> 16; return k; }

static struct entry *find(struct table *t, unsigned key, struct stats *st) {
    for (struct entry *e = t->buckets[hash(key) & t->mask]; e; e = e->next) {
        st->probes++;
        if (e->key == key) return e;
    }
    st->misses++;
    return NULL;
}

static void insert(struct table *t, unsigned key, long value) {
    struct entry *e = malloc(sizeof(struct entry));
    e->key = key; e->hits = 0; e->value = value;
    unsigned b = hash(key) & t->mask;
    e->next = t->buckets[b];
    t->buckets[b] = e;
    t->count++;
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
    unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 20;
    struct table t = { 0, 0, 0 };
    unsigned size = 1;
    while (size < n) size <<= 1;
    t.mask = size - 1;
    t.buckets = calloc(size, sizeof *t.buckets);
    for (unsigned i = 0; i < n; i++) insert(&t, i * 7u + 1, (long)i);
    struct stats st = { 0, 0, 0 };
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < n + n / 8; i++) {
            struct entry *e = find(&t, i * 7u + 1, &st);
            if (e) { e->hits++; e->value += r; st.sum += e->value; }
        }
    }
    printf("%u entries, sum %ld, misses %u, probes %u\n", t.count, st.sum, st.misses, st.probes);
    return 0;
}
