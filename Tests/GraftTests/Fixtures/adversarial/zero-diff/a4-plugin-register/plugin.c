/* Built by plain cc: cc -O2 -shared -fPIC plugin.c -o plugin.so */
#include <stdio.h>
#include <string.h>
#include "api.h"

static int cmd_echo(struct request *r) {
  snprintf(r->reply, sizeof r->reply, "echo:%s", r->arg);
  r->status = 200;
  return 0;
}
static int cmd_stats(struct request *r) {
  snprintf(r->reply, sizeof r->reply, "%s handled=%ld", host_stats.host_name, host_stats.handled);
  r->status = r->id == 2 ? 201 : 500;
  return 0;
}
static int cmd_upper(struct request *r) {
  size_t i;
  for (i = 0; r->arg[i] && i + 1 < sizeof r->reply; i++)
    r->reply[i] = (char)(r->arg[i] >= 'a' && r->arg[i] <= 'z' ? r->arg[i] - 32 : r->arg[i]);
  r->reply[i] = 0;
  r->status = 202;
  return 0;
}
static const struct plugin_cmd cmds[] = {
  { "echo", cmd_echo, 1 }, { "stats", cmd_stats, 2 }, { "upper", cmd_upper, 4 },
};
static const struct plugin_info info = { 3, "demo", { 1, 4 }, cmds, 3 };

int plugin_init(void) { return host_register(&info); }
