/* runtime.c — the graft runtime's core: program identity, the update point,
 * applying a pending patch, and the registry of wrapped types with their
 * transforms (lazy conversion through graft_convert). The control channel
 * that receives patches is in control.c. */
#define _GNU_SOURCE
#include "runtime_internal.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pthread_mutex_t graft__mu = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t graft__cv;
atomic_uint graft__flag;
struct graft_pending *graft__pending;
pthread_t graft__main_thread;
char *graft__version;
char *graft__base_version;
char *graft__name;
struct graft_history *graft__history;
unsigned graft__n_history;

long long graft__now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static char *dup_or(const char *s, const char *fallback) {
    char *d = strdup(s ? s : fallback);
    if (!d) abort();
    return d;
}

/* ---- startup ---------------------------------------------------------- */

static void on_wake(int sig) { (void)sig; }

static void fork_prepare(void) { pthread_mutex_lock(&graft__mu); }
static void fork_parent(void) { pthread_mutex_unlock(&graft__mu); }
static void fork_child(void) {
    graft__channel_forked();
    pthread_mutex_unlock(&graft__mu);
}

void graft_runtime_start(const struct graft_program_info *info) {
    static int started;
    if (started) return;
    started = 1;
    if (!info || info->abi != GRAFT_ABI) {
        fprintf(stderr, "graft: warning: runtime ABI %d, program built for ABI %u: the program runs but cannot be updated\n",
                GRAFT_ABI, info ? info->abi : 0);
        return;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&graft__cv, &ca);
    pthread_condattr_destroy(&ca);

    graft__version = dup_or(info->version, "unknown");
    graft__base_version = dup_or(info->version, "unknown");
    graft__name = dup_or(info->name, "program");
    graft__main_thread = pthread_self();

    /* SIGURG wakes the main thread out of blocking calls (they fail with
     * EINTR); a handler the program installed itself is left alone. */
    struct sigaction old;
    if (sigaction(SIGURG, NULL, &old) == 0 && (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN)
        && !(old.sa_flags & SA_SIGINFO)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_wake;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;                /* no SA_RESTART: poll/accept/read return EINTR */
        sigaction(SIGURG, &sa, NULL);
    }
    /* A parent may have left SIGURG blocked (posix_spawn keeps the mask). */
    sigset_t urg;
    sigemptyset(&urg);
    sigaddset(&urg, SIGURG);
    pthread_sigmask(SIG_UNBLOCK, &urg, NULL);
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    graft__channel_start();
}

/* ---- the update point ------------------------------------------------- */

static int admissible(const struct graft_patch_info *p, unsigned id) {
    for (unsigned i = 0; i < p->n_points; i++)
        if (p->points[i] == id) return 1;
    return 0;
}

static void record(const struct graft_patch_info *p, long pause_us, unsigned id) {
    struct graft_history *h = realloc(graft__history, (graft__n_history + 1) * sizeof *h);
    if (!h) abort();
    graft__history = h;
    h += graft__n_history++;
    h->from = graft__version;
    h->to = dup_or(p->target_version, "");
    h->description = dup_or(p->description, "");
    h->pause_us = pause_us;
    h->point = id;
    h->at = (long long)time(NULL);
    graft__version = dup_or(p->target_version, "");
}

static __attribute__((noinline)) void update_slow(unsigned id) {
    long long start = graft__now_us();
    unsigned flag = atomic_load(&graft__flag);
    if ((flag & GRAFT_FLAG_RESTART) && (atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_RESTART) & GRAFT_FLAG_RESTART)) {
        /* A forked child reached its first update point: this thread is its
         * main thread now, and it gets a channel of its own. */
        graft__main_thread = pthread_self();
        graft__channel_start();
    }
    if (!(flag & GRAFT_FLAG_PENDING) || !pthread_equal(pthread_self(), graft__main_thread)) return;

    pthread_mutex_lock(&graft__mu);
    struct graft_pending *p = graft__pending;
    if (!p || p->state != GRAFT_WAITING) { pthread_mutex_unlock(&graft__mu); return; }
    p->points_seen++;
    if (!admissible(p->info, id)) { pthread_mutex_unlock(&graft__mu); return; }
    p->state = GRAFT_APPLYING;          /* from here on the control thread cannot withdraw it */
    pthread_mutex_unlock(&graft__mu);

    const struct graft_patch_info *info = p->info;
    for (unsigned i = 0; i < info->n_types; i++) graft__type_commit(&info->types[i]);
    for (unsigned i = 0; i < info->n_rebind; i++)
        __atomic_store_n((void **)p->slots[i], info->rebind[i].function, __ATOMIC_RELEASE);
    if (info->state_transformer) info->state_transformer();

    pthread_mutex_lock(&graft__mu);
    long pause = (long)(graft__now_us() - start);
    record(info, pause, id);
    p->pause_us = pause;
    p->point = id;
    p->state = GRAFT_APPLIED;
    graft__pending = NULL;
    atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_PENDING);
    pthread_cond_broadcast(&graft__cv);
    pthread_mutex_unlock(&graft__mu);
}

void graft_update_point_at(unsigned id) {
    if (__builtin_expect(atomic_load_explicit(&graft__flag, memory_order_relaxed) == 0, 1)) return;
    update_slow(id);
}

/* graft.h's update point (a macro outside graft builds), when it reaches the
 * runtime unnumbered. */
void graft_update_point(void);
void graft_update_point(void) { graft_update_point_at(0); }

/* ---- wrapped types ---------------------------------------------------- */

struct type_step {
    unsigned from, to;
    size_t old_size, new_size;
    void (*transform)(const void *, void *);
    struct type_step *next;
};

struct type_entry {
    char *name;
    atomic_uint version;
    size_t capacity;
    size_t size;                        /* current payload size; 0 while unknown */
    struct type_step *steps;
    struct type_entry *next;
};

/* Entries are only ever added (at the head, with release) and never freed,
 * so lookups need no lock; steps and sizes are guarded by types_mu. */
static _Atomic(struct type_entry *) types;
static pthread_mutex_t types_mu = PTHREAD_MUTEX_INITIALIZER;

static struct type_entry *find_type(const char *name) {
    for (struct type_entry *t = atomic_load_explicit(&types, memory_order_acquire); t; t = t->next)
        if (strcmp(t->name, name) == 0) return t;
    return NULL;
}

void graft_register_type(const char *type, unsigned version, size_t payload_capacity) {
    if (!type) return;
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = find_type(type);
    if (t) {
        if (payload_capacity > t->capacity) t->capacity = payload_capacity;
    } else {
        t = calloc(1, sizeof *t);
        if (!t) abort();
        t->name = dup_or(type, "");
        atomic_init(&t->version, version);
        t->capacity = payload_capacity;
        t->next = atomic_load_explicit(&types, memory_order_relaxed);
        atomic_store_explicit(&types, t, memory_order_release);
    }
    pthread_mutex_unlock(&types_mu);
}

unsigned graft_type_version(const char *type) {
    struct type_entry *t = find_type(type);
    return t ? atomic_load_explicit(&t->version, memory_order_acquire) : 0;
}

/* Whether update `u` may be applied to the running program; else says why. */
int graft__type_check(const struct graft_type_update *u, char *why, size_t n) {
    if (!u->type) { snprintf(why, n, "a type update names no type"); return 0; }
    int ok = 0;
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = find_type(u->type);
    unsigned v = t ? atomic_load(&t->version) : 0;
    if (!t)
        snprintf(why, n, "%s is not a wrapped type of this program", u->type);
    else if (u->from_version != v)
        snprintf(why, n, "%s is at version %u in the process, the patch converts from version %u", u->type, v, u->from_version);
    else if (u->to_version <= u->from_version)
        snprintf(why, n, "%s: the patch converts from version %u to version %u (must go forward)", u->type, u->from_version, u->to_version);
    else if (!u->transform)
        snprintf(why, n, "%s: the type update has no transform", u->type);
    else if (u->new_size > t->capacity)
        snprintf(why, n, "%s outgrows its slop: new payload is %zu bytes, capacity is %zu", u->type, u->new_size, t->capacity);
    else if (t->size && u->old_size != t->size)
        snprintf(why, n, "%s: the patch expects an old payload of %zu bytes, the process has %zu", u->type, u->old_size, t->size);
    else
        ok = 1;
    pthread_mutex_unlock(&types_mu);
    return ok;
}

void graft__type_commit(const struct graft_type_update *u) {
    struct type_step *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->from = u->from_version;
    s->to = u->to_version;
    s->old_size = u->old_size;
    s->new_size = u->new_size;
    s->transform = u->transform;
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = find_type(u->type);
    s->next = t->steps;
    t->steps = s;
    t->size = u->new_size;
    atomic_store_explicit(&t->version, u->to_version, memory_order_release);
    pthread_mutex_unlock(&types_mu);
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("graft: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void graft_convert(const char *type, void *payload, unsigned from_version, unsigned to_version, size_t payload_capacity) {
    if (from_version == to_version) return;
    if (from_version > to_version)
        fatal("cannot convert a %s from version %u back to version %u", type, from_version, to_version);
    for (unsigned v = from_version; v != to_version;) {
        pthread_mutex_lock(&types_mu);
        struct type_entry *t = find_type(type);
        struct type_step *s = t ? t->steps : NULL;
        while (s && s->from != v) s = s->next;
        pthread_mutex_unlock(&types_mu);
        if (!t) fatal("cannot convert a %s: not a wrapped type of this program", type);
        if (!s) fatal("cannot convert a %s from version %u to version %u: no transform from version %u", type, from_version, to_version, v);
        if (s->to > to_version)
            fatal("cannot convert a %s from version %u to version %u: the transform from version %u goes to version %u", type, from_version, to_version, v, s->to);
        if (s->old_size > payload_capacity || s->new_size > payload_capacity)
            fatal("cannot convert a %s from version %u to version %u: payload (%zu bytes) exceeds its capacity (%zu bytes)", type, v, s->to,
                  s->old_size > s->new_size ? s->old_size : s->new_size, payload_capacity);
        unsigned char small[256];
        unsigned char *old = s->old_size <= sizeof small ? small : malloc(s->old_size);
        if (!old) fatal("out of memory converting a %s", type);
        memcpy(old, payload, s->old_size);
        memset(payload, 0, payload_capacity);
        s->transform(old, payload);
        if (old != small) free(old);
        v = s->to;
    }
}
