/* repro flexible-array, v2: `int flags` added before the flexible array
 * member (its offset moves from 12 to 16 in new items). New items are made
 * and old ones grown with realloc; every item's bytes are checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"
struct item {
  struct item *next;
  int nbytes;
  int flags;                              /* v2: new field */
  char data[];                            /* flexible array member: key and value */
};
struct item *head;
static char *kept;
static void add(const char *s) {
  struct item *it = malloc(sizeof *it + strlen(s) + 1);
  it->nbytes = (int)strlen(s) + 1; memcpy(it->data, s, it->nbytes);
  it->flags = 1;
  it->next = head; head = it;
}
/* The item's value with a suffix: the block grows, the tail moves with it. */
static struct item *append(struct item *it, const char *suffix) {
  size_t extra = strlen(suffix);
  struct item *grown = realloc(it, sizeof *it + it->nbytes + extra);
  strcat(grown->data, suffix);
  grown->nbytes += (int)strlen(suffix);
  return grown;
}
int main(void) {
  for (int i = 0; i < 10; i++) { char b[32]; snprintf(b, sizeof b, "value-%d", i); add(b); }
  kept = head->data;
  for (long n = 0;; n++) {
    graft_update_point();
    int ok = 1, count = 0;
    for (struct item *it = head; it; it = it->next) count++;
    /* Items from v1 keep their bytes; new ones have flags 1; grown ones end in "+". */
    for (struct item *it = head; it; it = it->next) {
      size_t len = strlen(it->data);
      ok &= it->nbytes == (int)len + 1 && strncmp(it->data, "value-", 6) == 0;
      ok &= it->flags == 0 || it->flags == 1;
    }
    ok &= strncmp(kept, "value-9", 7) == 0;
    static int steps;                       /* since the update */
    if (steps++ < 5) {
      char b[32]; snprintf(b, sizeof b, "value-new%d", steps); add(b);
      /* The oldest item (from v1, at the end of the list) grows. */
      struct item **p = &head;
      while ((*p)->next) p = &(*p)->next;
      *p = append(*p, "+");
    }
    ok &= steps <= 5 || (count == 15 && strcmp(head->data, "value-new5") == 0);
    printf("v2 %ld %s n=%d\n", n, ok ? "OK" : "FAIL", count);
    fflush(stdout);
    usleep(20000);
  }
}
