/* Patch 2222 → 3333: struct counter goes from representation V1 to V2 (a wider n and
 * a tag). greet converts the counter lazily, as a con function would: the
 * counter is still at V0, so graft_con chains V0→V1 (from the first
 * patch) and V1→V2 (from this one). */
#include "graft_runtime.h"
#include "counter.h"
#include <stdio.h>
#include <string.h>

extern struct wrapped_counter counter;

static void to_v2(const void *old_payload, void *new_payload) {
    const struct counter_v1 *o = old_payload;
    struct counter_v2 *n = new_payload;
    n->n = o->n;
    n->doubled = o->doubled;
    strcpy(n->tag, "two");
}

static struct counter_v2 *con_counter(void) {
    static const struct graft_type view = { COUNTER_TYPE, COUNTER_V2, sizeof(struct counter_v2), &graft_ts_counter };
    return graft_con(&view, &counter);
}

static const char *greet_t2(void) {
    static char buf[96];
    struct counter_v2 *c = con_counter();
    snprintf(buf, sizeof buf, "t2 n=%lld doubled=%d tag=%s version=%u", c->n, c->doubled, c->tag, graft_type_current(COUNTER_TYPE) == COUNTER_V2 ? 2 : 0);
    return buf;
}

static const struct graft_rebind rebind[] = { { "graft_slot_greet", (void *)greet_t2 } };
static const struct graft_type_update types[] = {
    { COUNTER_TYPE, COUNTER_V1, COUNTER_V2, sizeof(struct counter_v1), sizeof(struct counter_v2), _Alignof(struct counter_v2), to_v2, 0 },
};
static const unsigned points[] = { 1 };

const struct graft_patch_info graft_patch = {
    .abi = GRAFT_ABI,
    .base_version = "2222",
    .target_version = "3333",
    .n_rebind = 1, .rebind = rebind,
    .n_types = 1, .types = types,
    .n_points = 1, .points = points,
    .description = "counter gains a tag",
};
