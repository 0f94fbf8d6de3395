/* A patch that rebinds greet. Built with -DBASE=… -DTARGET=… -DPOINT=…
 * -DWORD=… (and optionally -DSLOT=…) into several fixtures. */
#include "graft_runtime.h"

#ifndef SLOT
#define SLOT "graft_slot_greet"
#endif

static const char *greet_new(void) { return WORD; }

static const struct graft_rebind rebind[] = { { SLOT, (void *)greet_new } };
static const unsigned points[] = { POINT };

const struct graft_patch_info graft_patch = {
    .abi = GRAFT_ABI,
    .base_version = BASE,
    .target_version = TARGET,
    .n_rebind = 1, .rebind = rebind,
    .n_points = 1, .points = points,
    .description = "greet says " WORD,
};
