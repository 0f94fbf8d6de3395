/* repro flexible-array: a struct ending in a flexible array member (an item
 * with its key and value bytes inline), allocated `sizeof *it + n`. It is
 * wrapped (REP-8): a release that adds a field converts the items, the bytes
 * after the struct stay where each item has them. Items are made before and
 * after the update, some grown with realloc, and every byte is checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graft.h"
struct item {
  struct item *next;
  int nbytes;
  char data[];                            /* flexible array member: key and value */
};
struct item *head;
static char *kept;                        /* a pointer into an item's tail, kept across the update */
static void add(const char *s) {
  struct item *it = malloc(sizeof *it + strlen(s) + 1);
  it->nbytes = (int)strlen(s) + 1; memcpy(it->data, s, it->nbytes);
  it->next = head; head = it;
}
int main(void) {
  for (int i = 0; i < 10; i++) { char b[32]; snprintf(b, sizeof b, "value-%d", i); add(b); }
  kept = head->data;
  for (long n = 0;; n++) {
    graft_update_point();
    int ok = 1, k = 9;
    for (struct item *it = head; it; it = it->next, k--) {
      char b[32]; snprintf(b, sizeof b, "value-%d", k);
      ok &= it->nbytes == (int)strlen(b) + 1 && strcmp(it->data, b) == 0;
    }
    printf("v1 %ld %s\n", n, ok && strcmp(kept, "value-9") == 0 ? "ok" : "BAD");
    fflush(stdout);
    usleep(20000);
  }
}
