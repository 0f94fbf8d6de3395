/* b12-parent-folder/v2/prog.c — issue 7 class B12 (PATCH-1; /work/shared/repro/path-identity).
   Built from the parent folder (graft cc -o v2/prog v2/prog.c): the static
   next_id was 'deleted + new' (v1/prog.c:next_id, v2/prog.c:next_id) and n restarted.
   Expected: applied; the file is matched as renamed, n continues (… 4, then 50 60 …).
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
static int next_id(void) { static int n; return 10 * ++n; }      /* v1: return ++n; */
int main(void) {
  for (int i = 0; i < 600; i++) {
    graft_update_point();
    printf("%s %d\n", "v2", next_id()); fflush(stdout);
    usleep(20000);
  }
  return 0;
}
