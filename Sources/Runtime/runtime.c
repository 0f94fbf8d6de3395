/* runtime.c — the graft runtime's core: program identity, the update point,
 * applying a pending patch, and the registry of wrapped types with their
 * transforms (lazy conversion through graft_con). The control channel
 * that receives patches is in control.c. */
#define _GNU_SOURCE
#include "runtime_internal.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdint.h>
#include <unistd.h>
#include <malloc.h>
#include <errno.h>
#include <semaphore.h>

pthread_mutex_t graft__mu = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t graft__cv;
atomic_uint graft__flag;
struct graft_pending *graft__pending;
pthread_t graft__main_thread;
pid_t graft__main_tid;
char *graft__version;
char *graft__base_version;
char *graft__name;
struct graft_history *graft__history;
unsigned graft__n_history;
unsigned long graft__updates_total;
pid_t graft__forked_from;
long long graft__forked_at;
const char *graft__forked_version;
unsigned long graft__forks;

/* Held while a runtime thread starts (until it is named) and while threads are counted. */
static pthread_mutex_t spawn_mu = PTHREAD_MUTEX_INITIALIZER;

struct spawned { void *(*fn)(void *); void *arg; sem_t named; };

static void *spawned_start(void *arg) {
    struct spawned *s = arg;
    void *(*fn)(void *) = s->fn;
    void *fn_arg = s->arg;
    pthread_setname_np(pthread_self(), GRAFT_THREAD_NAME);
    sem_post(&s->named);                /* s is the creator's: not touched after this */
    return fn(fn_arg);
}

int graft__spawn(void *(*fn)(void *), void *arg) {
    struct spawned s;
    s.fn = fn;
    s.arg = arg;
    sem_init(&s.named, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    pthread_mutex_lock(&spawn_mu);
    int err = pthread_create(&t, &attr, spawned_start, &s);
    if (!err)
        while (sem_wait(&s.named) != 0 && errno == EINTR) {}
    pthread_mutex_unlock(&spawn_mu);
    pthread_attr_destroy(&attr);
    sem_destroy(&s.named);
    return err;
}

int graft__program_thread_ids(pid_t *tids, int max) {
    pthread_mutex_lock(&spawn_mu);
    DIR *d = opendir("/proc/self/task");
    if (!d) { pthread_mutex_unlock(&spawn_mu); return -1; }
    int program = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char path[300], comm[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "re");
        if (!f) continue;               /* a thread that has just exited */
        if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
        fclose(f);
        comm[strcspn(comm, "\n")] = 0;
        if (strcmp(comm, GRAFT_THREAD_NAME) == 0) continue;
        if (tids && program < max) tids[program] = (pid_t)atoi(e->d_name);
        program++;
    }
    closedir(d);
    pthread_mutex_unlock(&spawn_mu);
    return program;
}

int graft__program_threads(char *why, size_t n) {
    int program = graft__program_thread_ids(NULL, 0);
    if (program < 0) snprintf(why, n, "cannot count the process's threads (/proc/self/task)");
    return program;
}

void graft__describe_thread(pid_t tid, char *out, size_t n) {
    char path[64], comm[32] = "", wchan[64] = "";
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tid);
    FILE *f = fopen(path, "re");
    if (f) { if (!fgets(comm, sizeof comm, f)) comm[0] = 0; fclose(f); }
    comm[strcspn(comm, "\n")] = 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/wchan", (int)tid);
    if ((f = fopen(path, "re"))) { if (!fgets(wchan, sizeof wchan, f)) wchan[0] = 0; fclose(f); }
    wchan[strcspn(wchan, "\n")] = 0;
    int waiting = wchan[0] && strcmp(wchan, "0") != 0;
    snprintf(out, n, "thread %d ('%s'%s%s%s)", (int)tid, comm, tid == graft__main_tid ? ", the main thread" : "",
             waiting ? "; waiting in " : "", waiting ? wchan : "");
}

#ifdef GRAFT_MUTATION
static const char *mutated_rule;
static pthread_once_t mutated_once = PTHREAD_ONCE_INIT;
static void read_mutated_rule(void) {
    const char *v = getenv("GRAFT_MUTATE_RULE");
    mutated_rule = v && *v ? strdup(v) : NULL;
}
int graft__rule_enforced(const char *id, const char *site) {
    pthread_once(&mutated_once, read_mutated_rule);
    if (!mutated_rule) return 1;
    size_t n = strlen(id);
    if (strncmp(mutated_rule, id, n) != 0) return 1;
    if (mutated_rule[n] == 0) return 0;
    return !(site && mutated_rule[n] == '/' && strcmp(mutated_rule + n + 1, site) == 0);
}
#endif

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

/* fork (UPD-9): the child is a process of its own. The runtime's locks are
 * taken around the fork so that the child never inherits one held by a
 * thread that does not exist there; the child forgets the parent's channel
 * and waiting patch, records who forked it at which version, and opens its
 * own channel at its first update point (control.c). */
static pthread_mutex_t types_mu;
static pid_t forking_pid;
static void fork_prepare(void) {
    pthread_mutex_lock(&graft__mu);
    pthread_mutex_lock(&spawn_mu);
    pthread_mutex_lock(&types_mu);
    forking_pid = getpid();
}
static void fork_parent(void) {
    graft__forks++;
    pthread_mutex_unlock(&types_mu);
    pthread_mutex_unlock(&spawn_mu);
    pthread_mutex_unlock(&graft__mu);
}
static void fork_child(void) {
    /* Only the forking thread survives. types_mu is recursive, and the child's
     * thread has another id than its owner had: it is made anew, free. So is
     * graft__cv, whose waiters (control threads) are not in the child. */
    pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    memcpy(&types_mu, &fresh, sizeof fresh);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&graft__cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_unlock(&spawn_mu);
    if (GRAFT_RULE_AT("UPD-9", "child")) {
        graft__forked_from = forking_pid;
        graft__forked_at = (long long)time(NULL);
        graft__forked_version = graft__version;     /* never freed: history keeps old versions */
        graft__forks = 0;
        graft__channel_forked();
    }
    pthread_mutex_unlock(&graft__mu);
}

/* exit() while a patch waits: graft apply is told the process exited, and how. */
static void process_exits(int status, void *arg) {
    (void)arg;
    pthread_mutex_lock(&graft__mu);
    graft__channel_exiting(status);
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
    graft__trusted_keys = info->trusted_keys;
    graft__n_trusted_keys = info->trusted_keys ? info->n_trusted_keys : 0;
    graft__accept_unsigned = info->accept_unsigned;
    /* Said by graft status, not on the program's stderr: the build changes nothing the program prints. */
    graft__main_thread = pthread_self();

    graft__main_tid = (pid_t)gettid();
    /* No signal handler is installed and the signal mask is left alone: the
     * program sees no signal and no EINTR it would not see without graft.
     * A patch waits for the program's next admissible update point;
     * `graft apply --interrupt` wakes a blocked main thread, on request
     * (control.c). */
    on_exit(process_exits, NULL);
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    graft__channel_resolve_exec();
    graft__channel_start();
}

/* ---- the update point ------------------------------------------------- */

static int admissible(const struct graft_patch_info *p, unsigned id) {
    for (unsigned i = 0; i < p->n_points; i++)
        if (p->points[i] == id) return 1;
    return 0;
}

static void record(const struct graft_patch_info *p, long pause_us, unsigned id) {
    /* The last GRAFT_HISTORY_KEPT updates are kept (DEPLOY-8: a process updated
     * without end does not grow); graft__updates_total counts them all. */
    graft__updates_total++;
    if (graft__n_history == GRAFT_HISTORY_KEPT) {
        free(graft__history[0].from);
        free(graft__history[0].to);
        free(graft__history[0].description);
        memmove(graft__history, graft__history + 1, (graft__n_history - 1) * sizeof *graft__history);
        graft__n_history--;
    }
    struct graft_history *h = graft__history ? graft__history : malloc(GRAFT_HISTORY_KEPT * sizeof *h);
    if (!h) abort();
    graft__history = h;
    h += graft__n_history++;
    h->from = graft__version;
    h->to = dup_or(p->target_version, "");
    h->description = dup_or(p->description, "");
    h->pause_us = pause_us;
    h->point = id;
    h->at = (long long)time(NULL);
    h->pid = getpid();
    graft__version = dup_or(p->target_version, "");
}

static __attribute__((noinline)) void update_slow(unsigned id) {
    long long start = graft__now_us();
    unsigned flag = atomic_load(&graft__flag);
    if ((flag & GRAFT_FLAG_RESTART) && (atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_RESTART) & GRAFT_FLAG_RESTART)) {
        /* A forked child reached its first update point: this thread is its
         * main thread now, and it gets a channel of its own. */
        graft__main_thread = pthread_self();
        graft__main_tid = (pid_t)gettid();
        graft__channel_start();
    }
    if (!(flag & GRAFT_FLAG_PENDING)) return;

    pthread_mutex_lock(&graft__mu);
    struct graft_pending *p = graft__pending;
    if (!p || p->state != GRAFT_WAITING) { pthread_mutex_unlock(&graft__mu); return; }
    p->points_seen++;
    pid_t self = (pid_t)gettid();
    unsigned k = 0;
    while (k < p->n_seen && p->seen[k] != self) k++;
    if (k == p->n_seen) {
        if (p->n_seen == p->cap_seen) {
            unsigned cap = p->cap_seen ? 2 * p->cap_seen : 8;
            pid_t *seen = realloc(p->seen, cap * sizeof *seen);
            if (seen) { p->seen = seen; p->cap_seen = cap; }
        }
        if (p->n_seen < p->cap_seen) p->seen[p->n_seen++] = self;
    }
    if (!admissible(p->info, id)) { pthread_mutex_unlock(&graft__mu); return; }

    /* UPD-5: the patch is applied only while every thread of the program is at
     * an admissible update point. This one waits here for the others; the last
     * to arrive applies it. The control thread withdraws or refuses it (the
     * state changes) when they do not all come. */
    if (p->parked == 0) p->first_parked_us = start;
    /* DEPLOY-8: while a loaded patch might be unloaded at this commit, each
     * parked thread says where its stack returns to (unwound by itself). */
    struct graft_stack stack;
    if (atomic_load(&graft__unload_watch)) graft__stack_record(&stack);
    else stack.complete = 0, stack.n = 0;
    if (p->parked < 256) p->stacks[p->parked] = &stack;
    if (p->parked < 256) p->parked_tids[p->parked] = self;
    p->parked++;
    pthread_cond_broadcast(&graft__cv);
    int applier = 0;
    while (p->state == GRAFT_WAITING) {
        int threads = GRAFT_RULE_AT("UPD-5", "commit") ? graft__program_threads(p->why, sizeof p->why) : (int)p->parked;
        if (threads < 0) {
            p->state = GRAFT_REFUSED;   /* why: the threads cannot be counted */
            graft__pending = NULL;
            atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_PENDING);
            pthread_cond_broadcast(&graft__cv);
            break;
        }
        if ((int)p->parked >= threads) { applier = 1; break; }
        /* Threads may exit while this one waits: look again now and then. */
        long long until = graft__now_us() + 100000;
        struct timespec ts = { .tv_sec = until / 1000000, .tv_nsec = (long)(until % 1000000) * 1000 };
        pthread_cond_timedwait(&graft__cv, &graft__mu, &ts);
    }
    if (!applier) {
        /* Applied by another thread, withdrawn, refused, or the process exits. */
        while (p->state == GRAFT_APPLYING) pthread_cond_wait(&graft__cv, &graft__mu);
        for (unsigned i = 0; i < p->parked && i < 256; i++)
            if (p->parked_tids[i] == self) {
                unsigned last = p->parked - 1 < 256 ? p->parked - 1 : 255;
                p->parked_tids[i] = p->parked_tids[last];
                p->stacks[i] = p->stacks[last];
                break;
            }
        p->parked--;
        pthread_cond_broadcast(&graft__cv);
        pthread_mutex_unlock(&graft__mu);
        return;
    }
    p->state = GRAFT_APPLYING;          /* from here on the control thread cannot withdraw it */
    pthread_mutex_unlock(&graft__mu);

    const struct graft_patch_info *info = p->info;
    graft__types_commit(info);
    for (unsigned i = 0; i < info->n_rebind; i++)
        __atomic_store_n((void **)p->slots[i], info->rebind[i].function, __ATOMIC_RELEASE);
    if (info->state_transformer) info->state_transformer();
    /* DEPLOY-8: every thread is still parked here; their stacks say what they can return to. */
    if (atomic_load(&graft__unload_watch)) graft__unload_choose(info, p->stacks, p->parked < 256 ? p->parked : 0, p->parked);

    pthread_mutex_lock(&graft__mu);
    long pause = (long)(graft__now_us() - p->first_parked_us);
    record(info, pause, id);
    p->pause_us = pause;
    p->point = id;
    p->state = GRAFT_APPLIED;
    p->parked--;
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
    size_t old_size, new_size, new_align;
    void (*transform)(const void *, void *);
    int extends;
    struct type_step *next;
};

/* What the side table knows of one object (REP-2): its representation, the
 * bytes it has in place, and where its payload is when that did not fit. */
struct object_rep {
    uintptr_t addr;                     /* 0: an empty slot; 1: a deleted one */
    unsigned tag;
    size_t room;
    void *ext;
    unsigned born;                      /* REP-8: the representation it was made with (its pinned fields' layout); 0: the base */
};

struct type_entry {
    char *name;
    unsigned current;                   /* the representation the process uses now */
    unsigned base;                      /* the representation of every object the table has no entry for */
    size_t base_size;                   /* the room of a base object: its size, or up to its first pinned field (REP-8) */
    const struct graft_type **views;    /* every build's view of it, by representation (REP-8: where its pinned fields are) */
    size_t n_views;
    struct graft_type_state *state;     /* the type's shared state: its pending word */
    unsigned *known;                    /* every representation seen: the program's, patches' */
    size_t n_known;
    struct type_step *steps;            /* newest first */
    unsigned long conversions;
    struct object_rep *table;           /* open addressing, linear probing */
    size_t cap, used, filled;           /* slots, live entries, live + deleted */
    struct type_entry *next;
};

/* Recursive: a transform may itself reach a wrapped value through its con function. */
static pthread_mutex_t types_mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;    /* declared above, for fork */
static struct type_entry *types;
static atomic_int any_pending;          /* some type is pending: graft_free consults the tables */

static struct type_entry *find_type(const char *name) {
    for (struct type_entry *t = types; t; t = t->next)
        if (strcmp(t->name, name) == 0) return t;
    return NULL;
}

static int is_known(const struct type_entry *t, unsigned tag) {
    for (size_t i = 0; i < t->n_known; i++)
        if (t->known[i] == tag) return 1;
    return 0;
}

static void add_known(struct type_entry *t, unsigned tag) {
    if (is_known(t, tag)) return;
    unsigned *k = realloc(t->known, (t->n_known + 1) * sizeof *k);
    if (!k) abort();
    t->known = k;
    t->known[t->n_known++] = tag;
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

/* ---- the side table (under types_mu) ---- */

static size_t slot_of(uintptr_t a, size_t cap) {
    uint64_t h = (uint64_t)a * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

static struct object_rep *lookup(struct type_entry *t, const void *obj) {
    if (!t->cap) return NULL;
    uintptr_t a = (uintptr_t)obj;
    for (size_t i = slot_of(a, t->cap), n = 0; n < t->cap; i = (i + 1) & (t->cap - 1), n++) {
        if (t->table[i].addr == a) return &t->table[i];
        if (t->table[i].addr == 0) return NULL;
    }
    return NULL;
}

static void insert_raw(struct object_rep *tab, size_t cap, struct object_rep r) {
    for (size_t i = slot_of(r.addr, cap);; i = (i + 1) & (cap - 1))
        if (tab[i].addr <= 1) { tab[i] = r; return; }
}

static void put(struct type_entry *t, const void *obj, unsigned tag, size_t room, void *ext, unsigned born) {
    struct object_rep *e = lookup(t, obj);
    if (e) { e->tag = tag; e->room = room; e->ext = ext; e->born = born; return; }
    if ((t->filled + 1) * 4 >= t->cap * 3) {
        size_t cap = t->cap ? t->cap : 64;
        while ((t->used + 1) * 2 >= cap) cap *= 2;
        struct object_rep *tab = calloc(cap, sizeof *tab);
        if (!tab) fatal("out of memory for the representation table of %s", t->name);
        for (size_t i = 0; i < t->cap; i++)
            if (t->table[i].addr > 1) insert_raw(tab, cap, t->table[i]);
        free(t->table);
        t->table = tab;
        t->cap = cap;
        t->filled = t->used;
    }
    insert_raw(t->table, t->cap, (struct object_rep){ (uintptr_t)obj, tag, room, ext, born });
    t->used++;
    t->filled++;
}

static void forget(struct type_entry *t, const void *obj) {
    struct object_rep *e = lookup(t, obj);
    if (!e) return;
    e->addr = 1;
    t->used--;
}

/* ---- views ---- */

/* REP-8: the bytes of an object of view v that a conversion may overwrite in
 * place: up to its first pinned field (its flexible array member, a field a
 * library keeps the address of), or all of it. */
static size_t view_room(const struct graft_type *v) {
    size_t room = v->size;
    for (unsigned i = 0; i < v->n_pinned; i++)
        if (v->pinned[i].offset < room) room = v->pinned[i].offset;
    return room;
}

/* The view of t's representation `tag` some build registered, if any. */
static const struct graft_type *view_of(const struct type_entry *t, unsigned tag) {
    for (size_t i = 0; i < t->n_views; i++)
        if (t->views[i]->tag == tag) return t->views[i];
    return NULL;
}

/* Registers one build's view; the first view of a name sets its current and
 * base representation and the state every later view must share. */
static struct type_entry *register_view(const struct graft_type *v, int makes_current) {
    struct type_entry *t = find_type(v->name);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t) abort();
        t->name = dup_or(v->name, "");
        t->current = t->base = v->tag;
        t->base_size = view_room(v);
        t->state = v->state;
        t->next = types;
        types = t;
    }
    if (makes_current) t->current = v->tag;
    add_known(t, v->tag);
    if (!view_of(t, v->tag)) {
        const struct graft_type **vs = realloc(t->views, (t->n_views + 1) * sizeof *vs);
        if (!vs) abort();
        vs[t->n_views++] = v;
        t->views = vs;
    }
    return t;
}

void graft_register_types(const struct graft_type *const *v, unsigned n) {
    pthread_mutex_lock(&types_mu);
    for (unsigned i = 0; i < n; i++)
        if (v[i] && v[i]->name) register_view(v[i], 0);
    pthread_mutex_unlock(&types_mu);
}

unsigned graft_type_current(const char *name) {
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = name ? find_type(name) : NULL;
    unsigned c = t ? t->current : 0;
    pthread_mutex_unlock(&types_mu);
    return c;
}

/* Whether update `u` may be applied to the running program; else says why. */
int graft__type_check(const struct graft_type_update *u, char *why, size_t n) {
    if (!u->type) { snprintf(why, n, "a type update names no type"); return 0; }
    int ok = 0;
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = find_type(u->type);
    if (!t)
        snprintf(why, n, "%s is not a wrapped type of this program", u->type);
    else if (u->from_tag != t->current)
        snprintf(why, n, "%s has representation %08x in the process, the patch converts from %08x", u->type, t->current, u->from_tag);
    else if (u->to_tag == u->from_tag || !u->to_tag)
        snprintf(why, n, "%s: the patch converts to an invalid representation %08x", u->type, u->to_tag);
    else if (!u->transform)
        snprintf(why, n, "%s: the type update has no transform", u->type);
    else
        ok = 1;
    pthread_mutex_unlock(&types_mu);
    return ok;
}

/* `[{"type":…,"representation":"…","conversions":N,"tracked":N},…]` for STATUS. */
void graft__types_json(FILE *f) {
    pthread_mutex_lock(&types_mu);
    fputc('[', f);
    int first = 1;
    for (struct type_entry *t = types; t; t = t->next) {
        fputs(first ? "{\"type\":" : ",{\"type\":", f);
        graft__json_str(f, t->name);
        fprintf(f, ",\"representation\":\"%08x\",\"conversions\":%lu,\"tracked\":%zu}", t->current, t->conversions, t->used);
        first = 0;
    }
    fputc(']', f);
    pthread_mutex_unlock(&types_mu);
}

/* Whether the patch's code sees every wrapped type the process has as the
 * process will have it after the patch; else says why. */
int graft__views_check(const struct graft_patch_info *info, char *why, size_t n) {
    int ok = 1;
    pthread_mutex_lock(&types_mu);
    for (unsigned i = 0; ok && i < info->n_existing && i < info->n_wrapped; i++) {
        const struct graft_type *v = info->wrapped ? info->wrapped[i] : NULL;
        if (!v || !v->name) { snprintf(why, n, "the patch's wrapped type %u has no name", i); ok = 0; break; }
        struct type_entry *t = find_type(v->name);
        unsigned after = t ? t->current : 0;
        for (unsigned j = 0; j < info->n_types; j++)
            if (info->types[j].type && strcmp(info->types[j].type, v->name) == 0) after = info->types[j].to_tag;
        if (!t) {
            snprintf(why, n, "the patch's code expects %s to be wrapped, and this process does not wrap it", v->name);
            ok = 0;
        } else if (v->state != t->state || !v->state) {
            snprintf(why, n, "the patch's code does not share the process's state of %s (graft_ts_ symbol not bound)", v->name);
            ok = 0;
        } else if (after != v->tag) {
            snprintf(why, n, "the patch's code expects %s in representation %08x, the process has %08x (the patch was built from another release than the one running)",
                     v->name, v->tag, after);
            ok = 0;
        }
    }
    pthread_mutex_unlock(&types_mu);
    return ok;
}

/* Installs a patch's types: its views, then its representation changes. */
void graft__types_commit(const struct graft_patch_info *info) {
    pthread_mutex_lock(&types_mu);
    for (unsigned i = 0; i < info->n_wrapped; i++)
        if (info->wrapped && info->wrapped[i] && info->wrapped[i]->name) register_view(info->wrapped[i], 0);
    for (unsigned i = 0; i < info->n_types; i++) {
        const struct graft_type_update *u = &info->types[i];
        struct type_step *s = calloc(1, sizeof *s);
        if (!s) abort();
        s->from = u->from_tag;
        s->to = u->to_tag;
        s->old_size = u->old_size;
        s->new_size = u->new_size;
        s->new_align = u->new_align ? u->new_align : 1;
        s->transform = u->transform;
        s->extends = u->extends;
        struct type_entry *t = find_type(u->type);
        s->next = t->steps;
        t->steps = s;
        add_known(t, u->from_tag);
        add_known(t, u->to_tag);
        t->current = u->to_tag;
        /* From now on every con function of the type asks graft_con (REP-2). */
        atomic_store(&any_pending, 1);
        __atomic_store_n(&t->state->pending, (void *)t, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&types_mu);
}

/* DEPLOY-8: whether the registry holds anything in [lo, hi): a conversion's
 * transform, a representation's view, a type's shared state. */
int graft__types_hold(uintptr_t lo, uintptr_t hi) {
    int held = 0;
    pthread_mutex_lock(&types_mu);
    for (struct type_entry *t = types; t && !held; t = t->next) {
        held |= (uintptr_t)t->state >= lo && (uintptr_t)t->state < hi;
        for (size_t i = 0; i < t->n_views && !held; i++) held |= (uintptr_t)t->views[i] >= lo && (uintptr_t)t->views[i] < hi;
        for (struct type_step *s = t->steps; s && !held; s = s->next) held |= (uintptr_t)s->transform >= lo && (uintptr_t)s->transform < hi;
    }
    pthread_mutex_unlock(&types_mu);
    return held;
}

static struct type_step *step_from(struct type_entry *t, unsigned from) {
    for (struct type_step *s = t->steps; s; s = s->next)
        if (s->from == from) return s;
    return NULL;
}

/* Whether the steps lead from `from` to `to`. */
static int leads(struct type_entry *t, unsigned from, unsigned to, int only_extending) {
    for (unsigned v = from, guard = 0; guard < 1000; guard++) {
        if (v == to) return 1;
        struct type_step *s = step_from(t, v);
        if (!s || (only_extending && !s->extends)) return 0;
        v = s->to;
    }
    return 0;
}

void graft_note(const struct graft_type *want, void *obj) {
    if (!obj || !GRAFT_RULE("REP-3")) return;
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = find_type(want->name);
    if (!t) t = register_view(want, 0);
    /* REP-8: its pinned fields are where this code put them, and its room ends at the first. */
    put(t, obj, want->tag, view_room(want), NULL, want->tag);
    pthread_mutex_unlock(&types_mu);
}

static void drop_inner(uintptr_t lo, size_t len);

void graft_free(void *p) {
    if (p && atomic_load_explicit(&any_pending, memory_order_relaxed)) {
        pthread_mutex_lock(&types_mu);
        for (struct type_entry *t = types; t; t = t->next) {
            struct object_rep *e = lookup(t, p);
            if (!e) continue;
            /* The heap payload goes with its object (REP-5: nothing may keep a pointer into it). */
            if (e->ext) {
                forget(t, e->ext);
                /* REP-7: and so do the wrapped records the heap payload holds. */
                drop_inner((uintptr_t)e->ext, malloc_usable_size(e->ext));
                free(e->ext);
            }
            forget(t, p);
        }
        pthread_mutex_unlock(&types_mu);
    }
    free(p);
}

/* The entries of t for objects at addresses in [lo, lo + len): by probing
 * each address when that is fewer lookups than the table has slots, else by
 * a scan. Written to out (at most `max`); returns how many. */
static size_t entries_in(struct type_entry *t, uintptr_t lo, size_t len, struct object_rep *out, size_t max) {
    size_t n = 0;
    if (!t->cap || !t->used || !len) return 0;
    if (len < t->cap) {
        for (size_t k = 0; k < len && n < max; k++) {
            struct object_rep *e = lookup(t, (const void *)(lo + k));
            if (e) out[n++] = *e;
        }
    } else {
        for (size_t i = 0; i < t->cap && n < max; i++)
            if (t->table[i].addr > 1 && t->table[i].addr - lo < len) out[n++] = t->table[i];
    }
    return n;
}

/* A copy of t's entries at [lo, lo + len), *n of them (NULL when t has
 * none): the table may change while the caller goes through them. */
static struct object_rep *entries_copy(struct type_entry *t, uintptr_t lo, size_t len, size_t *n) {
    *n = 0;
    if (!t->used) return NULL;
    struct object_rep *out = malloc(t->used * sizeof *out);
    if (!out) fatal("out of memory reading the representation table of %s", t->name);
    *n = entries_in(t, lo, len, out, t->used);
    return out;
}

/* Drops an entry and the heap payload that goes with it (as graft_free does). */
static void drop(struct type_entry *t, const struct object_rep *e) {
    if (e->ext) { forget(t, e->ext); free(e->ext); }
    forget(t, (const void *)e->addr);
}

/* REP-6: realloc() for code graft builds. What the side tables know of the
 * objects in the block moves with their bytes: an entry at offset k of the
 * old block is at offset k of the new one when the new block still holds
 * it — with its representation, its room and its heap payload (REP-5),
 * which stays where it is; an entry the block no longer holds is dropped
 * with its heap payload. Entries at the new block's addresses that no
 * object of it had (stale: memory freed where graft_free did not see it)
 * are dropped. A failed realloc changes nothing. */
void *graft_realloc(void *p, size_t n) {
    /* Mutation testing: REP-6 switched off moves nothing (a plain realloc). */
    if (!p || !atomic_load_explicit(&any_pending, memory_order_relaxed) || !GRAFT_RULE("REP-6")) return realloc(p, n);
    pthread_mutex_lock(&types_mu);
    size_t old_len = malloc_usable_size(p);
    uintptr_t from = (uintptr_t)p;
    void *q = realloc(p, n);
    if (!q && n) { pthread_mutex_unlock(&types_mu); return NULL; }
    uintptr_t to = (uintptr_t)q;
    size_t kept = !q ? 0 : n < old_len ? n : old_len;
    size_t new_len = q ? malloc_usable_size(q) : 0;
    for (struct type_entry *t = types; t; t = t->next) {
        size_t k;
        struct object_rep *moved = entries_copy(t, from, old_len, &k);
        if (!moved) continue;
        for (size_t i = 0; i < k; i++) {
            size_t off = moved[i].addr - from;
            if (off >= kept) drop(t, &moved[i]);
            else if (to != from) forget(t, (const void *)moved[i].addr);
        }
        /* The new block's memory that was not this block's held none of its objects. */
        uintptr_t lo = to == from ? from + old_len : to;
        size_t len = to == from ? (new_len > old_len ? new_len - old_len : 0) : new_len;
        if (q && len) {
            size_t n;
            struct object_rep *stale = entries_copy(t, lo, len, &n);
            for (size_t i = 0; i < n; i++) drop(t, &stale[i]);
            free(stale);
        }
        for (size_t i = 0; i < k && to != from; i++) {
            size_t off = moved[i].addr - from;
            if (off >= kept) continue;
            put(t, (const void *)(to + off), moved[i].tag, moved[i].room, moved[i].ext, moved[i].born);
        }
        free(moved);
    }
    pthread_mutex_unlock(&types_mu);
    return q;
}

void *graft_reallocarray(void *p, size_t n, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) { errno = ENOMEM; return NULL; }
    return graft_realloc(p, bytes);
}

/* The live payload the innermost conversion of this thread reads
 * (graft_con_inner finds an embedded object's old value there, REP-7). */
static __thread const unsigned char *converting;

/* REP-7: the entries of objects at [from, from + len) move to the same
 * offsets of [to, to + len): a value holding wrapped records was copied. */
static void move_inner(uintptr_t from, size_t len, uintptr_t to) {
    if (from == to || !len) return;
    for (struct type_entry *t = types; t; t = t->next) {
        size_t k;
        struct object_rep *moved = entries_copy(t, from, len, &k);
        if (!moved) continue;
        for (size_t i = 0; i < k; i++) forget(t, (const void *)moved[i].addr);
        for (size_t i = 0; i < k; i++) {
            put(t, (const void *)(to + (moved[i].addr - from)), moved[i].tag, moved[i].room, moved[i].ext, moved[i].born);
        }
        free(moved);
    }
}

/* REP-7: what the side tables know of objects at [lo, lo + len) goes: their value was converted elsewhere. */
static void drop_inner(uintptr_t lo, size_t len) {
    for (struct type_entry *t = types; t; t = t->next) {
        size_t k;
        struct object_rep *gone = entries_copy(t, lo, len, &k);
        if (!gone) continue;
        for (size_t i = 0; i < k; i++) drop(t, &gone[i]);
        free(gone);
    }
}

void graft_con_inner(const struct graft_type *want, size_t old_offset, void *dest) {
    pthread_mutex_lock(&types_mu);
    if (!converting) fatal("graft_con_inner for a %s outside a conversion", want->name);
    void *src = (void *)(converting + old_offset);
    /* Mutation testing: REP-7 switched off copies the old bytes, as a field copy would. */
    if (!GRAFT_RULE("REP-7")) { memcpy(dest, src, want->size); pthread_mutex_unlock(&types_mu); return; }
    struct type_entry *t = find_type(want->name);
    if (!t) t = register_view(want, 0);
    /* The embedded object, at this code's representation (it may convert, through its own steps). */
    void *value = graft_con(want, src);
    memcpy(dest, value, want->size);
    /* What it holds in turn moves with it; then it lives at dest, and its old entry (and heap value) goes. */
    move_inner((uintptr_t)value, want->size, (uintptr_t)dest);
    struct object_rep *e = lookup(t, src);
    int known = e != NULL;
    if (e) drop(t, e);
    if (known || t->steps) put(t, dest, want->tag, want->size, NULL, want->tag);
    pthread_mutex_unlock(&types_mu);
}

void *graft_pinned(const struct graft_type *want, void *obj, unsigned k) {
    if (k >= want->n_pinned) fatal("graft_pinned: %s has no pinned field %u", want->name, k);
    size_t off = want->pinned[k].offset;
    if (!obj) return (char *)obj + off;     /* `&((struct T *)0)->data`: an address, no object */
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = find_type(want->name);
    if (!t) t = register_view(want, 0);
    struct object_rep *e = lookup(t, obj);
    /* The field where the layout the object was made with put it (the base's, for an object the table does not know). */
    const struct graft_type *born = view_of(t, e && e->born ? e->born : t->base);
    if (born && born != want) {
        unsigned i = 0;
        while (i < born->n_pinned && strcmp(born->pinned[i].field, want->pinned[k].field) != 0) i++;
        if (i == born->n_pinned) fatal("%s's field '%s' is pinned in this code but not in representation %08x", want->name, want->pinned[k].field, born->tag);
        off = born->pinned[i].offset;
    }
    pthread_mutex_unlock(&types_mu);
    return (char *)obj + off;
}

void *graft_con(const struct graft_type *want, void *obj) {
    if (!obj) return obj;               /* `&((struct T *)0)->f`: an address, no object */
    pthread_mutex_lock(&types_mu);
    struct type_entry *t = find_type(want->name);
    if (!t) t = register_view(want, 0);
    struct object_rep *e = lookup(t, obj);
    unsigned have = e ? e->tag : t->base;
    size_t room = e ? e->room : t->base_size;
    /* REP-8: the pinned fields stay where they are, whatever the conversion does with the rest. */
    unsigned born = e && e->born ? e->born : t->base;
    void *payload = e && e->ext ? e->ext : obj;
    void *result = payload;
    if (have == want->tag) {
        /* Converted already, or made by code of this representation. */
    } else if (leads(t, have, want->tag, 0)) {
        /* Forward, one transform at a time (REP-4). */
        for (unsigned v = have; v != want->tag;) {
            struct type_step *s = step_from(t, v);
            unsigned char small[512];
            unsigned char *old = s->old_size <= sizeof small ? small : malloc(s->old_size);
            if (!old) fatal("out of memory converting a %s", want->name);
            /* In place, an object holds its room: with a flexible array member, less than its size. */
            size_t held = payload == obj && room < s->old_size ? room : s->old_size;
            memcpy(old, payload, held);
            memset(old + held, 0, s->old_size - held);
            unsigned char *fresh = calloc(1, s->new_size ? s->new_size : 1);
            if (!fresh) fatal("out of memory converting a %s", want->name);
            /* The transformer reaches the new value through con functions: it is of the new representation. */
            put(t, fresh, s->to, s->new_size, NULL, s->to);
            const unsigned char *outer = converting;
            converting = payload;
            s->transform(old, fresh);
            converting = outer;
            if (old != small) free(old);
            void *prev_ext = payload != obj ? payload : NULL;
            int aligned = (uintptr_t)obj % s->new_align == 0;
            int in_place = s->new_size <= room && aligned;
            /* Mutation testing: REP-4 switched off converts nothing in place, REP-5 switched off moves nothing to the heap. */
            if (!GRAFT_RULE("REP-4")) in_place = 0;
            if (!GRAFT_RULE("REP-5")) in_place = aligned;
            if (in_place) {
                /* REP-4: in place; the object keeps its address and every byte after the payload. */
                memcpy(obj, fresh, s->new_size);
                forget(t, fresh);
                /* REP-7: the wrapped records the new value holds are at obj now. */
                move_inner((uintptr_t)fresh, s->new_size, (uintptr_t)obj);
                free(fresh);
                payload = obj;
                put(t, obj, s->to, room, NULL, born);
            } else {
                /* REP-5: the payload outgrew the object: onto the heap. */
                payload = fresh;
                put(t, obj, s->to, room, fresh, born);
            }
            if (prev_ext) { forget(t, prev_ext); drop_inner((uintptr_t)prev_ext, s->old_size); free(prev_ext); }
            t->conversions++;
            v = s->to;
        }
        result = payload;
    } else if (leads(t, want->tag, have, GRAFT_RULE_AT("UPD-2", "runtime"))) {
        /* Old code reading a value a patch extended (UPD-2). */
    } else {
        fatal("cannot convert a %s from representation %08x to %08x", want->name, have, want->tag);
    }
    pthread_mutex_unlock(&types_mu);
    return result;
}
