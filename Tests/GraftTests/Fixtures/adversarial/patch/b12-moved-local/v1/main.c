/* b12-moved-local/v1/main.c — issue 7 class B12 (PATCH-1). f() and its static local 'count' move from a.c to b.c: identity
   a.c:f:count became b.c:f:count, a new global, and count restarted at 0.
   Expected: applied, count matched (b.c:f:count is a.c:f:count) and continues.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
int f(void); int g(void);
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (;;) {
        graft_update_point();
        int a = f(), b = g();
        printf("v1 %d %d\n", a, b);
        usleep(20000);
    }
}
