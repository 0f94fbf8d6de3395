/* b12-moved-function/v1/a.c (see main.c) */
static int next_id(void) { static int n; return ++n; }
static int (*const gen)(void) = next_id;
int tick(void) { return gen(); }
