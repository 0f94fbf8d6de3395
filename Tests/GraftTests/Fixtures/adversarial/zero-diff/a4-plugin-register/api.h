/* The program's public plugin interface: a plugin built by any compiler
   includes this header and relies on the ordinary C layout of these types. */
#ifndef API_H
#define API_H
struct request { int id; const char *arg; int status; char reply[32]; };
struct plugin_cmd { const char *name; int (*handler)(struct request *); int flags; };
struct version { int major, minor; };
struct plugin_info { int abi; const char *name; struct version ver; const struct plugin_cmd *cmds; int ncmds; };
struct host_stats { long registered; long handled; const char *host_name; };

int host_register(const struct plugin_info *info);   /* exported by the program */
extern struct host_stats host_stats;                 /* defined by the program */
#endif
