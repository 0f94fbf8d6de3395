/* Wrong: `hits` is v2's static, a long[8], declared here at v1's int[4].
 * Bound without a look at its type, the patch's code was ill-typed (graft
 * patch failed in its own IR verifier, "a bug in graft"). Refused at the
 * declaration [TRANS-6]. */
#include <graft.h>
extern int GRAFT_OLD(hits)[4];
extern int GRAFT_OLD(total);
extern int hits[4];
extern unsigned long total;
void graft_state_transform(void) {
  for (int i = 0; i < 4; i++) hits[i] = GRAFT_OLD(hits)[i];
  total = (unsigned long)GRAFT_OLD(total);
}
