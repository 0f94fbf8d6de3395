/* The wrapped global that the type-update fixtures share: a plain object
 * (graft's wrapping changes no layout); its state (the pending word) is
 * shared by name, and the runtime's side table knows its representation. */
#ifndef COUNTER_H
#define COUNTER_H
struct wrapped_counter { _Alignas(16) unsigned char payload[64]; };
extern struct graft_type_state graft_ts_counter;
struct counter_v0 { int n; };
struct counter_v1 { int n; int doubled; };
struct counter_v2 { long long n; int doubled; char tag[8]; };
#define COUNTER_TYPE "struct counter"
/* Representation tags of the three layouts. */
#define COUNTER_V0 0x100u
#define COUNTER_V1 0x101u
#define COUNTER_V2 0x102u
#endif
