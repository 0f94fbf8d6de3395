/* runtime_internal.h — state shared by the runtime's files (not installed). */
#ifndef GRAFT_RUNTIME_INTERNAL_H
#define GRAFT_RUNTIME_INTERNAL_H
#include <stdio.h>
#include "graft_runtime.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdint.h>
#include <sys/types.h>

/* Bits of graft__flag, the word the update point loads. */
#define GRAFT_FLAG_PENDING 1u   /* a patch waits for an admissible update point */
#define GRAFT_FLAG_RESTART 2u   /* a forked child: open its own channel at the next update point */

enum graft_patch_state { GRAFT_WAITING, GRAFT_APPLYING, GRAFT_APPLIED, GRAFT_WITHDRAWN, GRAFT_REFUSED,
                         GRAFT_EXITED /* the process exits while the patch waits */ };

/* A patch that passed every check and waits for the program's threads to be
 * at admissible update points (UPD-5). Owned by the control thread that
 * received it, which frees it only once no thread waits at a point; the
 * program's threads touch it under graft__mu, and the one that applies it
 * alone while it is APPLYING. */
/* DEPLOY-8: where a thread's stack returns to, innermost first; complete
 * when the unwinder reached its end (else nothing is unloaded). */
#define GRAFT_STACK_FRAMES 128
struct graft_stack {
    unsigned n;
    int complete;
    uintptr_t pc[GRAFT_STACK_FRAMES];
};

struct graft_pending {
    const struct graft_patch_info *info;
    void **slots;                   /* resolved address of each rebind slot */
    enum graft_patch_state state;
    unsigned long points_seen;      /* update points reached while waiting */
    long pause_us;
    unsigned point;
    char why[512];                  /* REFUSED: the reason */
    int exit_status;                /* EXITED: the status the program passed to exit */
    /* UPD-5: every thread of the program must be at an admissible point at once. */
    unsigned parked;                /* threads waiting at an admissible update point */
    pid_t parked_tids[256];         /* which (the first 256) */
    long long first_parked_us;      /* when the first of them arrived (the pause starts) */
    pid_t *seen;                    /* threads that reached an update point while the patch waited */
    unsigned n_seen, cap_seen;
    long long census_deadline;      /* several threads: by then every one must have reached a point (0: not yet) */
    int interrupt;                  /* graft apply --interrupt: wake the main thread with SIGURG */
    struct graft_stack *stacks[256]; /* DEPLOY-8: each parked thread's stack (in its own frame), as parked_tids */
};

struct graft_history {
    char *from, *to, *description;
    long pause_us;
    unsigned point;
    long long at;                   /* unix time */
    pid_t pid;                      /* the process it was applied in (a forked child inherits its parent's history) */
};

extern pthread_mutex_t graft__mu;   /* guards everything below */
extern pthread_cond_t graft__cv;    /* signalled when a pending patch changes state */
extern atomic_uint graft__flag;
extern struct graft_pending *graft__pending;
extern pthread_t graft__main_thread;
extern pid_t graft__main_tid;     /* its kernel thread id (/proc/self/task/<tid>) */
extern char *graft__version;        /* current version (changes with each update) */
extern char *graft__base_version;   /* the version the process started with */
extern char *graft__name;
extern struct graft_history *graft__history;
extern unsigned graft__n_history;      /* at most GRAFT_HISTORY_KEPT, the last ones */
extern unsigned long graft__updates_total;
#define GRAFT_HISTORY_KEPT 64
/* A forked child (Specs/updatability.md, UPD-9): the process that forked it,
 * when, and the version it ran then; 0/NULL in a process that was not forked
 * by an updatable one. graft__forks counts this process's own forks. */
extern pid_t graft__forked_from;
extern long long graft__forked_at;      /* unix time */
extern const char *graft__forked_version;
extern unsigned long graft__forks;

/* The runtime's own threads (control channel) are named GRAFT_THREAD_NAME.
 * graft__spawn starts one (detached, with the caller's signal mask) and
 * returns only once it carries the name, and graft__program_threads counts
 * under the same lock: a runtime thread is never counted as the program's,
 * nor a program thread missed. Every other thread of the process is the
 * program's. */
#define GRAFT_THREAD_NAME "graft-control"
int graft__spawn(void *(*fn)(void *), void *arg);   /* 0, or an errno */
/* UPD-5: the number of the program's threads, or -1 (reason in why). */
int graft__program_threads(char *why, size_t n);
/* The same count, with up to max of their thread ids in tids. */
int graft__program_thread_ids(pid_t *tids, int max);
/* "thread 123 ('prog', the main thread; waiting in futex_wait_queue)". */
void graft__describe_thread(pid_t tid, char *out, size_t n);
/* How long the census of UPD-5 lasts at most: every thread must reach an
 * update point within it (and within half the apply's timeout). */
#define GRAFT_CENSUS_US 5000000

/* control.c */
void graft__channel_start(void);
/* The process exits (on_exit, graft__mu held): a waiting patch is answered
 * EXITED with the status, and the exit waits (briefly) for the answer to go out. */
void graft__channel_exiting(int status);
void graft__channel_forked(void);   /* in a forked child, under graft__mu */
/* exec and _exit (control.c wraps them): the process's channel files go
 * first; if the exec fails, the channel comes back. */
void graft__channel_resolve_exec(void);    /* at start: the C library's exec functions */
void graft__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* runtime.c: the type registry */
int graft__type_check(const struct graft_type_update *u, char *why, size_t n);
void graft__types_commit(const struct graft_patch_info *info);
int graft__views_check(const struct graft_patch_info *info, char *why, size_t n);
void graft__types_json(FILE *f);
/* DEPLOY-8: whether the type registry holds anything in [lo, hi). */
int graft__types_hold(uintptr_t lo, uintptr_t hi);

/* unload.c (DEPLOY-8): superseded patches unloaded once nothing can still
 * run or refer to them. graft__unload_watch: a loaded patch might be, so
 * threads parking at an update point record their stacks. */
extern atomic_int graft__unload_watch;
void graft__stack_record(struct graft_stack *s);
/* At a commit, every thread parked (stacks[0..n_stacks) of `threads`): marks the patches to unload. */
void graft__unload_choose(const struct graft_patch_info *applied, struct graft_stack *const *stacks, unsigned n_stacks, unsigned threads);
/* In the control thread, once the patch `info` (loaded as handle from memfd,
 * its rebind slots resolved to slots[]) is applied and the threads resumed:
 * records it and unloads what the commit marked. */
void graft__unload_after_commit(void *handle, int memfd, const struct graft_patch_info *info, void *const *slots, const char *to);
/* STATUS "patches": loaded, unloaded, and why each loaded one stays. */
void graft__unload_json(FILE *f);

/* control.c: a JSON string literal for s (NULL: ""). */
void graft__json_str(FILE *f, const char *s);

/* Mutation testing (bench/mutate-checker.sh, Sources/IR/Rules.swift):
 * GRAFT_RULE("UPD-5") is 1, the rule is applied, unless this runtime was
 * compiled with -DGRAFT_MUTATION (only a graft built for mutation testing
 * passes it) and the process's GRAFT_MUTATE_RULE names the rule. */
#ifdef GRAFT_MUTATION
int graft__rule_enforced(const char *id, const char *site);
#define GRAFT_RULE(id) graft__rule_enforced(id, NULL)
#define GRAFT_RULE_AT(id, site) graft__rule_enforced(id, site)   /* "UPD-5/commit" switches off one site */
#else
#define GRAFT_RULE(id) 1
#define GRAFT_RULE_AT(id, site) 1
#endif

/* A monotonic clock in microseconds. */
long long graft__now_us(void);
/* patchfile.c — a patch file read and checked before anything of it is
 * loaded (Specs/deploy.md): its bytes, its digest, its base version, its
 * signature and whose it is. Returns the shared object (malloc'd, *size
 * bytes) or NULL with the REJECTED reply in *reply. */
#define GRAFT_PATCH_MAX_BYTES (64 << 20)
#define GRAFT_TRUSTED_KEYS_FILE "/etc/graft/trusted-keys"
/* A reply line, printf-style (malloc'd; NULL when out of memory). */
char *graft__format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned char *graft__read_patch(const char *path, int given, size_t *size, char **reply);
/* DEPLOY-5: why the shared object so[0, n) is not one graft made (it would
 * run code of its own when loaded), or NULL. */
const char *graft__elf_problem(const unsigned char *so, size_t n);
/* The bytes of section `name` of so[0, n) (*len of them), found through the
 * section headers; NULL when it has none. */
const unsigned char *graft__elf_section(const unsigned char *so, size_t n, const char *name, size_t *len);
/* The Ed25519 public keys the program was built to trust, and whether it
 * accepts unsigned patches (a development build): set at start-up. */
extern const unsigned char (*graft__trusted_keys)[32];
extern unsigned graft__n_trusted_keys;
extern int graft__accept_unsigned;

#endif
