/* TRANS-6: the same as trans6-old-names, but the transformer declares v2's hits
 * at v1's type: it would write ints into a long array. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static int hits[4];
static int total;
int main(void) {
  for (long n = 0;; n++) {
    graft_update_point();
    hits[n % 4]++;
    total++;
    printf("v1 %d\n", total);
    fflush(stdout);
    usleep(20000);
  }
}
