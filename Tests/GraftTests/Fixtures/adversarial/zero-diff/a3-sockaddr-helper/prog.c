/* Class A3 (a sockaddr_in-like struct filled by a helper), case a3-sockaddr-helper.
 * C11 6.5p7 and 6.2.6.1p4: the helper writes the object's bytes through
 * unsigned char * (from a void * parameter) at the offsets of the struct it
 * mirrors; the program's struct has the layout of struct sockaddr_in on
 * Linux (family at 0, port at 2 in network order, address at 4, 8 zero
 * bytes), so its bytes can be compared with, and copied into, the libc struct.
 * Shape: as in servers that keep their own address type: set_inet() fills any
 * buffer of at least 16 bytes as an IPv4 socket address (dotted quad parsed
 * by hand); an array of listen endpoints, each embedding an address, is filled
 * through it; the result is checked field by field, byte-compared with a
 * struct sockaddr_in made by libc (htons / inet_pton), and copied into a real
 * struct sockaddr_in that is bound to 127.0.0.1 and read back with getsockname. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct inet4 { uint16_t family; uint16_t port_be; uint8_t addr[4]; uint8_t zero[8]; };
struct endpoint { const char *name; struct inet4 sa; int backlog; };

/* Fills len bytes at dst as an AF_INET socket address; returns bytes written or -1. */
static int set_inet(void *dst, size_t len, unsigned port, const char *dotted) {
  unsigned char *b = dst;
  if (len < 16) return -1;
  for (size_t i = 0; i < len; i++) b[i] = 0;
  uint16_t fam = AF_INET;
  b[0] = (unsigned char)(fam & 0xff); b[1] = (unsigned char)(fam >> 8);   /* host order */
  b[2] = (unsigned char)(port >> 8);  b[3] = (unsigned char)(port & 0xff); /* network order */
  for (int k = 0; k < 4; k++) {
    unsigned v = 0;
    while (*dotted >= '0' && *dotted <= '9') v = v * 10 + (unsigned)(*dotted++ - '0');
    b[4 + k] = (unsigned char)v;
    if (*dotted == '.') dotted++;
  }
  return 16;
}
static int same_bytes(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  while (n--) if (*x++ != *y++) return 0;
  return 1;
}
static void copy_bytes(void *d, const void *s, size_t n) { unsigned char *x = d; const unsigned char *y = s; while (n--) *x++ = *y++; }

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-50s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static struct endpoint eps[3] = { { "public", { 0 }, 128 }, { "admin", { 0 }, 8 }, { "local", { 0 }, 16 } };

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct inet4 a;
  set_inet(&a, sizeof a, 8080, "127.0.0.1");
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, a.addr, text, sizeof text);
  printf("a: family %u port %u addr %s\n", a.family, ntohs(a.port_be), text);
  CHECK("family, port and address set through bytes", a.family == AF_INET && ntohs(a.port_be) == 8080
        && a.addr[0] == 127 && a.addr[3] == 1 && a.zero[7] == 0);

  struct sockaddr_in ref;
  memset(&ref, 0, sizeof ref);
  ref.sin_family = AF_INET; ref.sin_port = htons(8080);
  inet_pton(AF_INET, "127.0.0.1", &ref.sin_addr);
  CHECK("same bytes as libc's struct sockaddr_in", same_bytes(&a, &ref, sizeof ref));

  static const char *ips[3] = { "192.0.2.10", "10.1.2.3", "127.0.0.1" };
  for (int i = 0; i < 3; i++) set_inet(&eps[i].sa, sizeof eps[i].sa, 9000u + (unsigned)i, ips[i]);
  for (int i = 0; i < 3; i++) {
    inet_ntop(AF_INET, eps[i].sa.addr, text, sizeof text);
    printf("endpoint %s: %s:%u backlog %d\n", eps[i].name, text, ntohs(eps[i].sa.port_be), eps[i].backlog);
  }
  CHECK("endpoints filled in place, neighbours intact", eps[1].backlog == 8 && eps[2].backlog == 16
        && strcmp(eps[2].name, "local") == 0 && eps[1].sa.addr[1] == 1 && ntohs(eps[2].sa.port_be) == 9002);

  struct inet4 *heap = malloc(sizeof *heap);
  if (!heap) return 99;
  CHECK("helper refuses a short buffer", set_inet(heap, 15, 1, "1.2.3.4") == -1);
  set_inet(heap, sizeof *heap, 0, "127.0.0.1");             /* port 0: any free port */

  /* hand the program's address to the kernel through a real sockaddr_in */
  struct sockaddr_in real;
  copy_bytes(&real, heap, sizeof real);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) { perror("socket"); return 98; }
  int rc = bind(fd, (struct sockaddr *)&real, sizeof real);
  struct sockaddr_in got; socklen_t gl = sizeof got;
  getsockname(fd, (struct sockaddr *)&got, &gl);
  inet_ntop(AF_INET, &got.sin_addr, text, sizeof text);
  printf("bound: rc %d family %d addr %s port assigned %s\n", rc, got.sin_family, text, ntohs(got.sin_port) ? "yes" : "no");
  CHECK("kernel bound the address the helper wrote", rc == 0 && got.sin_family == AF_INET && strcmp(text, "127.0.0.1") == 0);
  /* and back: the kernel's answer into the program's struct */
  struct inet4 back;
  copy_bytes(&back, &got, sizeof back);
  CHECK("kernel's address read back into struct inet4", back.family == AF_INET && back.addr[0] == 127 && back.port_be == got.sin_port);
  close(fd);
  free(heap);
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
