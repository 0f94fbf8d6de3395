/* v1's counters by GRAFT_OLD, at v1's types; v2's by plain externs (TRANS-6). */
#include <graft.h>
extern int GRAFT_OLD(hits)[4];
extern int GRAFT_OLD(total);
extern long hits[8];
extern unsigned long total;
void graft_state_transform(void) {
  for (int i = 0; i < 4; i++) hits[i] = GRAFT_OLD(hits)[i];
  total = (unsigned long)GRAFT_OLD(total);
}
