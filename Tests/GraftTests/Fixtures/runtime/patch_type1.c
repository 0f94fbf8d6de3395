/* Patch 1111 → 2222: struct counter goes from representation V0 to V1 (a `doubled`
 * field); a state transformer sets fixture_state; greet reports it but does
 * not touch the counter, which therefore stays at V0 in memory.
 *   -DTOUCH     greet reads the counter at V1 (converting it) and says "doubled=N"
 *   -DEXTENDS   the update says V1 extends V0 (old code may go on reading it) */
#include "graft_runtime.h"
#include "counter.h"
#include <stdio.h>

#ifndef FROM_TAG
#define FROM_TAG COUNTER_V0
#endif

extern int fixture_state;

static void to_v1(const void *old_payload, void *new_payload) {
    const struct counter_v0 *o = old_payload;
    struct counter_v1 *n = new_payload;
    n->n = o->n;
    n->doubled = 2 * o->n;
}

static void set_state(void) { fixture_state = 7; }

#ifndef EXTENDS
#define EXTENDS 0
#endif

static const char *greet_t1(void) {
    static char buf[64];
#ifdef TOUCH
    static const struct graft_type v1 = { COUNTER_TYPE, COUNTER_V1, sizeof(struct counter_v1), &graft_ts_counter };
    extern struct wrapped_counter counter;
    struct counter_v1 *c = graft_con(&v1, &counter);
    snprintf(buf, sizeof buf, "t1 state=%d doubled=%d", fixture_state, c->doubled);
#else
    snprintf(buf, sizeof buf, "t1 state=%d", fixture_state);
#endif
    return buf;
}

static const struct graft_rebind rebind[] = { { "graft_slot_greet", (void *)greet_t1 } };
static const struct graft_type_update types[] = {
    { COUNTER_TYPE, FROM_TAG, COUNTER_V1, sizeof(struct counter_v0), sizeof(struct counter_v1), _Alignof(struct counter_v1), to_v1, EXTENDS },
};
static const unsigned points[] = { 1 };

const struct graft_patch_info graft_patch = {
    .abi = GRAFT_ABI,
    .base_version = "1111",
    .target_version = "2222",
    .n_rebind = 1, .rebind = rebind,
    .n_types = 1, .types = types,
    .state_transformer = set_state,
    .n_points = 1, .points = points,
    .description = "counter gains doubled",
};
