/* b12-moved-local/v1/a.c (see main.c) */
int f(void) { static int count; return ++count; }
