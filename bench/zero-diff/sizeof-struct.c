/* sizeof of a struct of one int is sizeof(int) */
struct S { int x; };
int main(void) { return sizeof(struct S) != sizeof(int); }
