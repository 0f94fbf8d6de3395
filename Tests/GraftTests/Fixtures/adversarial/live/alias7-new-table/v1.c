/* ALIAS-7: v2 grows struct settings past its objects' room (the running
 * `cfg` moves to the heap when it converts) and adds a static table of its
 * fields' addresses, vsftpd's parseconf shape. The table's addresses of the
 * running cfg must be the converted object's, not where v1's cfg was. */
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
struct settings { int port; int max; };
struct settings cfg = { 2121, 0 };
int main(void) {
  for (;;) {
    graft_update_point();
    cfg.max++;
    printf("v1 %d %d\n", cfg.port, cfg.max);
    fflush(stdout);
    usleep(20000);
  }
}
