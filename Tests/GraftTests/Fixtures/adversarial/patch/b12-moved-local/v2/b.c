/* b12-moved-local/v2/b.c (see main.c) */
int f(void) { static int count; return ++count; }
int g(void) { return 8; }
