/* patchfile.c — reading a patch file before anything of it is loaded
 * (Specs/deploy.md, DEPLOY-1 … DEPLOY-4).
 *
 * A patch file is the patch's shared object followed by what the runtime
 * must know before it loads it:
 *
 *   so (n bytes) · meta (m bytes) · signature (s = 0 or 64) · key (k = 0 or 32)
 *   · n (u64 LE) · m (u32 LE) · s (u16 LE) · k (u16 LE)
 *   · SHA-256 of everything before it (32) · "GRAFTPT2" (8)
 *
 * meta is text, one "name value" line each: "graft-patch 2", "abi N",
 * "base VERSION", "target VERSION". The signature is Ed25519 (RFC 8032), by
 * the key that follows it, of "graft-patch-v2\n" followed by the SHA-256 of
 * so · meta. Everything is checked here, from the bytes read once into
 * memory: the file's kind, size, owner and mode, the digest, the ABI, the
 * base version, the signature and the key's trust, the ELF header. Only
 * then does control.c write the bytes to a sealed anonymous file and load
 * that. */
#define _GNU_SOURCE
#include "runtime_internal.h"
#include "sha256.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elf.h>
#include <openssl/evp.h>

#define TAIL (16 + 32 + 8)
#define MAGIC "GRAFTPT2"
#define SIGNED_PREFIX "graft-patch-v2\n"

const unsigned char (*graft__trusted_keys)[32];
unsigned graft__n_trusted_keys;
int graft__accept_unsigned;

#define say graft__format

static uint64_t le(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* DEPLOY-3: who may have written the file. Its owner must be root or this
 * process's user, and no one else may write it; the same for every folder
 * above it, except that a folder with the sticky bit owned by root (/tmp)
 * may be writable by all: there only a file's owner can replace it. */
static char *check_owner(const char *path, const struct stat *st) {
    uid_t me = geteuid();
    if (st->st_uid != 0 && st->st_uid != me)
        return say("REJECTED %s is owned by uid %u, neither root nor this process's user (uid %u) [DEPLOY-3]", path, (unsigned)st->st_uid, (unsigned)me);
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        return say("REJECTED %s is writable by %s: anyone who can write it could change the patch [DEPLOY-3]", path, st->st_mode & S_IWOTH ? "everyone" : "its group");
    char dir[4096];
    if (strlen(path) >= sizeof dir) return say("REJECTED the path %s is too long [DEPLOY-3]", path);
    strcpy(dir, path);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash) break;
        if (slash == dir) slash[1] = 0; else *slash = 0;
        struct stat d;
        if (stat(dir, &d) != 0) return say("REJECTED cannot check folder %s: %s [DEPLOY-3]", dir, strerror(errno));
        int sticky_root = (d.st_mode & S_ISVTX) && d.st_uid == 0;
        if (d.st_uid != 0 && d.st_uid != me)
            return say("REJECTED folder %s is owned by uid %u, neither root nor this process's user: its owner could replace the patch [DEPLOY-3]", dir, (unsigned)d.st_uid);
        if ((d.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_root)
            return say("REJECTED folder %s is writable by %s: anyone who can write it could replace the patch [DEPLOY-3]", dir, d.st_mode & S_IWOTH ? "everyone" : "its group");
        if (strcmp(dir, "/") == 0) break;
    }
    return NULL;
}

/* The value of line `name` in meta, copied into out; 0 if none. */
static int meta_value(const unsigned char *meta, size_t m, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && meta[j] != '\n') j++;
        if (j - i > nl && memcmp(meta + i, name, nl) == 0 && meta[i + nl] == ' ') {
            size_t len = j - i - nl - 1;
            if (len >= cap) return 0;
            memcpy(out, meta + i + nl + 1, len);
            out[len] = 0;
            return 1;
        }
        i = j + 1;
    }
    return 0;
}

/* Whether `key` is trusted: built into the program, or listed in
 * GRAFT_TRUSTED_KEYS_FILE (root's, writable by root only; DEPLOY-2). */
static int trusted(const unsigned char key[32]) {
    for (unsigned i = 0; i < graft__n_trusted_keys; i++)
        if (memcmp(graft__trusted_keys[i], key, 32) == 0) return 1;
    struct stat st;
    int fd = open(GRAFT_TRUSTED_KEYS_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return 0;
    int ok = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)) && st.st_size < 1 << 20) {
        struct stat d;
        const char *dir = GRAFT_TRUSTED_KEYS_FILE;
        char parent[256];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash) *slash = 0;
        if (stat(parent, &d) == 0 && d.st_uid == 0 && !(d.st_mode & (S_IWGRP | S_IWOTH))) {
            FILE *f = fdopen(fd, "r");
            if (f) {
                char line[512];
                while (!ok && fgets(line, sizeof line, f)) {
                    /* "graft-ed25519 <base64 of 32 bytes> [comment]", as graft keygen writes K.pub. */
                    if (strncmp(line, "graft-ed25519 ", 14) != 0) continue;
                    unsigned char raw[48];
                    char *b64 = line + 14, *end = strpbrk(b64, " \t\r\n");
                    size_t len = end ? (size_t)(end - b64) : strlen(b64);
                    if (len != 44) continue;
                    if (EVP_DecodeBlock(raw, (const unsigned char *)b64, 44) == 33 && memcmp(raw, key, 32) == 0) ok = 1;
                }
                fclose(f);
                return ok;
            }
        }
    }
    close(fd);
    return ok;
}

static int ed25519_verify(const unsigned char key[32], const unsigned char sig[64], const unsigned char *msg, size_t n) {
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = k && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 && EVP_DigestVerify(c, sig, 64, msg, n) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ok;
}

/* DEPLOY-5: the shared object runs nothing of its own when it is loaded or
 * unloaded. graft links patches without start files (-nostartfiles), so
 * their dynamic section has no DT_INIT, DT_FINI, and no init, preinit or
 * fini array: any such entry is code graft did not generate, which the
 * loader would run inside the process before (or after) every check. Also
 * that it is a 64-bit x86-64 shared object whose headers lie in the file. */
static const char *elf_problem(const unsigned char *so, size_t n) {
    if (n < sizeof(Elf64_Ehdr)) return "it is too short for an ELF header";
    const Elf64_Ehdr *e = (const Elf64_Ehdr *)so;
    if (e->e_ident[EI_CLASS] != ELFCLASS64 || e->e_ident[EI_DATA] != ELFDATA2LSB || e->e_type != ET_DYN || e->e_machine != EM_X86_64)
        return "it is not a 64-bit x86-64 shared object";
    if (e->e_phentsize != sizeof(Elf64_Phdr) || e->e_phoff > n || (size_t)e->e_phnum * sizeof(Elf64_Phdr) > n - e->e_phoff)
        return "its program headers lie outside the file";
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(so + e->e_phoff);
    int dynamic = 0;
    for (unsigned i = 0; i < e->e_phnum; i++) {
        if (ph[i].p_type != PT_DYNAMIC) continue;
        dynamic = 1;
        if (ph[i].p_offset > n || ph[i].p_filesz > n - ph[i].p_offset) return "its dynamic section lies outside the file";
        const Elf64_Dyn *d = (const Elf64_Dyn *)(so + ph[i].p_offset);
        size_t count = ph[i].p_filesz / sizeof(Elf64_Dyn);
        for (size_t j = 0; j < count && d[j].d_tag != DT_NULL; j++) {
            switch (d[j].d_tag) {
            case DT_INIT: case DT_FINI: case DT_PREINIT_ARRAY: case DT_PREINIT_ARRAYSZ:
                return "it has initialization or finalization code (DT_INIT, DT_FINI or a preinit array) that graft did not generate, which the loader would run in this process";
            case DT_INIT_ARRAYSZ: case DT_FINI_ARRAYSZ:
                if (d[j].d_un.d_val) return "it has constructors or destructors (an init or fini array) that graft did not generate, which the loader would run in this process";
                break;
            default: break;
            }
        }
    }
    return dynamic ? NULL : "it has no dynamic section";
}

const char *graft__elf_problem(const unsigned char *so, size_t n) { return elf_problem(so, n); }

/* The bytes of section `name` of the 64-bit ELF object so[0, n), through
 * its section headers (which the loader never reads: a section graft adds
 * after linking, such as the patch back of DEPLOY-7, is never mapped);
 * NULL when it has none, or when the headers do not lie in the bytes. */
const unsigned char *graft__elf_section(const unsigned char *so, size_t n, const char *name, size_t *len) {
    *len = 0;
    if (n < sizeof(Elf64_Ehdr)) return NULL;
    const Elf64_Ehdr *e = (const Elf64_Ehdr *)so;
    if (e->e_shentsize != sizeof(Elf64_Shdr) || e->e_shoff > n || (size_t)e->e_shnum * sizeof(Elf64_Shdr) > n - e->e_shoff
        || e->e_shstrndx >= e->e_shnum)
        return NULL;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(so + e->e_shoff);
    const Elf64_Shdr *names = &sh[e->e_shstrndx];
    if (names->sh_offset > n || names->sh_size > n - names->sh_offset) return NULL;
    size_t want = strlen(name);
    for (unsigned i = 0; i < e->e_shnum; i++) {
        if (sh[i].sh_name >= names->sh_size || names->sh_size - sh[i].sh_name <= want) continue;
        const char *s = (const char *)so + names->sh_offset + sh[i].sh_name;
        if (memcmp(s, name, want + 1) != 0) continue;
        if (sh[i].sh_type == SHT_NOBITS || sh[i].sh_offset > n || sh[i].sh_size > n - sh[i].sh_offset) return NULL;
        *len = sh[i].sh_size;
        return so + sh[i].sh_offset;
    }
    return NULL;
}

unsigned char *graft__read_patch(const char *path, int given, size_t *size, char **reply) {
    /* DEPLOY-3: never block (a FIFO, a device), never follow to something else than what was checked. */
    int fd = given >= 0 ? dup(given) : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st, named;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *reply = say("REJECTED cannot read patch file %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        *reply = say("REJECTED %s is not a regular file [DEPLOY-3]", path);
        close(fd);
        return NULL;
    }
    if (st.st_size > GRAFT_PATCH_MAX_BYTES || st.st_size < TAIL) {
        *reply = say("REJECTED %s is not a patch file: %lld bytes (a patch has %d to %d) [DEPLOY-3]", path, (long long)st.st_size, TAIL, GRAFT_PATCH_MAX_BYTES);
        close(fd);
        return NULL;
    }
    /* The descriptor a client passed is the file at path, whose folders are checked. */
    if (stat(path, &named) != 0 || named.st_dev != st.st_dev || named.st_ino != st.st_ino) {
        *reply = say("REJECTED %s is not the file that was opened (it was moved or replaced) [DEPLOY-3]", path);
        close(fd);
        return NULL;
    }
    /* The folders of the file itself, wherever a symbolic link on the way leads. */
    char *real = realpath(path, NULL);
    if (!real) { *reply = say("REJECTED cannot resolve %s: %s [DEPLOY-3]", path, strerror(errno)); close(fd); return NULL; }
    *reply = check_owner(real, &st);
    free(real);
    if (*reply) { close(fd); return NULL; }
    size_t total = (size_t)st.st_size, got = 0;
    unsigned char *buf = malloc(total);
    if (!buf) { close(fd); *reply = say("REJECTED out of memory reading %s", path); return NULL; }
    while (got < total) {
        ssize_t r = pread(fd, buf + got, total - got, (off_t)got);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    const char *problem = NULL;
    const unsigned char *t = buf + total - TAIL;
    uint64_t n = 0, m = 0, s = 0, k = 0;
    unsigned char digest[32];
    if (got != total) problem = "the file changed while it was read";
    else if (memcmp(buf + total - 8, MAGIC, 8) != 0)
        problem = memcmp(buf + total - 8, "GRAFTPT1", 8) == 0 ? "it is in the format of an older graft (GRAFTPT1): build it again with this graft"
                                                              : "no graft trailer at its end (truncated, or not made by graft patch)";
    else {
        n = le(t, 8), m = le(t + 8, 4), s = le(t + 12, 2), k = le(t + 14, 2);
        graft_sha256(buf, total - 40, digest);
        if (n > total || m > total || n + m + s + k + TAIL != total || !(s == 0 || s == 64) || k != (s ? 32 : 0))
            problem = "its trailer's lengths do not add up to the file";
        else if (memcmp(digest, buf + total - 40, 32) != 0)
            problem = "its SHA-256 does not match the trailer (the file was altered or truncated)";
        else if (n < 4 || memcmp(buf, "\177ELF", 4) != 0)
            problem = "it holds no ELF shared object";
    }
    if (!problem && (problem = elf_problem(buf, (size_t)n))) {
        *reply = say("REJECTED %s is not a patch as graft makes them: %s [DEPLOY-5]", path, problem);
        free(buf);
        return NULL;
    }
    if (problem) {
        *reply = say("REJECTED corrupt patch file: %s: %s", path, problem);
        free(buf);
        return NULL;
    }
    const unsigned char *meta = buf + n, *sig = meta + m, *key = sig + s;
    char abi[16], base[256], kind[16];
    if (!meta_value(meta, m, "graft-patch", kind, sizeof kind) || strcmp(kind, "2") != 0 || !meta_value(meta, m, "abi", abi, sizeof abi)
        || !meta_value(meta, m, "base", base, sizeof base)) {
        *reply = say("REJECTED corrupt patch file: %s: its header names no format, ABI or base version", path);
        free(buf);
        return NULL;
    }
    if (atoi(abi) != GRAFT_ABI) {
        *reply = say("REJECTED the patch was built for runtime ABI %s, this process has ABI %d: build it with the graft this program was built with", abi, GRAFT_ABI);
        free(buf);
        return NULL;
    }
    /* DEPLOY-4: a patch for another version says so, before anything is loaded. */
    pthread_mutex_lock(&graft__mu);
    char *wrong = strcmp(base, graft__version) == 0 ? NULL
        : say("REJECTED wrong base version: the patch updates version %s, and this process runs version %s (apply the patches of the release chain in order, or build this patch from the build the process runs) [DEPLOY-4]", base, graft__version);
    pthread_mutex_unlock(&graft__mu);
    if (wrong) { *reply = wrong; free(buf); return NULL; }
    /* DEPLOY-1/2: signed by a key the program trusts, or the program accepts unsigned patches. */
    if (s == 0) {
        if (!graft__accept_unsigned) {
            *reply = say("REJECTED the patch is not signed, and this program accepts only patches signed by a key it trusts: sign it (graft patch --sign KEY, or graft sign --key KEY %s) [DEPLOY-1]", path);
            free(buf);
            return NULL;
        }
    } else {
        unsigned char msg[sizeof SIGNED_PREFIX - 1 + 32];
        memcpy(msg, SIGNED_PREFIX, sizeof SIGNED_PREFIX - 1);
        graft_sha256(buf, n + m, msg + sizeof SIGNED_PREFIX - 1);
        if (!ed25519_verify(key, sig, msg, sizeof msg)) {
            *reply = say("REJECTED the patch's signature does not verify: the patch was altered after it was signed [DEPLOY-1]");
            free(buf);
            return NULL;
        }
        if (!trusted(key) && !graft__accept_unsigned) {
            char b64[48];
            EVP_EncodeBlock((unsigned char *)b64, key, 32);
            *reply = say("REJECTED the patch is signed by key %s, which this program does not trust (build it with GRAFT_TRUST_KEYS naming the key, or list the key in %s) [DEPLOY-2]", b64, GRAFT_TRUSTED_KEYS_FILE);
            free(buf);
            return NULL;
        }
    }
    *size = n;
    return buf;
}
