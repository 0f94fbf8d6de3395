/* b12-moved-retyped/v1/b.c (see main.c) */
int other(void) { return 7; }
