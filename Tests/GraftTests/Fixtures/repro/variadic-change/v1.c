/* repro variadic-change: v2 changes one string in a variadic logging
 * function; the patch applies (a variadic function whose address is never
 * taken has a slot) and every later line has v2's prefix. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "graft.h"
static void log_msg(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("v1 [info] ", stdout);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}
int main(void) {
    for (int i = 0;; i++) {
        graft_update_point();
        log_msg("tick %d %s\n", i, "ok");
        usleep(20000);
    }
}
