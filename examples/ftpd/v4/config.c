/* config.c — settings from a file of `name=value` lines (vsftpd's
 * parseconf.c idea): one static table per kind of setting, each entry the
 * setting's name and where its value lives in cfg.  `#` starts a comment. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftpd.h"

struct int_setting {
    const char *name;
    int *value;
};

struct str_setting {
    const char *name;
    const char **value;
};

static const struct int_setting int_settings[] = {
    { "listen_port", &cfg.port },
    { "max_clients", &cfg.max_clients },
    { "anon_upload_enable", &cfg.anon_upload },
    { "data_connection_timeout", &cfg.data_timeout },
};

static const struct str_setting str_settings[] = {
    { "anon_root", &cfg.root },
    { "run_as_user", &cfg.run_as },
    { "ftpd_banner", &cfg.banner },
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static int set(const char *name, const char *value) {
    for (size_t i = 0; i < COUNT(int_settings); i++)
        if (!strcmp(int_settings[i].name, name)) {
            char *end;
            long v = strtol(value, &end, 10);
            if (!*value || *end) return -1;
            *int_settings[i].value = (int)v;
            return 0;
        }
    for (size_t i = 0; i < COUNT(str_settings); i++)
        if (!strcmp(str_settings[i].name, name)) {
            char *copy = strdup(value);
            if (!copy) return -1;
            *str_settings[i].value = copy;
            return 0;
        }
    return -1;
}

int config_load(const char *path) {
    char line[FTPD_LINE_MAX];
    int lineno = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = line, *eq;
        lineno++;
        str_strip_crlf(line);
        while (isspace((unsigned char)*p)) p++;
        if (!*p || *p == '#') continue;
        eq = strchr(p, '=');
        if (eq) *eq = 0;
        if (!eq || set(p, eq + 1) < 0) {
            fprintf(stderr, "%s:%d: bad setting '%s'\n", path, lineno, p);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

void config_format(char *buf, size_t len) {
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < COUNT(int_settings); i++)
        at = str_append(buf, len, at, " %s=%d\r\n", int_settings[i].name, *int_settings[i].value);
    for (size_t i = 0; i < COUNT(str_settings); i++)
        at = str_append(buf, len, at, " %s=%s\r\n", str_settings[i].name,
                        *str_settings[i].value ? *str_settings[i].value : "");
}
