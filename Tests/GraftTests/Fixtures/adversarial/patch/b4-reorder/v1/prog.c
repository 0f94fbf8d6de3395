/* b4-reorder/v1/prog.c — issue 7 class B4 (UPD-3). v2 declares main's 'lo' and 'hi' in the other order. The loop body
   takes them by address; matched by parameter types, the new body got 'hi' for 'lo'.
   Expected: applied; v2 sees lo < hi, lo + hi == 1000000.
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
    long lo = 0, hi = 1000000;
    for (;;) {
        graft_update_point();
        lo += 1; hi -= 1;
        printf("v1 %ld %ld\n", lo, hi);
        usleep(20000);
    }
}
