/* repro printf-p: the program prints its item's address with %p, which
 * never reads the object (ALIAS-3), so struct item stays wrapped and v2 can
 * add a field to it: applied, the item's values kept. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"
struct item { void *data; long hits; int refs; };
static struct item *it;
static void step(int i) {
    it->refs++; it->hits += 2;
    printf("v2 %d item %p refs=%d%s\n", i, (void *)it, it->refs, it->refs == i + 1 && it->hits % 2 == 0 ? "" : " FAIL");
    fflush(stdout);
}
int main(void) {
    it = malloc(sizeof *it);
    it->data = NULL; it->refs = 0;
    for (int i = 0;; i++) {
        graft_update_point();
        step(i);
        usleep(20000);
    }
}
