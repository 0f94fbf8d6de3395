/* Patch 1111 → 2222: struct counter goes from representation V0 to V1 (a `doubled`
 * field); a state transformer sets fixture_state; greet reports it but does
 * not touch the counter, which therefore stays at V0 in memory. */
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

static const char *greet_t1(void) {
    static char buf[64];
    snprintf(buf, sizeof buf, "t1 state=%d", fixture_state);
    return buf;
}

static const struct graft_rebind rebind[] = { { "graft_slot_greet", (void *)greet_t1 } };
static const struct graft_type_update types[] = {
    { COUNTER_TYPE, FROM_TAG, COUNTER_V1, sizeof(struct counter_v0), sizeof(struct counter_v1), _Alignof(struct counter_v1), to_v1, 0 },
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
