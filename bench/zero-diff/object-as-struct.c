/* an int object reached as a struct through void * in a global initializer */
struct a { int val; } x = { 1 };
int val;
struct a *p = (void *)&val;
int main(void) { *p = x; return val != 1 || sizeof *p != sizeof val; }
