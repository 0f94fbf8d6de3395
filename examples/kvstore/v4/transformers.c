/* transformers.c — the state transformer for the v3 -> v4 patch.
 *
 * NOT part of the normal build (the Makefile does not list it); only the
 * patch tool compiles it, against v4's kvstore.h, and the runtime calls
 * graft_state_transform() once, right after the patch is installed.
 *
 * What changed: v4's struct server gains start_ms (for INFO's uptime). The
 * default transformer leaves a new field zeroed, which is right for the
 * layout (the old fields keep their places, so main(), which stays on the
 * stack, may keep using the struct) but would make the uptime count from
 * 1970. The server's own code records the time instead.
 *
 * Convention: void graft_state_transform(void), checked like any new code.
 */
#include "kvstore.h" /* v4 */

void graft_state_transform(void) {
    server_mark_start();
}
