/* log.c — the server's log: one line per event on stderr, with the time
 * and the process id.  Compiled with -D_XOPEN_SOURCE=700: struct tm and
 * localtime_r as POSIX spells them (its tm_gmtoff is __tm_gmtoff here). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ftpd.h"

static const char *log_ident = "ftpd";

void log_open(const char *ident) {
    log_ident = ident;
}

void log_msg(const char *fmt, ...) {
    /* The formatted time is kept for the second it names. */
    static char stamp[32];
    static time_t stamp_at = (time_t)-1;
    char line[FTPD_LINE_MAX];
    time_t now = time(NULL);
    va_list ap;
    int n;

    if (now != stamp_at) {
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
        stamp_at = now;
    }
    n = snprintf(line, sizeof line, "%s %s[%d]: ", stamp, log_ident, (int)getpid());
    if (n < 0 || (size_t)n >= sizeof line) return;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    n = (int)strlen(line);
    if ((size_t)n < sizeof line - 1) { line[n++] = '\n'; line[n] = 0; }
    if (write(STDERR_FILENO, line, (size_t)n) < 0) { /* nowhere to say it */ }
}
