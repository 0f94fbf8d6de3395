/* Class A1 (offsetof is the byte distance from the struct), case a1-offsetof-table.
 * C11 7.19p3: offsetof(type, member-designator) is "the offset in bytes, to the
 * structure member ..., from the beginning of its structure"; member
 * designators may name nested members and array elements (s.m, a[2].b).
 * 6.6p6: it is an integer constant expression (array bounds, case labels,
 * static initializers).
 * Shape: a configuration-directive table as in nginx / Apache modules: each
 * directive records offsetof() of the field it sets, and one generic setter
 * writes through (char *)conf + off. The fields sit after embedded structs and
 * inside an array of structs, so any layout that changes the size of an
 * embedded struct moves them; offsetof is used in a static initializer, an
 * enum, case labels and at run time. Static, stack and heap configurations. */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

struct limits { int min; int max; };
struct listen { unsigned short port; int backlog; };
struct server_conf {
  char name[16];
  struct limits conn;        /* an embedded struct */
  int workers;               /* a field after it */
  struct listen ls[2];       /* an array of structs */
  long timeout_ms;
  const char *root;
};

enum kind { K_INT, K_LONG, K_USHORT, K_STR, K_NAME };
struct directive { const char *name; enum kind kind; size_t off; };
static const struct directive table[] = {
  { "name",     K_NAME,   offsetof(struct server_conf, name) },
  { "conn_min", K_INT,    offsetof(struct server_conf, conn.min) },
  { "conn_max", K_INT,    offsetof(struct server_conf, conn.max) },
  { "workers",  K_INT,    offsetof(struct server_conf, workers) },
  { "port0",    K_USHORT, offsetof(struct server_conf, ls[0].port) },
  { "port1",    K_USHORT, offsetof(struct server_conf, ls[1].port) },
  { "backlog1", K_INT,    offsetof(struct server_conf, ls[1].backlog) },
  { "timeout",  K_LONG,   offsetof(struct server_conf, timeout_ms) },
  { "root",     K_STR,    offsetof(struct server_conf, root) },
};
enum { NDIR = sizeof table / sizeof table[0],
       OFF_WORKERS = offsetof(struct server_conf, workers),
       OFF_TIMEOUT = offsetof(struct server_conf, timeout_ms) };

static int fails;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%-58s %s\n", what, ok_ ? "ok" : "FAIL"); \
                               fflush(stdout); if (!ok_) fails++; } while (0)

static const char *strings[] = { "/srv/www", "/var/empty" };

static int set_directive(void *conf, const char *name, const char *val) {
  for (int i = 0; i < NDIR; i++) {
    if (strcmp(table[i].name, name) != 0) continue;
    void *field = (char *)conf + table[i].off;
    switch (table[i].kind) {
    case K_INT:    *(int *)field = atoi(val); break;
    case K_LONG:   *(long *)field = atol(val); break;
    case K_USHORT: *(unsigned short *)field = (unsigned short)atoi(val); break;
    case K_STR:    *(const char **)field = strings[atoi(val)]; break;
    case K_NAME:   snprintf(field, 16, "%s", val); break;
    }
    return 0;
  }
  return -1;
}

/* which directive sets the field at this address? */
static const char *field_name(const void *conf, const void *field) {
  size_t d = (size_t)((const char *)field - (const char *)conf);
  for (int i = 0; i < NDIR; i++) if (table[i].off == d) return table[i].name;
  return "?";
}

/* offsetof in case labels */
static const char *label_of(size_t off) {
  switch (off) {
  case OFF_WORKERS: return "workers";
  case OFF_TIMEOUT: return "timeout";
  case offsetof(struct server_conf, conn): return "conn";
  default: return "other";
  }
}

static void apply(struct server_conf *c) {
  static const char *lines[][2] = {
    { "name", "front" }, { "conn_min", "4" }, { "conn_max", "512" }, { "workers", "8" },
    { "port0", "8080" }, { "port1", "8443" }, { "backlog1", "128" }, { "timeout", "30000" }, { "root", "1" },
  };
  for (unsigned i = 0; i < sizeof lines / sizeof lines[0]; i++)
    if (set_directive(c, lines[i][0], lines[i][1]) != 0) printf("unknown directive %s\n", lines[i][0]);
}

static void check_conf(const char *where, struct server_conf *c) {
  char w[80];
  memset(c, 0, sizeof *c);
  apply(c);
  snprintf(w, sizeof w, "%s: values set through offsetof", where);
  CHECK(w, strcmp(c->name, "front") == 0 && c->conn.min == 4 && c->conn.max == 512 && c->workers == 8
           && c->ls[0].port == 8080 && c->ls[1].port == 8443 && c->ls[1].backlog == 128
           && c->timeout_ms == 30000 && c->root == strings[1]);
  snprintf(w, sizeof w, "%s: untouched fields still zero", where);
  CHECK(w, c->ls[0].backlog == 0);
  const char *base = (const char *)(void *)c;
  snprintf(w, sizeof w, "%s: offsetof == distance for every field", where);
  CHECK(w, (size_t)((const char *)&c->conn.max - base) == offsetof(struct server_conf, conn.max)
           && (size_t)((const char *)&c->workers - base) == offsetof(struct server_conf, workers)
           && (size_t)((const char *)&c->ls[1].backlog - base) == offsetof(struct server_conf, ls[1].backlog)
           && (size_t)((const char *)&c->timeout_ms - base) == offsetof(struct server_conf, timeout_ms)
           && (size_t)((const char *)&c->root - base) == offsetof(struct server_conf, root));
  snprintf(w, sizeof w, "%s: field_name(&c->ls[1].port)", where);
  CHECK(w, strcmp(field_name(c, &c->ls[1].port), "port1") == 0);
  snprintf(w, sizeof w, "%s: field_name(&c->workers)", where);
  CHECK(w, strcmp(field_name(c, &c->workers), "workers") == 0);
  snprintf(w, sizeof w, "%s: read back through (char *)c + OFF_TIMEOUT", where);
  CHECK(w, *(long *)(void *)((char *)(void *)c + OFF_TIMEOUT) == 30000);
  /* the embedded struct seen on its own: its own offsets are distances too */
  struct listen *l = &c->ls[1];
  snprintf(w, sizeof w, "%s: offsetof(struct listen, backlog) == distance", where);
  CHECK(w, (size_t)((char *)&l->backlog - (char *)(void *)l) == offsetof(struct listen, backlog));
}

static struct server_conf g_conf;

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("%d directives; workers is %s, timeout is %s, conn is %s\n", NDIR,
         label_of(offsetof(struct server_conf, workers)), label_of(offsetof(struct server_conf, timeout_ms)),
         label_of(offsetof(struct server_conf, conn)));
  check_conf("static", &g_conf);
  struct server_conf s;
  check_conf("stack", &s);
  struct server_conf *h = malloc(sizeof *h);
  if (!h) return 99;
  check_conf("heap", h);
  struct server_conf arr[2];
  check_conf("array [1]", &arr[1]);
  free(h);
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
