/* an alias attribute names a static that the updatable build renames */
static int a = 0;
extern int b __attribute__((alias("a")));
int main(void) { b++; return a != 1; }
