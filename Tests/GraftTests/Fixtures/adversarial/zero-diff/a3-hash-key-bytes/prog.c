/* Class A3 (hashing a struct's bytes), case a3-hash-key-bytes.
 * C11 6.2.6.1p4: the value of a T is held in its sizeof(T) bytes, readable
 * through unsigned char (6.5p7). struct flow_key has no padding on x86-64
 * (4+4+2+2+1+3 explicit bytes = 16), so hashing its 16 bytes hashes exactly
 * the value, as the program's author relied on; two keys with equal fields
 * have equal bytes.
 * Shape: a flow table (as in a packet filter) keyed by a 16-byte struct:
 * FNV-1a over the key's bytes with a HARD-CODED size 16 and with sizeof,
 * keys compared with the program's own byte comparison, the key embedded as
 * the first member of a heap flow entry and hashed in place, and the hash
 * compared with the hash of the same key assembled by hand as 16 bytes in
 * the x86-64 layout. Stack, static-array and heap keys; deterministic
 * transcript of hashes and bucket numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

struct flow_key { uint32_t src, dst; uint16_t sport, dport; uint8_t proto; uint8_t pad[3]; };
struct flow { struct flow_key key; uint64_t packets; struct flow *next; };

static uint32_t fnv1a(const void *p, size_t n) {
  const unsigned char *b = p;
  uint32_t h = 2166136261u;
  while (n--) { h ^= *b++; h *= 16777619u; }
  return h;
}
static int key_eq(const void *a, const void *b) {
  const unsigned char *x = a, *y = b;
  for (int i = 0; i < 16; i++) if (x[i] != y[i]) return 0;
  return 1;
}
static void le(unsigned char *out, uint64_t v, int n) { for (int i = 0; i < n; i++) out[i] = (unsigned char)(v >> (8 * i)); }

enum { NB = 8 };
static struct flow *buckets[NB];
static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-50s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static struct flow *lookup(const struct flow_key *k, int create) {
  uint32_t h = fnv1a(k, 16);
  for (struct flow *f = buckets[h % NB]; f; f = f->next)
    if (key_eq(&f->key, k)) return f;
  if (!create) return NULL;
  struct flow *f = calloc(1, sizeof *f);
  if (!f) exit(99);
  f->key = *k;
  f->next = buckets[h % NB];
  buckets[h % NB] = f;
  return f;
}

static struct flow_key keys[4] = {
  { 0x0a000001, 0x0a000002, 1234, 80, 6, { 0 } },
  { 0x0a000001, 0x0a000002, 1235, 80, 6, { 0 } },
  { 0xc0000201, 0x08080808, 5353, 53, 17, { 0 } },
  { 0x7f000001, 0x7f000001, 40000, 22, 6, { 0 } },
};

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int match = 1;
  for (int i = 0; i < 4; i++) {
    unsigned char manual[16] = { 0 };
    le(manual, keys[i].src, 4); le(manual + 4, keys[i].dst, 4);
    le(manual + 8, keys[i].sport, 2); le(manual + 10, keys[i].dport, 2); manual[12] = keys[i].proto;
    uint32_t h = fnv1a(&keys[i], 16), hs = fnv1a(&keys[i], sizeof keys[i]), hm = fnv1a(manual, 16);
    printf("key %d: hash %08x bucket %u\n", i, (unsigned)h, (unsigned)(h % NB));
    match &= h == hm && hs == hm;
  }
  CHECK("hash(key, 16) == hash(key, sizeof) == hash(bytes)", match);

  /* count packets: 3 of key 0, 2 of key 2, 1 of key 3; key 1 never seen */
  static const int trace[] = { 0, 2, 0, 3, 2, 0 };
  for (unsigned i = 0; i < sizeof trace / sizeof trace[0]; i++) {
    struct flow_key k;                 /* a stack copy, built field by field */
    memset(&k, 0, sizeof k);
    k.src = keys[trace[i]].src; k.dst = keys[trace[i]].dst;
    k.sport = keys[trace[i]].sport; k.dport = keys[trace[i]].dport; k.proto = keys[trace[i]].proto;
    lookup(&k, 1)->packets++;
  }
  struct flow *f0 = lookup(&keys[0], 0), *f1 = lookup(&keys[1], 0), *f2 = lookup(&keys[2], 0), *f3 = lookup(&keys[3], 0);
  printf("packets: %llu %s %llu %llu\n", f0 ? (unsigned long long)f0->packets : 0ull, f1 ? "seen" : "unseen",
         f2 ? (unsigned long long)f2->packets : 0ull, f3 ? (unsigned long long)f3->packets : 0ull);
  CHECK("stack keys find the flows of the static keys", f0 && f0->packets == 3 && !f1 && f2 && f2->packets == 2 && f3 && f3->packets == 1);
  CHECK("key embedded in a flow hashes like the key", f2 && fnv1a(&f2->key, 16) == fnv1a(&keys[2], 16));
  CHECK("a flow's first 16 bytes are its key", f3 && fnv1a(f3, 16) == fnv1a(&keys[3], 16));
  int n = 0;
  for (int b = 0; b < NB; b++) for (struct flow *f = buckets[b]; f; f = f->next) n++;
  CHECK("3 flows in the table", n == 3);
  for (int b = 0; b < NB; b++) while (buckets[b]) { struct flow *f = buckets[b]; buckets[b] = f->next; free(f); }
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
