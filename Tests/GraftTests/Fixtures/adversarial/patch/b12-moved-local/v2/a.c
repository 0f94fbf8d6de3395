/* b12-moved-local/v2/a.c (see main.c) */
int a_unused;
