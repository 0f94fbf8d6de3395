/* unload.c — superseded patches unloaded once nothing can still run or refer
 * to them (Specs/deploy.md DEPLOY-8).
 *
 * Every applied patch is recorded here with its mapped ranges (its PT_LOAD
 * segments) and the slots it rebound. At the commit of a later patch, while
 * every thread of the program is parked at an update point (UPD-5), each
 * recorded patch P is looked at: it is marked for unloading when
 *   its descriptor says nothing outside slots, stacks and the type registry
 *       can hold an address inside it (graft patch's static analysis),
 *   no slot any loaded patch rebound points into it now,
 *   no parked thread's stack (each unwound by the thread itself, to its end,
 *       when it parked) returns into it,
 *   the type registry holds nothing of it (runtime.c graft__types_hold),
 *   and no patch applied while its code could still run made a function keep
 *       a pointer argument it did not keep before (keeps_nocapture).
 * Once the threads have resumed, the control thread dlcloses what was marked
 * and closes its memfd; a patch the dynamic loader keeps mapped all the same
 * (a later patch bound to a symbol of it) is counted as kept. A patch that
 * fails a condition stays loaded and is looked at again at the next commit. */
#define _GNU_SOURCE
#include "runtime_internal.h"
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unwind.h>

#define MAX_RANGES 8

struct loaded {
    void *handle;
    int memfd;
    const struct graft_patch_info *info;
    char *to;                           /* the version it moved the process to (for STATUS) */
    uintptr_t base;                     /* its link map's load address */
    uintptr_t lo[MAX_RANGES], hi[MAX_RANGES];
    unsigned n_ranges;
    void **slots;                       /* the slots it rebound (their addresses) */
    unsigned n_slots;
    int marked;                         /* chosen at a commit: unloaded once the threads resume */
    int pinned;                         /* its code may have run under a patch whose functions keep more: never unloaded */
    char why[256];                      /* why it is still loaded (the last look) */
    struct loaded *next;
};

static pthread_mutex_t unload_mu = PTHREAD_MUTEX_INITIALIZER;
static struct loaded *patches;          /* newest first */
static unsigned long n_unloaded, n_kept_by_loader;
atomic_int graft__unload_watch;

/* ---- stacks ------------------------------------------------------------ */

static _Unwind_Reason_Code one_frame(struct _Unwind_Context *ctx, void *arg) {
    struct graft_stack *s = arg;
    if (s->n == GRAFT_STACK_FRAMES) return _URC_NORMAL_STOP;    /* too deep: not complete */
    s->pc[s->n++] = (uintptr_t)_Unwind_GetIP(ctx);
    return _URC_NO_REASON;
}

void graft__stack_record(struct graft_stack *s) {
    s->n = 0;
    s->complete = _Unwind_Backtrace(one_frame, s) == _URC_END_OF_STACK;
}

/* ---- the ranges of a loaded patch --------------------------------------- */

struct find { uintptr_t base; const char *name; struct loaded *into; int found; };

static int find_object(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct find *f = arg;
    if ((uintptr_t)info->dlpi_addr != f->base || !info->dlpi_name || strcmp(info->dlpi_name, f->name) != 0) return 0;
    f->found = 1;
    if (f->into) {
        f->into->n_ranges = 0;
        for (unsigned i = 0; i < info->dlpi_phnum && f->into->n_ranges < MAX_RANGES; i++) {
            const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
            if (ph->p_type != PT_LOAD || ph->p_memsz == 0) continue;
            f->into->lo[f->into->n_ranges] = info->dlpi_addr + ph->p_vaddr;
            f->into->hi[f->into->n_ranges] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
            f->into->n_ranges++;
        }
    }
    return 1;
}

static int in_ranges(const struct loaded *p, uintptr_t a) {
    for (unsigned i = 0; i < p->n_ranges; i++)
        if (a >= p->lo[i] && a < p->hi[i]) return 1;
    return 0;
}

/* ---- at the commit -------------------------------------------------------- */

/* Why p must stay loaded, or NULL. Every thread is parked; stacks[0..n). */
static const char *held(struct loaded *p, struct graft_stack *const *stacks, unsigned n) {
    if (!p->info->unloadable)
        return p->info->kept_loaded ? p->info->kept_loaded : "its patch does not say it can be unloaded";
    if (p->n_ranges == 0) return "its mapped ranges are not known";
    for (const struct loaded *q = patches; q; q = q->next)
        for (unsigned i = 0; i < q->n_slots; i++)
            if (in_ranges(p, (uintptr_t)__atomic_load_n((void **)q->slots[i], __ATOMIC_ACQUIRE))) {
                snprintf(p->why, sizeof p->why, "slot %s still leads into it", q->info->rebind[i].slot);
                return p->why;
            }
    for (unsigned t = 0; t < n; t++) {
        if (!stacks[t]->complete) return "a thread's stack could not be unwound to its end";
        for (unsigned k = 0; k < stacks[t]->n; k++)
            if (in_ranges(p, stacks[t]->pc[k] - 1)) return "a thread's stack returns into it";
    }
    for (unsigned i = 0; i < p->n_ranges; i++)
        if (graft__types_hold(p->lo[i], p->hi[i])) return "the type registry holds a conversion or a representation of it";
    return NULL;
}

void graft__unload_choose(const struct graft_patch_info *applied, struct graft_stack *const *stacks, unsigned n_stacks, unsigned threads) {
    pthread_mutex_lock(&unload_mu);
    for (struct loaded *p = patches; p; p = p->next) {
        if (p->marked || p->pinned) continue;
        const char *why = n_stacks < threads ? "not every thread's stack is known" : held(p, stacks, n_stacks);
        if (why) {
            if (why != p->why) snprintf(p->why, sizeof p->why, "%s", why);
            /* Its code may run on under the patch being applied, calling that
             * patch's functions: if one of them keeps a pointer argument its
             * earlier version did not, this patch's verdict no longer holds. */
            if (!applied->keeps_nocapture) {
                p->pinned = 1;
                snprintf(p->why, sizeof p->why, "its code may still have run under the patch to %s, whose functions may keep a pointer argument their earlier versions did not (graft patch says which) [DEPLOY-8]",
                         applied->target_version ? applied->target_version : "?");
            }
        } else p->marked = 1;
    }
    pthread_mutex_unlock(&unload_mu);
}

/* ---- after the commit ----------------------------------------------------- */

static void watch_update(void) {
    int any = 0;
    for (const struct loaded *p = patches; p; p = p->next) any |= p->info->unloadable && !p->marked && !p->pinned;
    atomic_store(&graft__unload_watch, any);
}

void graft__unload_after_commit(void *handle, int memfd, const struct graft_patch_info *info, void *const *slots, const char *to) {
    struct loaded *n = calloc(1, sizeof *n);
    struct link_map *lm = NULL;
    if (n) {
        n->handle = handle;
        n->memfd = memfd;
        n->info = info;
        n->to = strdup(to ? to : "");
        if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm) {
            struct find f = { (uintptr_t)lm->l_addr, lm->l_name, n, 0 };
            dl_iterate_phdr(find_object, &f);
            n->base = (uintptr_t)lm->l_addr;
        }
        n->slots = info->n_rebind ? malloc(info->n_rebind * sizeof *n->slots) : NULL;
        if (n->slots) { memcpy(n->slots, slots, info->n_rebind * sizeof *n->slots); n->n_slots = info->n_rebind; }
        snprintf(n->why, sizeof n->why, "it is the last patch applied");
    }
    /* Out of memory: the patch stays loaded, unrecorded (never unloaded, as before DEPLOY-8). */
    struct loaded *gone = NULL;
    pthread_mutex_lock(&unload_mu);
    for (struct loaded **pp = &patches; *pp;) {
        struct loaded *p = *pp;
        if (p->marked) { *pp = p->next; p->next = gone; gone = p; }
        else pp = &p->next;
    }
    if (n) { n->next = patches; patches = n; }
    watch_update();
    pthread_mutex_unlock(&unload_mu);
    while (gone) {
        struct loaded *p = gone;
        gone = p->next;
        char name[32];
        snprintf(name, sizeof name, "/proc/self/fd/%d", p->memfd);
        dlclose(p->handle);
        struct find f = { p->base, name, NULL, 0 };
        dl_iterate_phdr(find_object, &f);
        pthread_mutex_lock(&unload_mu);
        if (f.found) n_kept_by_loader++;    /* still mapped: the loader keeps it for an object bound to it */
        else n_unloaded++;
        pthread_mutex_unlock(&unload_mu);
        if (!f.found && p->memfd >= 0) close(p->memfd);
        free(p->slots);
        free(p->to);
        free(p);
    }
}

/* STATUS: "patches":{"loaded":N,"unloaded":N,"kept_by_loader":N,"kept":[{"to":…,"why":…},…]} */
void graft__unload_json(FILE *f) {
    pthread_mutex_lock(&unload_mu);
    unsigned n = 0;
    for (const struct loaded *p = patches; p; p = p->next) n++;
    fprintf(f, "{\"loaded\":%u,\"unloaded\":%lu,\"kept_by_loader\":%lu,\"kept\":[", n, n_unloaded, n_kept_by_loader);
    unsigned i = 0;
    for (const struct loaded *p = patches; p; p = p->next, i++) {
        fputs(i ? ",{\"to\":" : "{\"to\":", f);
        graft__json_str(f, p->to);
        fputs(",\"why\":", f);
        graft__json_str(f, p->marked ? "being unloaded" : p->why);
        fputc('}', f);
    }
    fputs("]}", f);
    pthread_mutex_unlock(&unload_mu);
}
