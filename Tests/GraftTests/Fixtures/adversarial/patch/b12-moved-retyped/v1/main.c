/* b12-moved-retyped/v1/main.c — issue 7 class B12 (PATCH-1). As b12-moved-function, but 'n' becomes long: it cannot be matched.
   Expected: refused ('static local 'n' of 'next_id' moved from a.c to b.c: its state
   would restart').
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
        printf("v1 %d %d\n", a, b);
        usleep(20000);
    }
}
