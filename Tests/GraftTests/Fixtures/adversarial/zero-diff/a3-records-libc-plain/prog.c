/* Class A3 (bytes through the program's own helpers AND the C library),
 * case a3-records-libc-plain: the control case, left plain today.
 * C11 6.2.6.1p4 (an object is its sizeof bytes) and 7.21.8 (fwrite/fread
 * move sizeof bytes of each element): a struct written to a file and read
 * back, and copied through an own helper, keeps its value; 7.24.4.1 memcmp
 * compares those bytes.
 * Shape: a record log. The program's own pack() helper copies records into a
 * byte buffer (as in a3-own-memcpy-snapshot), but the records also go to
 * fwrite/fread and memcmp, which ALIAS-3 sees, so struct rec stays plain;
 * struct batch, which holds an array of recs, is wrapped, but only that
 * field's bytes are ever seen as bytes. It passes today and guards that a
 * fix keeps the plain path plain and a wrapped holder's field where it was. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct rec { uint32_t id; int16_t delta; uint16_t kind; uint64_t stamp; };   /* 16 bytes */
struct batch { int n; struct rec r[3]; };

static void pack(void *dst, const void *src, size_t n) {
  unsigned char *d = dst; const unsigned char *s = src;
  while (n--) *d++ = *s++;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int fails = 0;
  struct batch b = { 3, { { 1, -5, 2, 1000 }, { 2, 7, 1, 2000 }, { 3, 0, 9, 3000 } } };
  unsigned char buf[sizeof b.r];
  pack(buf, b.r, sizeof b.r);
  FILE *f = tmpfile();
  if (!f) { perror("tmpfile"); return 98; }
  size_t w = fwrite(b.r, sizeof b.r[0], 3, f);
  rewind(f);
  struct rec back[3];
  size_t r = fread(back, sizeof back[0], 3, f);
  fclose(f);
  printf("wrote %zu read %zu records of %zu bytes\n", w, r, sizeof back[0]);
  fails += w != 3 || r != 3;
  for (int i = 0; i < 3; i++)
    printf("rec %u: delta %d kind %u stamp %llu\n", back[i].id, back[i].delta, back[i].kind, (unsigned long long)back[i].stamp);
  fails += memcmp(back, b.r, sizeof back) != 0;
  fails += memcmp(buf, back, sizeof buf) != 0;
  uint32_t id2;
  pack(&id2, buf + 16, 4);
  printf("second record's id from the packed bytes: %u\n", id2);
  fails += id2 != 2;
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
