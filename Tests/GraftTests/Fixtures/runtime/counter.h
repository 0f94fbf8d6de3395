/* The wrapped global that the type-update fixtures share: a version tag and
 * a payload with slop, as graft's type wrapping lays it out. */
#ifndef COUNTER_H
#define COUNTER_H
struct wrapped_counter { unsigned graft_tag; _Alignas(16) unsigned char payload[64]; };
struct counter_v0 { int n; };
struct counter_v1 { int n; int doubled; };
struct counter_v2 { long long n; int doubled; char tag[8]; };
#define COUNTER_TYPE "struct counter"
/* Representation tags of the three layouts. */
#define COUNTER_V0 0x100u
#define COUNTER_V1 0x101u
#define COUNTER_V2 0x102u
#endif
