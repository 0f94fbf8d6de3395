#include "graft.h"
#ifdef __GRAFT__
void graft_update_point(void) {}
#endif
int graft_runtime_placeholder_;
