/* graft_runtime.h — the interface between code that graft generates and the
 * runtime linked into every updatable program (Sources/Runtime). Plain C,
 * usable from gcc-compiled files. Programs themselves include graft.h. */
#ifndef GRAFT_RUNTIME_H
#define GRAFT_RUNTIME_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRAFT_ABI 1

/* One wrapped type changing representation. */
struct graft_type_update {
    const char *type;               /* stable identity, e.g. "struct entry" */
    unsigned from_version, to_version;
    size_t old_size, new_size;      /* payload sizes */
    void (*transform)(const void *old_payload, void *new_payload);  /* reads old only, writes new only */
};

/* slot = name of a global `void *` variable in the program (exported with -rdynamic). */
struct graft_rebind { const char *slot; void *function; };

struct graft_patch_info {
    unsigned abi;                       /* GRAFT_ABI */
    const char *base_version;           /* version id of the program it applies to (hex string) */
    const char *target_version;
    unsigned n_rebind; const struct graft_rebind *rebind;
    unsigned n_types; const struct graft_type_update *types;
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

/* Declares a wrapped type: its version in this build and its payload
 * capacity (payload plus slop). Call before or after graft_runtime_start. */
void graft_register_type(const char *type, unsigned version, size_t payload_capacity);

/* Lazy type conversion (used by the compiler's con functions). */
unsigned graft_type_version(const char *type);  /* current version of a wrapped type (0 initially) */
/* Converts in place, chaining the registered transforms from_version→…→to_version;
 * aborts with a message if a step is missing or a payload exceeds the capacity. */
void graft_convert(const char *type, void *payload, unsigned from_version, unsigned to_version,
                   size_t payload_capacity);

#ifdef __cplusplus
}
#endif
#endif
