/* transformers.c — hand-written state transformer for the v2 -> v3 patch.
 *
 * NOT part of the normal build (the Makefile does not list it); only the
 * patch tool compiles it, against v3's kvstore.h.
 *
 * What changed: v2's struct dict is one table
 *     { struct entry **table; unsigned long size, sizemask, used; }
 * v3's is two tables plus a rehash cursor
 *     { struct table t[2]; long rehash_idx; }
 * The default transformer (copy same-named fields, zero new ones) would
 * lose every bucket (no field keeps its name) and set rehash_idx to 0,
 * which in v3 means "rehashing into t[1], bucket 0 next" with an empty
 * t[1]: the first rehash step would crash.  So the programmer writes it.
 * The only struct dict in the program is the global `db` (db.c).
 *
 * struct entry itself did not change between v2 and v3: the chains move
 * over as they are, and each entry stays in the bucket it is in (same hash
 * seed, same size, same mask).
 *
 * Convention (provisional; the checker will define it exactly):
 *   void graft_transform_dict(struct dict_old *old, struct dict *new);
 * `old` and `new` may be the same storage, so all old fields are read
 * before any new field is written.
 */
#include "kvstore.h" /* v3: struct dict, struct table, struct entry */

/* v2's struct dict, field for field (see v2/kvstore.h). */
struct dict_old {
    struct entry **table;   /* size buckets */
    unsigned long size;     /* power of two */
    unsigned long sizemask;
    unsigned long used;     /* entries */
};

void graft_transform_dict(struct dict_old *old, struct dict *new) {
    struct entry **buckets = old->table;
    unsigned long size = old->size;
    unsigned long sizemask = old->sizemask;
    unsigned long used = old->used;

    new->t[0].buckets = buckets;  /* the old table becomes t[0] */
    new->t[0].size = size;
    new->t[0].sizemask = sizemask;
    new->t[0].used = used;
    new->t[1].buckets = (struct entry **)0; /* no second table yet */
    new->t[1].size = 0;
    new->t[1].sizemask = 0;
    new->t[1].used = 0;
    new->rehash_idx = -1;         /* not rehashing */
}
