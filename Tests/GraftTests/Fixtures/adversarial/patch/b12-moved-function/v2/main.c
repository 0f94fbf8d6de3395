/* b12-moved-function/v2/main.c — issue 7 class B12 (PATCH-1). The static function next_id (with its static local 'n', reached
   through a const function pointer) moves from a.c to b.c and changes.
   Expected: applied; next_id matched, its slot rebound, n continues (… × 10).
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
int tick(void); int other(void);
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (;;) {
        graft_update_point();
        int a = tick(), b = other();
        printf("v2 %s %d %d\n", a > 50 && a % 10 == 0 && b == 8 ? "ok" : "WRONG", a, b);
        usleep(20000);
    }
}
