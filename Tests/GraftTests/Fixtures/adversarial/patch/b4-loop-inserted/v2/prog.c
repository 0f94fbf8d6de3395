/* b4-loop-inserted/v2/prog.c — issue 7 class B4 (UPD-3). v2 inserts a marked warm-up loop before main's event loop: by rank,
   the running main's loop (main#loop1) got the warm-up loop's body.
   Expected: refused (UPD-1: the loop cannot be matched, loops counted 1 → 2).
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
    for (int k = 0; k < 3; k++) {
        graft_update_point();
        lo += 1; hi -= 1;
        printf("v2 warm-up %ld %ld\n", lo, hi);
    }
    for (;;) {
        graft_update_point();
        lo += 1; hi -= 1;
        printf("v2 %s %ld %ld\n", lo + hi == 1000000 ? "ok" : "WRONG", lo, hi);
        usleep(20000);
    }
}
