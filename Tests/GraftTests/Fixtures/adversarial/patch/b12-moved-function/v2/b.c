/* b12-moved-function/v2/b.c (see main.c) */
static int next_id(void) { static int n; return 10 * ++n; }
static int (*const gen)(void) = next_id;
int tick_other(void) { return gen(); }
int other(void) { return 8; }
