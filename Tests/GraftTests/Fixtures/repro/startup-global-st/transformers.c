/* Carries the running program's table over to v2's global (TRANS-6). */
extern int *buckets;        /* v1's file-scope static */
extern int *main_buckets;   /* v2's file-scope static */
void graft_state_transform(void) { main_buckets = buckets; }
