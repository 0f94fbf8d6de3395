/* b4-new-variable/v2/prog.c — issue 7 class B4 (UPD-3). v2's loop body stops using 'hi' and uses a new variable 'seen' of main
   of the same type: matched by types, 'seen' aliased the running main's 'hi'.
   Expected: v2 refused (UPD-1, names 'seen' and 'hi'); v2-static (seen a static
   declared in the body, hi still used) applied, seen <= lo.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    long lo = 0, hi = 1000000, seen = 0;
    for (;;) {
        graft_update_point();
        lo += 1; seen += 1;
        printf("v2 %s %ld %ld\n", seen <= lo ? "ok" : "WRONG", lo, seen);
        usleep(20000);
    }
    return (int)hi;
}
