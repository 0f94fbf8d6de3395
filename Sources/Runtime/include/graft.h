/* graft.h — the runtime interface a program sees. */
#ifndef GRAFT_H
#define GRAFT_H
#ifdef __GRAFT__
/* An update point: where a pending patch may be applied. graft numbers the
 * update points of a program and calls graft_update_point_at(id) instead;
 * a call that reaches the runtime unnumbered is update point 0. */
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
/* In a patch's transformers.c: the running program's global or file-scope
 * static NAME, at the type the running (old) version gave it, as in
 *     extern struct entry *GRAFT_OLD(table)[64];
 * while a plain `extern struct entry *table[1024];` names the new version's
 * (Specs/transformers.md, TRANS-6). */
#define GRAFT_OLD(name) graft_old__##name
#endif
