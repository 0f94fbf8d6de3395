/* control.c — the per-process control channel: a Unix socket <pid>.sock in
 * a directory of the process's uid that no other user can write (DEPLOY-9:
 * $XDG_RUNTIME_DIR/graft, /run/user/<uid>/graft, /run/graft for root, or
 * /tmp/graft-<uid>), served by a background thread.
 * Requests are one text line each, answered with one line:
 *   STATUS                   → JSON: version, base version, update history
 *   APPLY <path> <seconds>   → APPLIED … | REJECTED … | TIMEOUT …
 *   ROLLBACK <seconds>       → the same, for the last applied patch's patch
 *                              back (DEPLOY-7), kept here when it applied
 * A patch is checked completely here (integrity, base version, slots, types)
 * before it is handed to the main thread, which applies it at the next
 * admissible update point (runtime.c).
 *
 * Forks (UPD-9): a forked child closes the parent's listening sockets and
 * opens its own channel, under its own pid, at its first update point; a
 * child that execs or exits before that never has one. A process's channel
 * files go when it exits (atexit), calls _exit/_Exit, or execs (the exec
 * family is wrapped below; if the exec fails the channel is made again at the
 * same path). Only a process killed by a signal leaves its file, and the next
 * channel made in the directory removes it (sweep_stale). */
#define _GNU_SOURCE
#include "runtime_internal.h"
#include "sha256.h"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static char sock_path[sizeof ((struct sockaddr_un *)0)->sun_path];
static pid_t sock_owner;        /* the process that created sock_path */
static int listen_fd = -1;
/* A program started as root that drops to another uid (privilege drop) gets a
 * second channel, in the new uid's directory, once that uid may control it
 * (see may_control): the first one, in root's directory, stays root's. */
static char sock_path2[sizeof sock_path];
static int listen_fd2 = -1;
static uid_t channel_uid;       /* the uid sock_path was made for */
static int may_change_uid;      /* started privileged: the accept loop watches for a drop */
static int apply_busy;          /* an APPLY or ROLLBACK is being handled (under graft__mu) */

/* What the last applied patch carried for `graft rollback` (under graft__mu):
 * the shared object of its patch back (part of the bytes its signature
 * covers, kept here so that nothing is read again from a file someone may
 * have changed since), the version it returns to, or why there is none. */
struct way_back {
    unsigned char *so;
    size_t n;
    char *none;                     /* no patch back: why */
};
static struct way_back back;        /* so == NULL && none == NULL: no update applied yet */
static char *back_to;               /* the version before the last update */

void graft__warn(const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "graft: warning: %s: %s\n", graft__name ? graft__name : "program", msg);
}

/* ---- where the channel lives (DEPLOY-9) --------------------------------- */

/* The directory of a channel, and what was passed over to find it. */
struct channel_dir {
    char path[80];                  /* sun_path is 108 bytes: room for "/<pid>.sock" */
    int temporary;                  /* made by mkdtemp: removed at exit when empty */
    char note[400];                 /* why it is not the first place DEPLOY-9 names, when that says something */
};
static struct channel_dir dir1, dir2;   /* the first channel's; the one made after a privilege drop */
static uid_t started_uid;           /* the real uid the program started with (XDG_RUNTIME_DIR is that uid's) */
static int started_uid_known;

static void remove_socket(void) {
    if (sock_owner != getpid()) return;
    if (sock_path[0]) unlink(sock_path);     /* fails after a privilege drop: the next process's sweep removes it */
    if (sock_path2[0]) unlink(sock_path2);
    /* A directory of our own made by mkdtemp: removed once no process's socket is in it. */
    if (dir1.temporary) rmdir(dir1.path);
    if (dir2.temporary) rmdir(dir2.path);
}

/* Whether `path` is a directory (not a link) of `uid`'s that no other user
 * can write to (`exact`: nor read or enter, mode 700). */
static int dir_of(const char *path, uid_t uid, int exact, char *why, size_t n) {
    struct stat st;
    if (lstat(path, &st) != 0) { snprintf(why, n, "%s: %s", path, strerror(errno)); return 0; }
    if (!S_ISDIR(st.st_mode)) { snprintf(why, n, "%s is not a directory", path); return 0; }
    if (st.st_uid != uid) { snprintf(why, n, "%s belongs to uid %u, not to uid %u", path, (unsigned)st.st_uid, (unsigned)uid); return 0; }
    if (st.st_mode & (exact ? 077 : 022)) {
        snprintf(why, n, "%s is open to other users (mode %03o; it must be %s)", path, (unsigned)(st.st_mode & 0777), exact ? "700" : "writable by its owner alone");
        return 0;
    }
    return 1;
}

/* `base`/graft, created 700, when `base` is the uid's own and writable by it alone. */
static int dir_under(struct channel_dir *d, const char *base, uid_t uid, char *why, size_t n) {
    if (!dir_of(base, uid, 0, why, n)) return 0;
    if ((size_t)snprintf(d->path, sizeof d->path, "%s/graft", base) >= sizeof d->path) {
        snprintf(why, n, "%s is too long a path for a Unix socket", base);
        return 0;
    }
    if (mkdir(d->path, 0700) != 0 && errno != EEXIST) { snprintf(why, n, "cannot create %s: %s", d->path, strerror(errno)); return 0; }
    return dir_of(d->path, uid, 1, why, n);
}

/* The channel's directory for the current uid, the first of (DEPLOY-9):
 *   $XDG_RUNTIME_DIR/graft   while the real uid is the one the program started with
 *   /run/user/UID/graft      (systemd-logind's per-user directory)
 *   /run/graft               for root
 *   /tmp/graft-UID           created 700, the uid's own
 *   /tmp/graft-UID.XXXXXX    made by mkdtemp when /tmp/graft-UID is not usable
 *                            (another user made it, or it is a link): said in a
 *                            warning and in STATUS, and no one can pre-create it
 * `keep`: an earlier temporary directory to use again (a forked child's). */
static int channel_dir_choose(struct channel_dir *d, const struct channel_dir *keep, char *why, size_t n) {
    uid_t uid = getuid();
    char no[256];
    d->temporary = 0;
    d->note[0] = 0;
    /* XDG_RUNTIME_DIR set but not usable is said; a machine without /run/user is not. */
    char xdg_no[256] = "";
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && xdg[0] && started_uid_known && uid == started_uid) {
        if (xdg[0] == '/' && dir_under(d, xdg, uid, xdg_no, sizeof xdg_no)) return 1;
        if (xdg[0] != '/') snprintf(xdg_no, sizeof xdg_no, "XDG_RUNTIME_DIR=%s is not an absolute path", xdg);
    }
    char base[64];
    snprintf(base, sizeof base, "/run/user/%u", (unsigned)uid);
    struct stat st;
    int found = (lstat(base, &st) == 0 && dir_under(d, base, uid, no, sizeof no))
             || (uid == 0 && dir_under(d, "/run", 0, no, sizeof no));
    if (!found) {
        snprintf(d->path, sizeof d->path, "/tmp/graft-%u", (unsigned)uid);
        if (mkdir(d->path, 0700) != 0 && errno != EEXIST) {
            snprintf(why, n, "cannot create %s: %s", d->path, strerror(errno));
            return 0;
        }
        char blocked[160];
        if (!dir_of(d->path, uid, 1, blocked, sizeof blocked)) {
            /* Someone else's, or a link, or opened up: a directory of our own that no one can have made first. */
            int again = keep && keep->temporary && dir_of(keep->path, uid, 1, no, sizeof no);
            if (again) *d = *keep;
            else {
                snprintf(d->path, sizeof d->path, "/tmp/graft-%u.XXXXXX", (unsigned)uid);
                if (!mkdtemp(d->path)) {
                    snprintf(why, n, "%s, and no directory can be made instead: %s", blocked, strerror(errno));
                    return 0;
                }
                d->temporary = 1;
            }
            snprintf(d->note, sizeof d->note, "%s; the channel is in %s instead", blocked, d->path);
            if (!again) graft__warn("%s (whoever made it cannot stop updates, but should be looked at)", d->note);
            return 1;
        }
    }
    if (xdg_no[0]) snprintf(d->note, sizeof d->note, "%s; the channel is in %s instead", xdg_no, d->path);
    return 1;
}

/* Sockets of processes that died without exiting (killed): removed. */
static void sweep_stale(const char *dir_path) {
    DIR *d = opendir(dir_path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (end == e->d_name || strcmp(end, ".sock") != 0 || pid <= 0) continue;
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

static void *accept_loop(void *arg);
/* The descriptors of the connections being served, and of the patch files
 * they passed: a forked child gets copies, which are not its own, and closes
 * them (graft__channel_forked). Under graft__mu. */
static int open_fds[64];
static unsigned n_open_fds;

/* What each descriptor of the channel is (device and inode, at creation):
 * the program may close it by number (closefrom, a loop of close) and get
 * the number back for something of its own, which the channel must then
 * neither close, poll nor accept on (Specs/updatability.md UPD-9: the
 * updatable build closes nothing of the program's). */
struct fd_id { dev_t dev; ino_t ino; };
static struct fd_id open_ids[64];
static struct fd_id listen_id, listen_id2;

static struct fd_id fd_id_of(int fd) {
    struct stat st;
    struct fd_id id = { 0, 0 };
    if (fd >= 0 && fstat(fd, &st) == 0) { id.dev = st.st_dev; id.ino = st.st_ino; }
    return id;
}

/* Whether `fd` is still the descriptor recorded as `id`. */
static int still_ours(int fd, struct fd_id id) {
    struct fd_id now = fd_id_of(fd);
    return fd >= 0 && id.ino != 0 && now.dev == id.dev && now.ino == id.ino;
}

static void close_if_ours(int fd, struct fd_id id) { if (still_ours(fd, id)) close(fd); }

/* A listening socket bound at `path`; -1 with the reason in why. */
static int bind_listen(const char *path, char *why, size_t n) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(why, n, "socket: %s", strerror(errno)); return -1; }
    unlink(path);                       /* left by an earlier process with this pid */
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
        snprintf(why, n, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* A listening socket <dir>/<pid>.sock in the directory DEPLOY-9 chooses for
 * the current uid (path into `path`); -1 with the reason in why. */
static int listen_at(struct channel_dir *dir, char *path, size_t pn, char *why, size_t n) {
    struct channel_dir keep = *dir;
    if (!channel_dir_choose(dir, &keep, why, n)) return -1;
    sweep_stale(dir->path);
    snprintf(path, pn, "%s/%d.sock", dir->path, (int)getpid());
    int fd = bind_listen(path, why, n);
    if (fd < 0) path[0] = 0;
    return fd;
}

void graft__channel_start(void) {
    static int atexit_done;
    char why[512];
    if (!started_uid_known) { started_uid = getuid(); started_uid_known = 1; }
    int fd = listen_at(&dir1, sock_path, sizeof sock_path, why, sizeof why);
    if (fd < 0) { graft__warn("no update channel: %s; the program runs but cannot be updated", why); return; }
    sock_owner = getpid();
    channel_uid = getuid();
    may_change_uid = geteuid() == 0 || getuid() == 0 || getuid() != geteuid();
    if (!atexit_done) { atexit(remove_socket); atexit_done = 1; }

    /* The control threads take no signals: those stay the program's. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    listen_fd = fd;
    listen_id = fd_id_of(fd);
    int err = graft__spawn(accept_loop, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        graft__warn("no update channel: cannot start its thread: %s", strerror(err));
        listen_fd = -1;
        close(fd);
        unlink(sock_path);
        return;
    }
}

/* In a forked child (graft__mu held): the parent's channel and pending patch
 * are not ours; the child opens its own channel at its first update point. */
void graft__channel_forked(void) {
    graft__pending = NULL;
    apply_busy = 0;
    for (unsigned i = 0; i < n_open_fds; i++) close_if_ours(open_fds[i], open_ids[i]);
    n_open_fds = 0;
    close_if_ours(listen_fd, listen_id);
    close_if_ours(listen_fd2, listen_id2);
    listen_fd = listen_fd2 = -1;
    sock_path2[0] = 0;
    atomic_store(&graft__flag, sock_owner ? GRAFT_FLAG_RESTART : 0);
}

/* ---- replies ---------------------------------------------------------- */

void graft__json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static char *status_json(void) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return strdup("ERROR out of memory");
    pthread_mutex_lock(&graft__mu);
    fprintf(f, "{\"pid\":%d,\"program\":", (int)getpid());
    graft__json_str(f, graft__name);
    fputs(",\"version\":", f);
    graft__json_str(f, graft__version);
    fputs(",\"base_version\":", f);
    graft__json_str(f, graft__base_version);
    fprintf(f, ",\"updates_total\":%lu,\"updates\":[", graft__updates_total);
    for (unsigned i = 0; i < graft__n_history; i++) {
        const struct graft_history *h = &graft__history[i];
        fputs(i ? ",{\"from\":" : "{\"from\":", f);
        graft__json_str(f, h->from);
        fputs(",\"to\":", f);
        graft__json_str(f, h->to);
        fprintf(f, ",\"pause_us\":%ld,\"point\":%u,\"description\":", h->pause_us, h->point);
        graft__json_str(f, h->description);
        fprintf(f, ",\"at\":%lld,\"pid\":%d}", h->at, (int)h->pid);
    }
    fprintf(f, "],\"pending\":%s", graft__pending ? "true" : "false");
    /* DEPLOY-9: where the channel is, and why not in the first place the rule names. */
    fputs(",\"channel\":", f);
    graft__json_str(f, sock_path);
    fputs(",\"channel_note\":", f);
    if (dir1.note[0]) graft__json_str(f, dir1.note); else fputs("null", f);
    fputs(",\"channel_after_drop\":", f);
    if (sock_path2[0]) graft__json_str(f, sock_path2); else fputs("null", f);
    fputs(",\"channel_after_drop_note\":", f);
    if (sock_path2[0] && dir2.note[0]) graft__json_str(f, dir2.note); else fputs("null", f);
    /* DEPLOY-7: whether graft rollback can undo the last update, to which version, or why not. */
    if (back.so) {
        fputs(",\"rollback\":{\"available\":true,\"to\":", f);
        graft__json_str(f, back_to);
    } else {
        fputs(",\"rollback\":{\"available\":false,\"reason\":", f);
        graft__json_str(f, back.none ? back.none : "no update has been applied to this process");
    }
    fputc('}', f);
    fprintf(f, ",\"accepts_unsigned\":%s,\"trusted_keys\":%u", graft__accept_unsigned ? "true" : "false", graft__n_trusted_keys);
    /* UPD-9: who forked this process, when, at which version; how many it forked. */
    if (graft__forked_from) {
        fprintf(f, ",\"forked_from\":%d,\"forked_at\":%lld,\"forked_version\":", (int)graft__forked_from, graft__forked_at);
        graft__json_str(f, graft__forked_version);
    } else {
        fputs(",\"forked_from\":null,\"forked_at\":null,\"forked_version\":null", f);
    }
    fprintf(f, ",\"forks\":%lu", graft__forks);
    pthread_mutex_unlock(&graft__mu);
    fputs(",\"patches\":", f);
    graft__unload_json(f);
    fputs(",\"types\":", f);
    graft__types_json(f);
    fputc('}', f);
    fclose(f);
    return out;
}

#define format graft__format
char *graft__format(const char *fmt, ...) {
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return s;
}

/* ---- APPLY ------------------------------------------------------------ */

/* Loads the verified bytes from a sealed anonymous file (memfd: nothing on
 * disk, even if the process dies while loading; no one can change it
 * between the check and the load; DEPLOY-3). *memfd stays open while the
 * patch is loaded: the loader knows the patch by the name /proc/self/fd/N,
 * and a later patch in a file with the same number would be taken for it. */
static void *load_verified(const unsigned char *so, size_t n, char **reply, int *memfd) {
    *memfd = -1;
    int fd = memfd_create("graft-patch", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) { *reply = format("REJECTED cannot make an anonymous file for the patch: %s", strerror(errno)); return NULL; }
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, so + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        done += (size_t)w;
    }
    if (done != n || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        *reply = format("REJECTED cannot write the patch to an anonymous file: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    char name[32];
    snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
    /* Global: a later patch binds to what this one defines (its new functions, slots, globals). */
    void *h = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (!h) { *reply = format("REJECTED cannot load the patch: %s", dlerror()); close(fd); }
    else *memfd = fd;
    return h;
}

/* The checks that need the loaded patch; NULL when all pass. */
static char *check_patch(const struct graft_patch_info *p, void **slots, void *h) {
    if (p->abi != GRAFT_ABI) return format("REJECTED the patch was built for runtime ABI %u, this process has ABI %d", p->abi, GRAFT_ABI);
    if (!p->base_version || !p->target_version) return format("REJECTED the patch names no base or target version");
    pthread_mutex_lock(&graft__mu);
    char *mismatch = strcmp(p->base_version, graft__version) == 0 ? NULL
        : format("REJECTED base version mismatch: patch is for %s, process runs %s", p->base_version, graft__version);
    pthread_mutex_unlock(&graft__mu);
    if (mismatch) return mismatch;
    if (p->n_points == 0 || !p->points) return format("REJECTED the patch is admissible at no update point");
    if (p->n_rebind && !p->rebind) return format("REJECTED the patch's rebind table is missing");
    if (p->n_types && !p->types) return format("REJECTED the patch's type table is missing");
    for (unsigned i = 0; i < p->n_rebind; i++) {
        const struct graft_rebind *r = &p->rebind[i];
        if (!r->slot || !r->function) return format("REJECTED rebind %u names no slot or no function", i);
        dlerror();
        slots[i] = dlsym(RTLD_DEFAULT, r->slot);
        if (!slots[i]) return format("REJECTED the program has no slot %s (is it linked with -rdynamic?)", r->slot);
    }
    /* A global the patch defines is what a later patch finds by its alias: no earlier definition has it. */
    if (p->n_globals && !p->globals) return format("REJECTED the patch's table of globals is missing");
    for (unsigned i = 0; i < p->n_globals; i++) {
        const struct graft_global *g = &p->globals[i];
        if (!g->alias || !g->identity) return format("REJECTED global %u has no alias or no identity", i);
        void *mine = dlsym(h, g->alias);
        if (!mine || dlsym(RTLD_DEFAULT, g->alias) != mine)
            return format("REJECTED the patch defines global %s at a representation an earlier definition in this process already has (alias %s): later patches would reach that one", g->identity, g->alias);
    }
    for (unsigned i = 0; i < p->n_types; i++) {
        char why[512];
        for (unsigned j = 0; j < i; j++)
            if (p->types[i].type && p->types[j].type && strcmp(p->types[i].type, p->types[j].type) == 0)
                return format("REJECTED the patch updates %s twice", p->types[i].type);
        if (!graft__type_check(&p->types[i], why, sizeof why)) return format("REJECTED %s", why);
    }
    {
        char why[512];
        if (!graft__views_check(p, why, sizeof why)) return format("REJECTED %s", why);
    }
    return NULL;
}

/* Whether the client of connection c has gone away. */
static int client_gone(int c) {
    struct pollfd pf = { .fd = c, .events = POLLRDHUP };
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static char *admissible_list(const struct graft_patch_info *p) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return NULL;
    for (unsigned i = 0; i < p->n_points; i++) fprintf(f, i ? ", %u" : "%u", p->points[i]);
    fclose(f);
    return out;
}

/* ---- waking the main thread (graft apply --interrupt) ------------------ */

/* The runtime sends no signal unless the operator asks for it: a signal the
 * program did not ask for is something it would not see without graft (a
 * blocking call failing with EINTR, a handler of its own running). With
 * --interrupt, SIGURG is sent to the main thread, through a handler without
 * SA_RESTART, so that poll/accept/read/sleep return EINTR; only a program
 * that retries on EINTR past an update point should be updated so. */

static void on_wake(int sig) { (void)sig; }

/* Whether the main thread blocks sig (its SigBlk in /proc). */
static int main_blocks(int sig) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)graft__main_tid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    unsigned long long mask = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "SigBlk:", 7) == 0) { mask = strtoull(line + 7, NULL, 16); break; }
    fclose(f);
    return (mask >> (sig - 1)) & 1;
}

static struct sigaction saved_urg;
static int urg_installed;

/* NULL when the main thread may be woken with SIGURG (the handler is then
 * installed); otherwise why not. */
static char *interrupt_begin(void) {
    struct sigaction old;
    if (sigaction(SIGURG, NULL, &old) != 0) return format("REJECTED --interrupt: cannot read the SIGURG disposition: %s", strerror(errno));
    if ((old.sa_flags & SA_SIGINFO) || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))
        return format("REJECTED --interrupt: the program handles SIGURG itself; graft does not send it a signal its own handler would take (apply without --interrupt waits for the next update point)");
    if (main_blocks(SIGURG))
        return format("REJECTED --interrupt: the program's main thread blocks SIGURG; it would be delivered later, when the program unblocks it (apply without --interrupt waits for the next update point)");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_wake;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;                /* no SA_RESTART: poll/accept/read return EINTR */
    if (sigaction(SIGURG, &sa, &saved_urg) != 0) return format("REJECTED --interrupt: cannot install a SIGURG handler: %s", strerror(errno));
    urg_installed = 1;
    return NULL;
}

/* The program's own disposition back (it was SIG_DFL or SIG_IGN: a SIGURG
 * still in flight is then ignored, as without graft). */
static void interrupt_end(void) {
    if (urg_installed) sigaction(SIGURG, &saved_urg, NULL);
    urg_installed = 0;
}

/* ---- waiting for the update point -------------------------------------- */

static int exit_answered;           /* the EXITED answer went out (under graft__mu) */

void graft__channel_exiting(int status) {
    struct graft_pending *p = graft__pending;
    if (!p || p->state != GRAFT_WAITING) return;
    p->state = GRAFT_EXITED;
    p->exit_status = status;
    graft__pending = NULL;
    atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_PENDING);
    pthread_cond_broadcast(&graft__cv);
    /* Let the control thread answer before the process is gone (at most 2 s). */
    long long until = graft__now_us() + 2000000;
    struct timespec ts = { .tv_sec = until / 1000000, .tv_nsec = (long)(until % 1000000) * 1000 };
    while (!exit_answered && graft__now_us() < until)
        if (pthread_cond_timedwait(&graft__cv, &graft__mu, &ts) == ETIMEDOUT) break;
}

/* Hands the checked patch to the update points and waits for the outcome. */
static char *wait_applied(struct graft_pending *p, double timeout, int c) {
    long long now = graft__now_us(), deadline = now + (long long)(timeout * 1e6);
    long long next_kick = now, interval = 100000;
    int refused_waiting = 0;
    pthread_mutex_lock(&graft__mu);
    graft__pending = p;
    atomic_fetch_or(&graft__flag, GRAFT_FLAG_PENDING);
    for (;;) {
        if (p->state == GRAFT_APPLIED || p->state == GRAFT_REFUSED || p->state == GRAFT_EXITED) break;
        now = graft__now_us();
        long long wake;
        if (p->state == GRAFT_WAITING) {
            int gone = client_gone(c);
            if (now >= deadline || gone) {
                /* Withdrawn under the lock: the update points can no longer take it. */
                p->state = GRAFT_WITHDRAWN;
                graft__pending = NULL;
                atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_PENDING);
                pthread_cond_broadcast(&graft__cv);     /* threads waiting at their points go on */
                break;
            }
            /* UPD-5, the census: with several threads, every one must reach an
             * update point within GRAFT_CENSUS_US, or the patch is refused. */
            pid_t tids[256];
            int threads = graft__program_thread_ids(tids, 256);
            long long census_us = (long long)(timeout * 1e6 / 2) < GRAFT_CENSUS_US ? (long long)(timeout * 1e6 / 2) : GRAFT_CENSUS_US;
            if (threads > 1 && !p->census_deadline) p->census_deadline = now + census_us;
            if (threads > 1 && p->census_deadline && now >= p->census_deadline && GRAFT_RULE_AT("UPD-5", "receive")) {
                char missing[200] = "";
                int n_missing = 0;
                for (int t = 0; t < threads && t < 256; t++) {
                    unsigned k = 0;
                    while (k < p->n_seen && p->seen[k] != tids[t]) k++;
                    if (k < p->n_seen) continue;
                    if (n_missing++ == 0) graft__describe_thread(tids[t], missing, sizeof missing);
                }
                if (n_missing) {
                    char others[32] = "";
                    if (n_missing > 1) snprintf(others, sizeof others, " and %d other%s", n_missing - 1, n_missing > 2 ? "s" : "");
                    snprintf(p->why, sizeof p->why,
                             "the process runs %d threads of its own, and %s%s reached no update point within %g s: a patch is applied only while every thread of the program is at an admissible update point [UPD-5]",
                             threads, missing, others, census_us / 1e6);
                    p->state = GRAFT_REFUSED;
                    refused_waiting = p->parked == 0;   /* no thread at a point: refused while it waited */
                    graft__pending = NULL;
                    atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_PENDING);
                    pthread_cond_broadcast(&graft__cv);
                    break;
                }
            }
            /* The threads waiting at their points wait no longer than the census
             * for the others: one of those may wait for something they hold. */
            if (threads > 1 && p->parked > 0 && (int)p->parked < threads && now - p->first_parked_us >= census_us
                && GRAFT_RULE_AT("UPD-5", "receive")) {
                char absent[200] = "";
                for (int t = 0; t < threads && t < 256 && !absent[0]; t++) {
                    unsigned k = 0;
                    while (k < p->parked && k < 256 && p->parked_tids[k] != tids[t]) k++;
                    if (k == p->parked || k == 256) graft__describe_thread(tids[t], absent, sizeof absent);
                }
                snprintf(p->why, sizeof p->why,
                         "the process runs %d threads of its own; %u waited %g s at admissible update points for the others, and %s did not come to one (it may reach only update points where the patch is not admissible, or wait for something a waiting thread holds) [UPD-5]",
                         threads, p->parked, census_us / 1e6, absent[0] ? absent : "another thread");
                p->state = GRAFT_REFUSED;
                graft__pending = NULL;
                atomic_fetch_and(&graft__flag, ~GRAFT_FLAG_PENDING);
                pthread_cond_broadcast(&graft__cv);
                break;
            }
            if (p->interrupt && now >= next_kick) {
                pthread_kill(graft__main_thread, SIGURG);   /* out of poll/accept/read, on request */
                next_kick = now + interval;
                interval = interval * 2 > 2000000 ? 2000000 : interval * 2;
            }
            wake = p->interrupt && next_kick < deadline ? next_kick : deadline;
            if (wake > now + 500000) wake = now + 500000;   /* look at the client now and then */
            if (threads > 1 && wake > now + 100000) wake = now + 100000;   /* and at the threads */
        } else {
            wake = now + 1000000;                           /* APPLYING: it finishes regardless */
        }
        struct timespec ts = { .tv_sec = wake / 1000000, .tv_nsec = (long)(wake % 1000000) * 1000 };
        pthread_cond_timedwait(&graft__cv, &graft__mu, &ts);
    }
    /* Threads still waiting at their points go on; p is ours again once they have. */
    unsigned parked_at_end = p->parked;
    while (p->parked > 0) pthread_cond_wait(&graft__cv, &graft__mu);
    int threads_at_end = p->state == GRAFT_WITHDRAWN ? graft__program_threads(p->why, sizeof p->why) : 0;
    enum graft_patch_state state = p->state;
    pthread_mutex_unlock(&graft__mu);
    free(p->seen);
    p->seen = NULL;
    if (state == GRAFT_APPLIED) return format("APPLIED pause_us=%ld point=%u", p->pause_us, p->point);
    if (state == GRAFT_REFUSED) return format(refused_waiting ? "REJECTED %s" : "REJECTED at update point: %s", p->why);
    char *points = admissible_list(p->info);
    char *r;
    if (state == GRAFT_EXITED)
        r = format("EXITED status=%d not applied: the program exited (exit status %d) after %lu update point%s, before an admissible one (admissible: %s)",
                   p->exit_status, p->exit_status, p->points_seen, p->points_seen == 1 ? "" : "s", points ? points : "?");
    else if (parked_at_end > 0 && threads_at_end > 1)
        r = format("TIMEOUT not applied: the threads of the program were never all at an admissible update point at once within %g s (%u of %d waited at one; %lu update point%s seen; admissible: %s) [UPD-5]",
                   timeout, parked_at_end, threads_at_end, p->points_seen, p->points_seen == 1 ? "" : "s", points ? points : "?");
    else
        r = format("TIMEOUT not applied: no admissible update point was reached within %g s (%lu update point%s seen; admissible: %s)%s",
                   timeout, p->points_seen, p->points_seen == 1 ? "" : "s", points ? points : "?",
                   p->interrupt || p->points_seen ? "" : "; the program may be blocked in a system call: graft sends it no signal unless asked (graft apply --interrupt)");
    free(points);
    return r;
}

/* ---- the way back (DEPLOY-7) ------------------------------------------ */


static struct way_back way_back_of(const unsigned char *so, size_t n) {
    struct way_back w = { NULL, 0, NULL };
    size_t len;
    const unsigned char *s = graft__elf_section(so, n, ".graft_rollback", &len);
    if (s && len && (w.so = malloc(len))) {
        memcpy(w.so, s, len);
        w.n = len;
        return w;
    }
    s = graft__elf_section(so, n, ".graft_rollback_refused", &len);
    w.none = s ? strndup((const char *)s, len)
               : strdup("the last update's patch carries no patch back (it was built by a graft that did not derive one)");
    return w;
}

static void way_back_free(struct way_back *w) {
    free(w->so);
    free(w->none);
    w->so = NULL;
    w->none = NULL;
    w->n = 0;
}

/* The patch just applied moved the process from version `from`: its way back replaces the last one's. */
static void way_back_keep(struct way_back *w, char *from) {
    pthread_mutex_lock(&graft__mu);
    way_back_free(&back);
    free(back_to);
    back = *w;
    back_to = from;
    pthread_mutex_unlock(&graft__mu);
    w->so = NULL;
    w->none = NULL;
}

/* ---- APPLY, ROLLBACK ---------------------------------------------------- */

/* Loads the checked shared object so[0, n), checks it against the process,
 * hands it to the update points and waits for the outcome: the reply.
 * `what` names it in replies. *applied is set when it was applied (its code
 * is live then, and stays loaded). */
static char *load_and_apply(const unsigned char *so, size_t n, const char *what, double timeout, int interrupt, int c, int *applied) {
    char *reply = NULL;
    void **slots = NULL;
    int memfd = -1;
    *applied = 0;
    void *h = load_verified(so, n, &reply, &memfd);
    if (!h) return reply;
    const struct graft_patch_info *info = dlsym(h, "graft_patch");
    if (!info) reply = format("REJECTED %s is not a graft patch (it defines no graft_patch)", what);
    else if (!(slots = calloc(info->n_rebind + 1, sizeof *slots))) reply = format("REJECTED out of memory");
    else if (!(reply = check_patch(info, slots, h))) {
        struct graft_pending *p = calloc(1, sizeof *p);
        if (!p) reply = format("REJECTED out of memory");
        else if (!interrupt || !(reply = interrupt_begin())) {
            p->info = info;
            p->slots = slots;
            p->state = GRAFT_WAITING;
            p->interrupt = interrupt;
            reply = wait_applied(p, timeout, c);
            if (interrupt) interrupt_end();
            if (p->state == GRAFT_APPLIED) {
                /* Its code is live now: it stays loaded, and what it superseded may go (DEPLOY-8). */
                graft__unload_after_commit(h, memfd, info, slots, info->target_version);
                h = NULL;
                *applied = 1;
            }
        }
        free(p);
    }
    if (h) {
        dlclose(h);
        if (memfd >= 0) close(memfd);
    }
    free(slots);
    return reply;
}

/* Takes the channel's one apply at a time; 0 when another one holds it. */
static int begin_apply(void) {
    pthread_mutex_lock(&graft__mu);
    int busy = apply_busy || graft__pending;
    if (!busy) apply_busy = 1;
    pthread_mutex_unlock(&graft__mu);
    return !busy;
}

static void end_apply(void) {
    pthread_mutex_lock(&graft__mu);
    apply_busy = 0;
    pthread_mutex_unlock(&graft__mu);
}

/* The words "<timeout seconds> [interrupt]" that end an APPLY or ROLLBACK
 * request, cut off arg; NULL, or the ERROR reply. */
static char *wait_words(char *arg, double *timeout, int *interrupt) {
    *interrupt = 0;
    char *sp = strrchr(arg, ' ');
    if (sp && strcmp(sp + 1, "interrupt") == 0) { *interrupt = 1; *sp = 0; sp = strrchr(arg, ' '); }
    char *word = sp ? sp + 1 : arg, *end;
    *timeout = strtod(word, &end);
    if (end == word || *end || !(*timeout > 0) || !isfinite(*timeout) || *timeout > 1e6)
        return format("ERROR bad timeout '%s' (seconds, more than 0)", word);
    *word = 0;
    if (sp) *sp = 0;
    return NULL;
}

static char *apply_request(char *arg, int c, int patch_fd) {
    /* APPLY <path> <timeout> [interrupt]: the path may hold spaces, so the words are read from the end. */
    if (!strchr(arg, ' ')) return format("ERROR usage: APPLY <absolute path> <timeout seconds> [interrupt]");
    double timeout;
    int interrupt;
    char *bad = wait_words(arg, &timeout, &interrupt);
    if (bad) return bad;
    const char *path = arg;
    if (path[0] != '/') return format("ERROR the patch path must be absolute: %s", path);
    if (!begin_apply()) return format("REJECTED another patch is being applied to this process");

    char *reply = NULL;
    size_t n = 0;
    unsigned char *so = graft__read_patch(path, patch_fd, &n, &reply);
    if (so) {
        struct way_back w = way_back_of(so, n);
        pthread_mutex_lock(&graft__mu);
        char *from = strdup(graft__version);
        pthread_mutex_unlock(&graft__mu);
        int applied;
        reply = load_and_apply(so, n, path, timeout, interrupt, c, &applied);
        free(so);
        if (applied) way_back_keep(&w, from);
        else { way_back_free(&w); free(from); }
    }
    end_apply();
    return reply ? reply : format("ERROR out of memory");
}

/* ROLLBACK <timeout> [interrupt]: the last applied patch's patch back, by
 * the same path as any patch (DEPLOY-7): checked against the process as it
 * runs now, applied at an admissible update point with every thread there
 * (UPD-5), all or nothing. */
static char *rollback(char *arg, int c) {
    double timeout;
    int interrupt;
    char *bad = wait_words(arg, &timeout, &interrupt);
    if (bad) return bad;
    if (*arg) return format("ERROR usage: ROLLBACK <timeout seconds> [interrupt]");
    if (!begin_apply()) return format("REJECTED another patch is being applied to this process");
    char *reply = NULL;
    pthread_mutex_lock(&graft__mu);
    unsigned char *so = back.so ? malloc(back.n) : NULL;
    size_t n = back.n;
    if (so) memcpy(so, back.so, n);
    if (!back.so) reply = back.none ? format("REJECTED no rollback: %s [DEPLOY-7]", back.none)
                                    : format("REJECTED no rollback: no update has been applied to this process [DEPLOY-7]");
    else if (!so) reply = format("REJECTED out of memory");
    char *from = strdup(graft__version);
    pthread_mutex_unlock(&graft__mu);
    const char *problem = so ? graft__elf_problem(so, n) : NULL;
    if (problem) reply = format("REJECTED the patch back is not a patch as graft makes them: %s [DEPLOY-5]", problem);
    else if (so) {
        struct way_back w = way_back_of(so, n);
        int applied;
        reply = load_and_apply(so, n, "the patch back", timeout, interrupt, c, &applied);
        if (applied) { way_back_keep(&w, from); from = NULL; }
        else way_back_free(&w);
    }
    free(so);
    free(from);
    end_apply();
    return reply ? reply : format("ERROR out of memory");
}

/* ---- connections ------------------------------------------------------ */

static void send_line(int c, const char *s) {
    size_t n = strlen(s), done = 0;
    while (done < n) {
        ssize_t w = send(c, s + done, n - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        done += (size_t)w;
    }
    send(c, "\n", 1, MSG_NOSIGNAL);
}

/* Who may use the channel: root always (it may ptrace any process); the
 * process's own uid only while the process is dumpable — the kernel's rule
 * for ptrace. A process that changed its credentials (a daemon started as
 * root that dropped to another uid) is not dumpable unless it says so with
 * prctl(PR_SET_DUMPABLE, 1): it may hold what its earlier uid could reach
 * (files, sockets, memory), and its new uid — often shared with other
 * daemons — must not be able to put code into it. */
static int may_control(uid_t peer, char *why, size_t n) {
    if (peer == 0) return 1;
    if (peer != getuid() && peer != geteuid()) {
        snprintf(why, n, "only uid %u (or root) may control this process", (unsigned)getuid());
        return 0;
    }
    if (prctl(PR_GET_DUMPABLE) != 1) {
        snprintf(why, n, "uid %u may not control this process: it is not dumpable (it changed its credentials since it started, or asked not to be traced), so the kernel would not let uid %u ptrace it either; root may, or the program can allow its uid with prctl(PR_SET_DUMPABLE, 1)",
                 (unsigned)peer, (unsigned)peer);
        return 0;
    }
    return 1;
}

static void track_fd(int fd) {
    pthread_mutex_lock(&graft__mu);
    if (n_open_fds < sizeof open_fds / sizeof *open_fds) { open_ids[n_open_fds] = fd_id_of(fd); open_fds[n_open_fds++] = fd; }
    pthread_mutex_unlock(&graft__mu);
}

static void close_tracked(int fd) {
    pthread_mutex_lock(&graft__mu);
    for (unsigned i = 0; i < n_open_fds; i++)
        if (open_fds[i] == fd) { --n_open_fds; open_fds[i] = open_fds[n_open_fds]; open_ids[i] = open_ids[n_open_fds]; break; }
    pthread_mutex_unlock(&graft__mu);
    close(fd);
}

static void *serve(void *arg) {
    int c = (int)(intptr_t)arg;
    track_fd(c);
    struct ucred cred;
    socklen_t len = sizeof cred;
    char why[512] = "the peer's credentials cannot be read";
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || !may_control(cred.uid, why, sizeof why)) {
        char msg[600];
        snprintf(msg, sizeof msg, "ERROR permission denied: %s", why);
        send_line(c, msg);
        close_tracked(c);
        return NULL;
    }
    struct timeval tv = { .tv_sec = 10 };
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char line[PATH_MAX + 64];
    size_t n = 0;
    /* An APPLY may come with the patch file's descriptor (SCM_RIGHTS): the
     * client opened it, so the process need not be able to (after a privilege drop). */
    int passed = -1;
    while (n < sizeof line - 1) {
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
        struct iovec iov = { line + n, sizeof line - 1 - n };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
        ssize_t r = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
            if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
            int fd;
            memcpy(&fd, CMSG_DATA(h), sizeof fd);
            if (passed < 0) { passed = fd; track_fd(fd); } else close(fd);
        }
        n += (size_t)r;
        if (memchr(line, '\n', n)) break;
    }
    line[n] = 0;
    char *nl = strchr(line, '\n');
    if (!nl) { send_line(c, "ERROR the request is not one line"); if (passed >= 0) close_tracked(passed); close_tracked(c); return NULL; }
    *nl = 0;
    if (nl > line && nl[-1] == '\r') nl[-1] = 0;
    char *reply;
    if (strcmp(line, "STATUS") == 0) reply = status_json();
    else if (strncmp(line, "APPLY ", 6) == 0) reply = apply_request(line + 6, c, passed);
    else if (strncmp(line, "ROLLBACK ", 9) == 0) reply = rollback(line + 9, c);
    else reply = format("ERROR unknown request (expected STATUS, APPLY <path> <timeout> [interrupt] or ROLLBACK <timeout> [interrupt])");
    send_line(c, reply ? reply : "ERROR out of memory");
    if (reply && strncmp(reply, "EXITED ", 7) == 0) {
        pthread_mutex_lock(&graft__mu);
        exit_answered = 1;
        pthread_cond_broadcast(&graft__cv);
        pthread_mutex_unlock(&graft__mu);
    }
    free(reply);
    if (passed >= 0) close_tracked(passed);
    close_tracked(c);
    return NULL;
}

/* After a privilege drop: the new uid's channel, once that uid may control the process. */
static void watch_uid(void) {
    if (listen_fd2 >= 0 || getuid() == channel_uid || prctl(PR_GET_DUMPABLE) != 1) return;
    char why[512];
    int fd = listen_at(&dir2, sock_path2, sizeof sock_path2, why, sizeof why);
    if (fd < 0) {
        graft__warn("no update channel for uid %u after the change of uid: %s; root can still update the program", (unsigned)getuid(), why);
        channel_uid = getuid();         /* said once */
        return;
    }
    listen_fd2 = fd;
    listen_id2 = fd_id_of(fd);
}

/* ---- exec and _exit ---------------------------------------------------- */

/* An exec replaces the program: its channel files are removed first, so that
 * nothing is left at this pid's path for a program that is no graft program
 * (or another one, which makes its own). If the exec fails, the process goes
 * on and so does its channel: exec_failed shuts the listening sockets down,
 * and the accept thread, woken, makes them again at the same paths before the
 * exec call returns (remake). A vfork child (another pid, the parent's
 * memory) touches nothing. */
static int unlinked[2];
static atomic_int remaking;         /* bit k: listening socket k is being made again */

static void exec_begin(void) {
    unlinked[0] = unlinked[1] = 0;
    if (!sock_owner || sock_owner != getpid()) return;
    int e = errno;
    if (listen_fd >= 0 && sock_path[0]) unlinked[0] = unlink(sock_path) == 0;
    if (listen_fd2 >= 0 && sock_path2[0]) unlinked[1] = unlink(sock_path2) == 0;
    errno = e;
}

static void exec_failed(void) {
    if (!unlinked[0] && !unlinked[1]) return;
    int e = errno;
    atomic_store(&remaking, (unlinked[0] ? 1 : 0) | (unlinked[1] ? 2 : 0));
    if (unlinked[0]) shutdown(listen_fd, SHUT_RDWR);
    if (unlinked[1]) shutdown(listen_fd2, SHUT_RDWR);
    for (int i = 0; i < 2000 && atomic_load(&remaking); i++) usleep(500);
    unlinked[0] = unlinked[1] = 0;
    errno = e;
}

/* In the accept thread: listening socket k was shut down by exec_failed. */
static void remake(int k) {
    int *fdp = k ? &listen_fd2 : &listen_fd;
    const char *path = k ? sock_path2 : sock_path;
    char why[512];
    int fd = bind_listen(path, why, sizeof why);
    if (fd < 0) graft__warn("an exec failed, and the update channel cannot be made again: %s; the program runs but cannot be updated", why);
    close_if_ours(*fdp, k ? listen_id2 : listen_id);
    *fdp = fd;
    *(k ? &listen_id2 : &listen_id) = fd_id_of(fd);
    atomic_fetch_and(&remaking, ~(1 << k));
}

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
static execve_fn real_execve, real_execvpe;
static fexecve_fn real_fexecve;
extern char **environ;

/* At start (dlsym is not safe in a forked child of a threaded process). */
void graft__channel_resolve_exec(void) {
    real_execve = (execve_fn)dlsym(RTLD_NEXT, "execve");
    real_execvpe = (execve_fn)dlsym(RTLD_NEXT, "execvpe");
    real_fexecve = (fexecve_fn)dlsym(RTLD_NEXT, "fexecve");
}

/* Weak: a program that defines one of these itself keeps its own. */
#define GRAFT_WRAPPER __attribute__((weak, visibility("default")))

GRAFT_WRAPPER int execve(const char *path, char *const argv[], char *const envp[]) {
    exec_begin();
    int r = real_execve ? real_execve(path, argv, envp) : (int)syscall(SYS_execve, path, argv, envp);
    exec_failed();
    return r;
}

GRAFT_WRAPPER int execvpe(const char *file, char *const argv[], char *const envp[]) {
    if (!real_execvpe) real_execvpe = (execve_fn)dlsym(RTLD_NEXT, "execvpe");
    if (!real_execvpe) { errno = ENOSYS; return -1; }
    exec_begin();
    int r = real_execvpe(file, argv, envp);
    exec_failed();
    return r;
}

GRAFT_WRAPPER int fexecve(int fd, char *const argv[], char *const envp[]) {
    if (!real_fexecve) real_fexecve = (fexecve_fn)dlsym(RTLD_NEXT, "fexecve");
    if (!real_fexecve) { errno = ENOSYS; return -1; }
    exec_begin();
    int r = real_fexecve(fd, argv, envp);
    exec_failed();
    return r;
}

GRAFT_WRAPPER int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }
GRAFT_WRAPPER int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

/* execl, execle, execlp: the arguments up to the NULL, as an argv. */
#define COLLECT_ARGS(first, last_envp)                                  \
    size_t argc = 1;                                                    \
    va_list ap;                                                         \
    va_start(ap, first);                                                \
    while (va_arg(ap, const char *)) argc++;                            \
    va_end(ap);                                                         \
    const char *argv[argc + 1];                                         \
    argv[0] = first;                                                    \
    va_start(ap, first);                                                \
    for (size_t i = 1; i <= argc; i++) argv[i] = va_arg(ap, const char *); \
    char *const *last_envp = environ;                                   \
    if (want_envp) last_envp = va_arg(ap, char *const *);               \
    va_end(ap);

GRAFT_WRAPPER int execl(const char *path, const char *arg, ...) {
    int want_envp = 0;
    COLLECT_ARGS(arg, envp)
    return execve(path, (char *const *)argv, envp);
}

GRAFT_WRAPPER int execle(const char *path, const char *arg, ...) {
    int want_envp = 1;
    COLLECT_ARGS(arg, envp)
    return execve(path, (char *const *)argv, envp);
}

GRAFT_WRAPPER int execlp(const char *file, const char *arg, ...) {
    int want_envp = 0;
    COLLECT_ARGS(arg, envp)
    return execvpe(file, (char *const *)argv, envp);
}

/* _exit skips atexit: the channel files are removed here. */
GRAFT_WRAPPER void _exit(int status) {
    remove_socket();
    for (;;) syscall(SYS_exit_group, status);
}

GRAFT_WRAPPER void _Exit(int status) {
    remove_socket();
    for (;;) syscall(SYS_exit_group, status);
}

static void *accept_loop(void *arg) {
    (void)arg;
    for (;;) {
        struct pollfd pf[2] = { { .fd = listen_fd, .events = POLLIN }, { .fd = listen_fd2, .events = POLLIN } };
        int nfds = listen_fd2 >= 0 ? 2 : 1;
        /* A process that may drop privileges is looked at every second; any other sleeps until a client comes. */
        int ready = poll(pf, (nfds_t)nfds, may_change_uid && listen_fd2 < 0 ? 1000 : -1);
        if (may_change_uid) watch_uid();
        if (ready < 0) {
            if (errno != EINTR) usleep(100000);
            continue;
        }
        for (int k = 0; k < nfds; k++) {
            if (pf[k].revents & POLLNVAL) return NULL;
            if (pf[k].revents & POLLHUP) {
                if (!(atomic_load(&remaking) & (1 << k))) return NULL;
                remake(k);
                continue;
            }
            if (!(pf[k].revents & POLLIN)) continue;
            /* The program closed the channel's socket and has the number for something of its own: leave it alone. */
            if (!still_ours(pf[k].fd, k ? listen_id2 : listen_id)) {
                graft__warn("the update channel was closed by the program (descriptor %d is now the program's); it can no longer be updated", pf[k].fd);
                return NULL;
            }
            int c = accept4(pf[k].fd, NULL, NULL, SOCK_CLOEXEC);
            if (c < 0) {
                if (errno == EBADF || errno == EINVAL || errno == ENOTSOCK) return NULL;
                if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) usleep(100000);    /* EMFILE and friends */
                continue;
            }
            if (graft__spawn(serve, (void *)(intptr_t)c) != 0) serve((void *)(intptr_t)c);
        }
    }
    return NULL;
}
