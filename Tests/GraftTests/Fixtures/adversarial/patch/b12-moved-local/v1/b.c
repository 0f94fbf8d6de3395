/* b12-moved-local/v1/b.c (see main.c) */
int g(void) { return 7; }
