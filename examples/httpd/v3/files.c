/* files.c — request targets to file paths, and MIME types. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "httpd.h"

struct mime {
    const char *ext;
    const char *type;
};

static const struct mime mime_table[] = {
    { "html", "text/html; charset=utf-8" },
    { "htm", "text/html; charset=utf-8" },
    { "txt", "text/plain; charset=utf-8" },
    { "css", "text/css" },
    { "js", "text/javascript" },
    { "json", "application/json" },
    { "xml", "application/xml" },
    { "png", "image/png" },
    { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" },
    { "gif", "image/gif" },
    { "svg", "image/svg+xml" },
    { "ico", "image/x-icon" },
    { "pdf", "application/pdf" },
    { "wasm", "application/wasm" },
};

const char *mime_type(const char *path) {
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    if (dot != NULL && (slash == NULL || dot > slash)) {
        for (size_t i = 0; i < sizeof mime_table / sizeof mime_table[0]; i++)
            if (strcasecmp(dot + 1, mime_table[i].ext) == 0)
                return mime_table[i].type;
    }
    return "application/octet-stream";
}

static int hexval(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Decodes %XX escapes of the path part (up to '?' or '#') into out.
 * -1 on a bad escape, an encoded NUL or an overlong path. */
static int url_decode_path(const char *target, char *out, size_t outlen) {
    size_t n = 0;
    for (const char *p = target; *p != '\0' && *p != '?' && *p != '#'; p++) {
        int ch = (unsigned char)*p;
        if (ch == '%') {
            int hi = hexval((unsigned char)p[1]);
            int lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
            if (hi < 0 || lo < 0)
                return -1;
            ch = hi * 16 + lo;
            if (ch == 0)
                return -1;
            p += 2;
        }
        if (n + 1 >= outlen)
            return -1;
        out[n++] = (char)ch;
    }
    out[n] = '\0';
    return 0;
}

enum route resolve_path(const char *root, const char *target, char *out, size_t outlen,
                        int *error_status) {
    char decoded[HTTP_MAX_PATH];
    char clean[HTTP_MAX_PATH];
    size_t n = 0;

    *error_status = 400;
    if (target[0] != '/')
        return ROUTE_ERROR;
    if (url_decode_path(target, decoded, sizeof decoded) < 0)
        return ROUTE_ERROR;

    /* Normalize segment by segment: drop "" and ".", let ".." remove the
     * previous segment, and refuse a ".." that would climb above the root. */
    const char *p = decoded;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        const char *seg = p;
        while (*p != '\0' && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            if (n == 0) {
                *error_status = 404;
                return ROUTE_ERROR;
            }
            while (n > 0 && clean[n - 1] != '/')
                n--;
            if (n > 0)
                n--; /* the '/' before the removed segment */
            continue;
        }
        if (n + 1 + len + 1 > sizeof clean)
            return ROUTE_ERROR;
        clean[n++] = '/';
        memcpy(clean + n, seg, len);
        n += len;
    }
    clean[n] = '\0';

    /* The built-in page (it shadows a file called "stats" in the root). */
    if (strcmp(clean, "/stats") == 0 && strcmp(decoded, "/stats") == 0)
        return ROUTE_STATS;

    /* A directory target ("/" or ".../") means its index.html. */
    size_t dlen = strlen(decoded);
    int dir = n == 0 || (dlen > 0 && decoded[dlen - 1] == '/');
    int w = snprintf(out, outlen, "%s%s%s", root, clean, dir ? "/index.html" : "");
    if (w < 0 || (size_t)w >= outlen)
        return ROUTE_ERROR;
    return ROUTE_FILE;
}
