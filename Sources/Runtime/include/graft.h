/* graft.h — the runtime interface a program sees. */
#ifndef GRAFT_H
#define GRAFT_H
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
#endif
