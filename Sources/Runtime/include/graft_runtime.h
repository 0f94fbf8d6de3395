/* graft_runtime.h — the interface between code that graft generates and the
 * runtime linked into every updatable program (Sources/Runtime). Plain C,
 * usable from gcc-compiled files. Programs themselves include graft.h. */
#ifndef GRAFT_RUNTIME_H
#define GRAFT_RUNTIME_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRAFT_ABI 2

/* Type wrapping. A wrapped struct T is laid out as
 *     struct T { unsigned graft_tag; union { payload; slop; void *ext; } graft_u; };
 * The tag names the representation the payload has: a 31-bit hash of the
 * payload's layout (never 0). With GRAFT_TAG_EXT set, the payload did not fit
 * in the union and lives on the heap, at graft_u.ext. Code compiled for a
 * representation reads the payload in place when the tag is its own and
 * calls graft_con otherwise. */
#define GRAFT_TAG_EXT 0x80000000u

/* One build's view of a wrapped type (the program's, or a patch's). */
struct graft_type {
    const char *name;               /* stable identity, e.g. "struct entry" */
    unsigned tag;                   /* the representation this build's code uses */
    size_t size;                    /* its payload size */
    size_t capacity;                /* room for a payload in this build's wrapper */
    int spaced;                     /* this build's code relies on the wrapper's size: arrays of
                                       the type, the type inside another, whole-object copies */
};

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

/* The slow path of a con function: the payload of the wrapped object whose
 * tag is *tag and union is u, in the representation `t`, converting it (in
 * place or onto the heap) through the transforms patches installed. An
 * unknown tag is a fresh object: it is stamped with t's tag. */
void *graft_con(const struct graft_type *t, unsigned *tag, void *u);

/* The representation a wrapped type has in the process now (0: unknown type). */
unsigned graft_type_current(const char *name);

#ifdef __cplusplus
}
#endif
#endif
