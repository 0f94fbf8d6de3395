/* Class A3 (a struct filled byte by byte through unsigned char *), case a3-bytewise-decode.
 * C11 6.5p7 (any object may be accessed through an lvalue of character
 * type), 6.2.6.1p4 (an object is its sizeof bytes) and 6.3.2.3p7 (a pointer
 * converted to a character type points to the lowest addressed byte of the
 * object; increments reach the remaining bytes). Multi-byte fields are read
 * in the x86-64 representation (little endian, no padding in these structs).
 * Shape: a protocol decoder that never names a field while filling: it
 * receives the destination as void *, walks it as unsigned char * and stores
 * the frame one byte at a time at running offsets; a batch of records is
 * decoded into an ARRAY of structs from one stream with the record size
 * hard-coded (8 bytes each, as the wire format says); the encoder reads a
 * struct back one byte at a time and a 16-bit one's-complement checksum is
 * computed over a header's bytes. A header nested at the front of a packet
 * and a header in the middle of a struct are decoded in place. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

struct hdr { uint8_t version; uint8_t type; uint16_t length; uint32_t seq; };      /* 8 bytes */
struct packet { struct hdr h; uint8_t payload[24]; };                            /* 32 bytes */
struct framed { uint32_t magic; struct hdr h; uint32_t crc; };                   /* header in the middle */

enum { REC = 8 };   /* the wire format's record size */

static size_t put_bytes(void *obj, size_t at, const unsigned char *src, size_t n) {
  unsigned char *o = obj;
  for (size_t i = 0; i < n; i++) o[at + i] = src[i];
  return at + n;
}
static unsigned get_byte(const void *obj, size_t i) { return ((const unsigned char *)obj)[i]; }
static uint16_t csum16(const void *obj, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += get_byte(obj, i) | get_byte(obj, i + 1) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-50s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static const unsigned char frame[32] = {
  2, 7, 0x20, 0x00, 0x01, 0x02, 0x03, 0x04,            /* version 2, type 7, length 32, seq 0x04030201 */
  'p', 'a', 'y', 'l', 'o', 'a', 'd', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const unsigned char stream[4 * REC] = {
  1, 1, 8, 0, 10, 0, 0, 0,
  1, 2, 8, 0, 20, 0, 0, 0,
  1, 3, 8, 0, 30, 0, 0, 0,
  1, 4, 8, 0, 40, 1, 0, 0 };

static struct hdr g_hdrs[4];

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* a whole packet, one byte at a time, header first */
  struct packet p;
  size_t at = 0;
  for (size_t i = 0; i < sizeof frame; i++) at = put_bytes(&p, at, &frame[i], 1);
  printf("packet: v%u type %u length %u seq %#x payload \"%s\" last %u\n",
         p.h.version, p.h.type, p.h.length, (unsigned)p.h.seq, (const char *)p.payload, p.payload[23]);
  CHECK("packet header decoded byte by byte", p.h.version == 2 && p.h.type == 7 && p.h.length == 32 && p.h.seq == 0x04030201);
  CHECK("packet payload follows at byte 8", strcmp((const char *)p.payload, "payload") == 0 && p.payload[23] == 16);

  /* a batch of records into an array, hard-coded record size */
  put_bytes(g_hdrs, 0, stream, sizeof stream);
  int batch = 1; unsigned seqs = 0;
  for (int i = 0; i < 4; i++) { batch &= g_hdrs[i].type == i + 1 && g_hdrs[i].length == REC; seqs += g_hdrs[i].seq; }
  printf("batch: seq sum %u\n", seqs);
  CHECK("4 records decoded into a static array", batch && seqs == 10 + 20 + 30 + 40 + 256);
  struct hdr *heap = malloc(4 * sizeof *heap);
  if (!heap) return 99;
  for (int i = 0; i < 4; i++) put_bytes(heap, (size_t)i * REC, stream + i * REC, REC);
  CHECK("record 3 lands in heap[3]", heap[3].type == 4 && heap[3].seq == 296);

  /* a header in the middle of a struct, decoded in place */
  struct framed f;
  f.magic = 0xfeedface; f.crc = 0;
  put_bytes(&f.h, 0, frame, REC);
  CHECK("header decoded in the middle of struct framed", f.magic == 0xfeedface && f.h.type == 7 && f.h.seq == 0x04030201 && f.crc == 0);

  /* the encoder reads the struct back, byte by byte */
  unsigned char out[REC];
  for (size_t i = 0; i < REC; i++) out[i] = (unsigned char)get_byte(&p.h, i);
  CHECK("header re-encoded byte by byte", memcmp(out, frame, REC) == 0);
  unsigned c1 = csum16(&p.h, REC), c2 = csum16(frame, REC);
  printf("checksum %#06x (frame %#06x)\n", c1, c2);
  CHECK("checksum over the header's bytes", c1 == c2);
  unsigned first = get_byte(&p, 0);
  CHECK("byte 0 of the packet is the version", first == 2);
  free(heap);
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
