/* b12-moved-function/v2/a.c (see main.c) */
int tick_other(void);
int tick(void) { return tick_other(); }
