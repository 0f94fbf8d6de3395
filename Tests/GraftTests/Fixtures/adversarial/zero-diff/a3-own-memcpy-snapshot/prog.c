/* Class A3 (bytes through the program's own void * helpers), case a3-own-memcpy-snapshot.
 * C11 6.2.6.1p4: an object of type T consists of sizeof(T) bytes, and its
 * value may be copied into an object of type unsigned char [sizeof(T)] (the
 * object representation) and back; 6.5p7 lets any object be accessed
 * through unsigned char; 7.24.1p1 (memcpy/memset work on bytes) applies to
 * hand-written loops just the same.
 * Shape: a session table with its own my_memcpy / my_memset / CLEAR()
 * (no libc call ever sees the struct): snapshot and restore through an
 * unsigned char [sizeof(struct session)] buffer, whole-table clear by
 * sizeof of an array, struct-to-struct copies, an allocator that poisons
 * memory with 0xAB, and a fixed 32-byte wire image (the x86-64 layout, no
 * padding) loaded with my_memcpy. Static, stack and heap objects; a session
 * embedded in a struct that is itself copied as bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

struct session { uint32_t id; uint16_t flags; uint16_t port; uint64_t bytes; char user[16]; };
struct slot { int used; int gen; struct session s; };

static void *my_memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst; const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
static void *my_memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}
static void clear(void *p, size_t n) { my_memset(p, 0, n); }
#define CLEAR(x) clear(&(x), sizeof(x))
static void *my_alloc(size_t n) { void *p = malloc(n); if (p) my_memset(p, 0xAB, n); return p; }
static int bytes_equal(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++) if (x[i] != y[i]) return 0;
  return 1;
}

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-50s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static struct slot table[4];
static void fill(struct session *s, uint32_t id, const char *user) {
  CLEAR(*s);
  s->id = id; s->flags = 0x11; s->port = (uint16_t)(1000 + id); s->bytes = 100ull * id;
  snprintf(s->user, sizeof s->user, "%s", user);
}
static int is(const struct session *s, uint32_t id, const char *user) {
  return s->id == id && s->flags == 0x11 && s->port == 1000 + id && s->bytes == 100ull * id && strcmp(s->user, user) == 0;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* whole-table clear through sizeof of the array */
  for (int i = 0; i < 4; i++) { table[i].used = 1; table[i].gen = 7; fill(&table[i].s, (uint32_t)i, "x"); }
  clear(table, sizeof table);
  int zero = 1;
  for (int i = 0; i < 4; i++) zero &= table[i].used == 0 && table[i].gen == 0 && table[i].s.id == 0 && table[i].s.user[0] == 0;
  CHECK("clear(table, sizeof table) zeroes every slot", zero);

  /* snapshot and restore through the object representation */
  struct session s;
  fill(&s, 7, "alice");
  unsigned char snap[sizeof(struct session)];
  my_memcpy(snap, &s, sizeof s);
  s.id = 99; s.bytes = 1; strcpy(s.user, "mallory");
  my_memcpy(&s, snap, sizeof s);
  CHECK("restore from unsigned char[sizeof] snapshot", is(&s, 7, "alice"));
  uint32_t id_from_bytes;
  my_memcpy(&id_from_bytes, snap, sizeof id_from_bytes);      /* id is the first member */
  CHECK("first 4 bytes of the snapshot are the id", id_from_bytes == 7);
  CHECK("snapshot bytes equal the object's bytes", bytes_equal(snap, &s, sizeof s));
  CHECK("sizeof snap == sizeof s", sizeof snap == sizeof s);
  /* copying sizeof s bytes stays inside sizeof(struct session) bytes */
  unsigned char guarded[sizeof(struct session) + 8];
  my_memset(guarded, 0xEE, sizeof guarded);
  my_memcpy(guarded, &s, sizeof s);
  int guard_ok = 1;
  for (size_t i = sizeof guarded - 8; i < sizeof guarded; i++) guard_ok &= guarded[i] == 0xEE;
  CHECK("bytes after the copied object untouched", guard_ok);

  /* struct-to-struct through the helper, into a slot (nested) */
  my_memcpy(&table[2].s, &s, sizeof s);
  table[2].used = 1;
  CHECK("copy into an embedded session", is(&table[2].s, 7, "alice") && table[2].used == 1 && table[3].used == 0);
  struct slot copy;
  my_memcpy(&copy, &table[2], sizeof copy);
  CHECK("slot copied as bytes keeps the embedded session", copy.used == 1 && is(&copy.s, 7, "alice"));

  /* a poisoned heap object, cleared field by field afterwards */
  struct session *h = my_alloc(sizeof *h);
  if (!h) return 99;
  fill(h, 3, "bob");
  CHECK("heap session from a poisoning allocator", is(h, 3, "bob"));
  struct session *hs = my_alloc(3 * sizeof *hs);
  if (!hs) return 99;
  for (int i = 0; i < 3; i++) my_memcpy(&hs[i], h, sizeof *h);
  CHECK("three copies of the heap session", is(&hs[0], 3, "bob") && is(&hs[2], 3, "bob"));

  /* a fixed wire image in the x86-64 layout: id, flags, port, bytes, user */
  static const unsigned char wire[32] = {
    0x2a, 0, 0, 0,   0x11, 0,   0x16, 0x04,   0x10, 0x27, 0, 0, 0, 0, 0, 0,
    'c', 'a', 'r', 'o', 'l', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  struct session w;
  CLEAR(w);
  my_memcpy(&w, wire, 32);
  printf("wire: id=%u flags=%#x port=%u bytes=%llu user=%s\n", w.id, w.flags, w.port, (unsigned long long)w.bytes, w.user);
  CHECK("wire image loaded with hard-coded 32", w.id == 42 && w.flags == 0x11 && w.port == 1046 && w.bytes == 10000 && strcmp(w.user, "carol") == 0);
  unsigned char out[32];
  my_memcpy(out, &w, 32);
  CHECK("and written back unchanged", bytes_equal(out, wire, 32));
  free(h); free(hs);
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
