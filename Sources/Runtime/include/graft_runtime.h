/* graft_runtime.h — the interface between code that graft generates and the
 * runtime linked into every updatable program (Sources/Runtime). Plain C,
 * usable from gcc-compiled files. Programs themselves include graft.h. */
#ifndef GRAFT_RUNTIME_H
#define GRAFT_RUNTIME_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRAFT_ABI 7

/* Type wrapping (Specs/representation.md). A wrapped struct keeps its plain
 * layout: no tag, no room, the same sizeof — the updatable build changes
 * nothing a program can observe. What it adds is a con function on every
 * access, which loads the type's `pending` word and, while it is NULL,
 * returns the object itself.
 *
 * Once a patch changes the type's representation the runtime sets
 * `pending`, and con functions ask graft_con. The runtime then knows each
 * object's representation from a side table, keyed by address: an object
 * it has no entry for has the type's *base* representation (the one the
 * process had when the first such patch came: every object that existed
 * then, and every object old code makes); an entry records a converted
 * object, or one that code of a newer representation made (graft_note), and
 * where its payload is: in place, or — when the new payload is larger than
 * the object — on the heap. */

/* A wrapped type's state in the process, defined once (by the program, or by
 * the patch that introduced the type) and shared by name: graft_ts_<hash>. */
struct graft_type_state {
    /* NULL until a patch changes the representation; then the runtime's record
     * of the type. A pointer, not an int: under C's aliasing rules the
     * program's int stores cannot change it, so the compiler keeps it in a
     * register across them (bench/representation.sh). */
    void *pending;
};

/* One build's view of a wrapped type (the program's, or a patch's). */
struct graft_type {
    const char *name;               /* stable identity, e.g. "struct entry" */
    unsigned tag;                   /* the representation this build's code uses */
    size_t size;                    /* its size in this build */
    struct graft_type_state *state;
    /* REP-8: its pinned fields (a flexible array member, a field whose
     * address the program hands to a library), which stay where the layout
     * an object was made with put them: by name, at their offset here. */
    unsigned n_pinned;
    const struct graft_pin *pinned;
};
struct graft_pin { const char *field; size_t offset; };

/* One wrapped type changing representation in a patch. */
struct graft_type_update {
    const char *type;
    unsigned from_tag, to_tag;
    size_t old_size, new_size;      /* sizes of the old and new representation */
    size_t new_align;               /* the new representation's alignment: in place only at such an address */
    /* Reads the old payload (a private copy), writes the new one (zeroed, new_size bytes). */
    void (*transform)(const void *old_payload, void *new_payload);
    int extends;                    /* every old field keeps its place and type (UPD-2): code
                                       compiled for the old representation may keep using it */
};

/* slot = name of a global `void *` variable in the program (exported with -rdynamic). */
struct graft_rebind { const char *slot; void *function; };

/* A global the patch defines, by the alias later patches name it by (GlobalAliases), and its identity. */
struct graft_global { const char *alias; const char *identity; };

struct graft_patch_info {
    unsigned abi;                       /* GRAFT_ABI */
    const char *base_version;           /* version id of the program it applies to (hex string) */
    const char *target_version;
    unsigned n_rebind; const struct graft_rebind *rebind;
    unsigned n_types; const struct graft_type_update *types;
    /* The patch code's wrapped types; the first n_existing are types the base
     * program has (the process must have them as this code expects). */
    unsigned n_wrapped; const struct graft_type *const *wrapped; unsigned n_existing;
    void (*state_transformer)(void);    /* may be NULL; runs after rebinding, before resuming */
    unsigned n_points; const unsigned *points;  /* update point ids where the patch is admissible; 0 means none */
    unsigned n_globals; const struct graft_global *globals;  /* must be what the process finds by those aliases */
    const char *description;            /* human-readable summary */
    int unloadable;                     /* DEPLOY-8: 1 when nothing outside slots, stacks and the type registry can hold an address inside this patch once it is superseded */
    const char *kept_loaded;            /* DEPLOY-8: when unloadable is 0, why (one sentence) */
    int keeps_nocapture;                /* DEPLOY-8: 1 when no function of the patch keeps a pointer argument its OLD version did not: the verdicts of earlier patches hold under it */
};
/* A patch .so exports:  const struct graft_patch_info graft_patch;
 * A patch file is that .so followed by a trailer: the SHA-256 of everything
 * before the trailer (32 bytes), then the 8 ASCII bytes "GRAFTPT1". */
#define GRAFT_PATCH_MAGIC "GRAFTPT1"

struct graft_program_info {
    unsigned abi;
    const char *version;                /* this build's version id */
    const char *name;                   /* program name */
    /* DEPLOY-2: the Ed25519 public keys whose patches it accepts (besides
     * those of /etc/graft/trusted-keys), and whether it also accepts unsigned
     * ones (a development build, GRAFT_ACCEPT_UNSIGNED=1 at the link). */
    unsigned n_trusted_keys;
    const unsigned char (*trusted_keys)[32];
    int accept_unsigned;
};

/* Called once, from a constructor the compiler emits, on the main thread. */
void graft_runtime_start(const struct graft_program_info *info);

/* The update point; cheap when nothing is pending (one relaxed atomic load). */
void graft_update_point_at(unsigned id);

/* Declares the wrapped types of the program (from the start-up constructor). */
void graft_register_types(const struct graft_type *const *types, unsigned n);

/* The slow path of a con function (only once t's type is pending): the payload
 * of the wrapped object at obj in the representation `t`, converting it (in
 * place or onto the heap) through the transforms patches installed. */
void *graft_con(const struct graft_type *t, void *obj);

/* Where pinned field k (of t->pinned) of the wrapped object at obj is
 * (REP-8): in the layout the object was made with, which no conversion
 * moves. */
void *graft_pinned(const struct graft_type *t, void *obj, unsigned k);

/* Called by a conversion's transform for a wrapped record the value holds
 * by value (REP-7): the one at old_offset of the payload being converted,
 * converted to t's representation, is written to dest (in the new value),
 * and what the side tables know of it moves there. */
void graft_con_inner(const struct graft_type *t, size_t old_offset, void *dest);

/* Records that obj, just made by code of view t, has t's representation (a
 * no-op in effect until the type is pending; code calls it only then, or for
 * a patch's own static objects). */
void graft_note(const struct graft_type *t, void *obj);

/* free() for code graft builds: forgets what the side tables know of p. */
void graft_free(void *p);

/* realloc() and reallocarray() for code graft builds (REP-6): what the side
 * tables know of the objects in the block moves with them. */
void *graft_realloc(void *p, size_t n);
void *graft_reallocarray(void *p, size_t n, size_t size);

/* The representation a wrapped type has in the process now (0: unknown type). */
unsigned graft_type_current(const char *name);

#ifdef __cplusplus
}
#endif
#endif
