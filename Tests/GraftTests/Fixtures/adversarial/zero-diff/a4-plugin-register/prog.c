/* Class A4 (a struct shared with code graft did not build), case a4-plugin-register.
 * C11 6.2.7p1 / 6.7.2.1: struct types declared identically in separately
 * translated units (here the program and a plugin compiled by plain cc,
 * through one header) are compatible and have the same layout; the platform
 * ABI (System V x86-64) fixes that layout for both compilers.
 * Shape: a module system as in web servers. The plugin (plugin.c, built with
 * cc -shared -fPIC, dlopen'ed) calls the program's exported host_register()
 * with a static struct plugin_info that nests a struct version and points to
 * an ARRAY of struct plugin_cmd; the program keeps the info and later calls
 * each command's handler (through a function pointer the plugin gave it)
 * with a struct request on its own stack, which the plugin fills; one
 * handler reads the program's global struct host_stats by name.
 * Build: cc -O2 -shared -fPIC plugin.c -o plugin.so;
 *        [graft] cc -O2 -rdynamic prog.c -o prog -ldl; run in the folder. */
#include <stdio.h>
#include <string.h>
#include <dlfcn.h>
#include "api.h"

struct host_stats host_stats = { 0, 0, "graft-host" };
static const struct plugin_info *registered;

int host_register(const struct plugin_info *info) {
  printf("register: abi %d plugin %s %d.%d, %d commands\n", info->abi, info->name, info->ver.major, info->ver.minor, info->ncmds);
  fflush(stdout);
  for (int i = 0; i < info->ncmds; i++) printf("  command %s flags %d\n", info->cmds[i].name, info->cmds[i].flags);
  fflush(stdout);
  registered = info;
  host_stats.registered += info->ncmds;
  return info->abi == 3 ? 0 : -1;
}

static int dispatch(const char *name, int id, const char *arg) {
  for (int i = 0; i < registered->ncmds; i++) {
    const struct plugin_cmd *c = &registered->cmds[i];
    if (strcmp(c->name, name) != 0) continue;
    struct request req = { id, arg, 0, "" };
    c->handler(&req);
    host_stats.handled++;
    printf("request %d %s(%s): status %d reply \"%s\"\n", req.id, name, arg, req.status, req.reply);
    fflush(stdout);
    return req.status;
  }
  return -1;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  void *h = dlopen("./plugin.so", RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 97; }
  int (*init)(void) = (int (*)(void))dlsym(h, "plugin_init");
  if (!init) return 97;
  int rc = init();
  int fails = 0;
  fails += rc != 0;
  fails += registered == NULL || host_stats.registered != 3;
  if (registered) {
    fails += dispatch("echo", 1, "ping") != 200;
    fails += dispatch("stats", 2, "") != 201;
    fails += dispatch("upper", 3, "graft") != 202;
    fails += dispatch("nosuch", 4, "") != -1;
  }
  printf("handled %ld, registered %ld\n", host_stats.handled, host_stats.registered);
  fails += host_stats.handled != 3;
  printf("%s\n", fails ? "FAILED" : "all ok");
  return fails != 0;
}
