/* graft_runtime.h — the interface between code that graft generates and the
 * runtime linked into every updatable program (Sources/Runtime). Plain C,
 * usable from gcc-compiled files. Programs themselves include graft.h. */
#ifndef GRAFT_RUNTIME_H
#define GRAFT_RUNTIME_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRAFT_ABI 3

/* Type wrapping (Specs/representation.md). A wrapped struct T keeps C's
 * layout: its payload (T's fields, at clang's offsets) is at the object's
 * address, followed by room to grow in place and a 4-byte representation
 * tag:
 *     struct T { union { payload; unsigned char room[R]; } graft_u; unsigned graft_tag (packed); };
 * So the first member is at the struct's address, offsetof is the distance
 * from it, and bytes written through void * land in the payload.
 * The tag names the payload's representation: a 31-bit hash of its layout
 * (never 0). With GRAFT_TAG_EXT set, the payload outgrew the room and lives
 * on the heap; the room's first bytes hold its address. Steady state never
 * reads the tag: a con function loads its type's `pending` flag, which is
 * 0 until a patch changes the type's representation, and only then asks
 * graft_con. Every build of a process finds a type's tag at the same offset,
 * the one the type's first definition chose (`tagoff`). */
#define GRAFT_TAG_EXT 0x80000000u

/* A wrapped type's state in the process, defined once (by the program, or by
 * the patch that introduced the type) and shared by name: graft_ts_<hash>. */
struct graft_type_state {
    /* NULL until a patch changes the representation; then the runtime's record
     * of the type. A pointer, not an int: under C's aliasing rules the
     * program's int stores cannot change it, so the compiler keeps it in a
     * register across them (bench/representation.sh: 5% fewer instructions). */
    void *pending;
    unsigned tagoff;                /* where every object of the type keeps its tag */
};

/* One build's view of a wrapped type (the program's, or a patch's). */
struct graft_type {
    const char *name;               /* stable identity, e.g. "struct entry" */
    unsigned tag;                   /* the representation this build's code uses */
    size_t size;                    /* its payload size */
    size_t wrapper;                 /* sizeof the wrapper in this build's code */
    int spaced;                     /* this build's code relies on the wrapper's size: arrays of
                                       the type, the type inside another, whole-object copies */
    struct graft_type_state *state;
};

/* Stamps a new object with representation `tag` as seen by code whose payload
 * is `size` bytes: a payload that does not fit below the tag is left to
 * graft_con (tag 0: fresh), which gives it room on the heap. */
static inline __attribute__((always_inline, unused))
void graft_stamp(void *obj, const struct graft_type_state *st, unsigned tag, size_t size) {
    unsigned t = size <= st->tagoff ? tag : 0;
    __builtin_memcpy((unsigned char *)obj + st->tagoff, &t, sizeof t);
}

/* One wrapped type changing representation in a patch. */
struct graft_type_update {
    const char *type;
    unsigned from_tag, to_tag;
    size_t old_size, new_size;      /* payload sizes */
    /* Reads the old payload (a private copy), writes the new one (zeroed, new_size bytes). */
    void (*transform)(const void *old_payload, void *new_payload);
    int extends;                    /* every old field keeps its place and type (UPD-2): code
                                       compiled for the old representation may keep using it */
};

/* slot = name of a global `void *` variable in the program (exported with -rdynamic). */
struct graft_rebind { const char *slot; void *function; };

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
    const char *description;            /* human-readable summary */
};
/* A patch .so exports:  const struct graft_patch_info graft_patch;
 * A patch file is that .so followed by a trailer: the SHA-256 of everything
 * before the trailer (32 bytes), then the 8 ASCII bytes "GRAFTPT1". */
#define GRAFT_PATCH_MAGIC "GRAFTPT1"

struct graft_program_info {
    unsigned abi;
    const char *version;                /* this build's version id */
    const char *name;                   /* program name */
};

/* Called once, from a constructor the compiler emits, on the main thread. */
void graft_runtime_start(const struct graft_program_info *info);

/* The update point; cheap when nothing is pending (one relaxed atomic load). */
void graft_update_point_at(unsigned id);

/* Declares the wrapped types of the program (from the start-up constructor). */
void graft_register_types(const struct graft_type *const *types, unsigned n);

/* The slow path of a con function (only once t's type is pending): the payload
 * of the wrapped object at obj in the representation `t`, converting it (in
 * place or onto the heap) through the transforms patches installed. An
 * unknown tag is a fresh object: it is stamped with t's tag. */
void *graft_con(const struct graft_type *t, void *obj);

/* The representation a wrapped type has in the process now (0: unknown type). */
unsigned graft_type_current(const char *name);

#ifdef __cplusplus
}
#endif
#endif
