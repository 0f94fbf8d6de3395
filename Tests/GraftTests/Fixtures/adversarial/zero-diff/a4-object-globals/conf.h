/* Shared by the program and obj.o (obj.c, built by plain cc). */
#ifndef CONF_H
#define CONF_H
struct limits { int soft, hard; };
struct config { char name[12]; int verbose; struct limits files; struct limits procs; };
struct route { const char *prefix; int backend; struct limits rate; };

/* Defined by the program: */
extern struct config g_config;
extern struct route g_routes[];
extern int g_nroutes;
extern struct limits *g_active;
/* In obj.o: */
int obj_check(void);
void obj_raise_limits(int factor);
int obj_route(const char *path);
void obj_add_route(const char *prefix, int backend);
#endif
