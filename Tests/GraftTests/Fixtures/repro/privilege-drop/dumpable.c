/* v1.c's daemon, which after the drop allows its new uid to trace it
 * (prctl(PR_SET_DUMPABLE, 1)), and so to update it. -DSTEP=2 makes v2. */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "graft.h"
#ifndef STEP
#define STEP 1
#endif
int counter;
int main(void) {
  if (setgid(65534) != 0 || setuid(65534) != 0) { perror("setuid"); return 1; }
  prctl(PR_SET_DUMPABLE, 1);
  for (int i = 0; i < 600; i++) {
    graft_update_point();
    counter += STEP;
    printf("%d\n", counter);
    fflush(stdout);
    usleep(100000);
  }
  return 0;
}
