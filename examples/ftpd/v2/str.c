/* str.c — string helpers: addresses, command lines, paths. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ftpd.h"

void str_ip(unsigned int ip, char *out, size_t len) {
    const unsigned char *b = (const unsigned char *)&ip;
    snprintf(out, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

void str_strip_crlf(char *s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

/* "RETR a file" → "RETR", returns "a file" (or "" when there is none). */
char *str_split_arg(char *line) {
    char *sp = strchr(line, ' ');
    if (!sp) return line + strlen(line);
    *sp = 0;
    return sp + 1;
}

void str_upper(char *s) {
    for (; *s; s++) *s = (char)toupper((unsigned char)*s);
}

/* Resolves ARG against the virtual directory CWD: VIRT gets the virtual
 * path ("/a/b"), OUT the real one under ROOT.  "." and ".." are folded;
 * ".." never climbs above "/".  Returns 0, or -1 when a path is too long. */
int str_resolve(const char *root, const char *cwd, const char *arg, char *out, size_t len, char *virt, size_t vlen) {
    char tmp[FTPD_PATH_MAX * 2];
    size_t v = 0;
    const char *p;

    if (arg[0] == '/') snprintf(tmp, sizeof tmp, "%s", arg);
    else snprintf(tmp, sizeof tmp, "%s/%s", cwd, arg);
    if (vlen < 2) return -1;
    virt[0] = 0;
    for (p = tmp; *p;) {
        const char *e;
        size_t n;
        while (*p == '/') p++;
        if (!*p) break;
        e = strchr(p, '/');
        n = e ? (size_t)(e - p) : strlen(p);
        if (n == 1 && p[0] == '.') {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (v > 0 && virt[v - 1] != '/') v--;
            if (v > 0) v--;
            virt[v] = 0;
        } else {
            if (v + 1 + n + 1 > vlen) return -1;
            virt[v++] = '/';
            memcpy(virt + v, p, n);
            v += n;
            virt[v] = 0;
        }
        p += n;
    }
    if (v == 0) { virt[0] = '/'; virt[1] = 0; }
    if ((size_t)snprintf(out, len, "%s%s", root, virt) >= len) return -1;
    return 0;
}

/* snprintf at BUF+AT; returns the new end, never past LEN-1. */
size_t str_append(char *buf, size_t len, size_t at, const char *fmt, ...) {
    va_list ap;
    int n;
    if (at >= len) return at;
    va_start(ap, fmt);
    n = vsnprintf(buf + at, len - at, fmt, ap);
    va_end(ap);
    if (n < 0) return at;
    at += (size_t)n;
    return at < len ? at : len - 1;
}
