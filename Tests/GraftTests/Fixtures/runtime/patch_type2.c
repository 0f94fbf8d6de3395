/* Patch 2222 → 3333: struct counter goes from version 1 to 2 (a wider n and
 * a tag). greet converts the counter lazily, as a con function would: the
 * counter is still at version 0, so graft_convert chains 0→1 (from the first
 * patch) and 1→2 (from this one). */
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
    unsigned now = graft_type_version(COUNTER_TYPE);
    if (counter.version != now) {
        graft_convert(COUNTER_TYPE, counter.payload, counter.version, now, sizeof counter.payload);
        counter.version = now;
    }
    return (struct counter_v2 *)counter.payload;
}

static const char *greet_t2(void) {
    static char buf[96];
    struct counter_v2 *c = con_counter();
    snprintf(buf, sizeof buf, "t2 n=%lld doubled=%d tag=%s version=%u", c->n, c->doubled, c->tag, counter.version);
    return buf;
}

static const struct graft_rebind rebind[] = { { "graft_slot_greet", (void *)greet_t2 } };
static const struct graft_type_update types[] = {
    { COUNTER_TYPE, 1, 2, sizeof(struct counter_v1), sizeof(struct counter_v2), to_v2 },
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
