/* b12-moved-function/v1/b.c (see main.c) */
int other(void) { return 7; }
