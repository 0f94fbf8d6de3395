/* b11-int/v2/prog.c — issue 7 class B11 (PATCH-8). An anonymous enum stored in a static int. Expected: refused (PATCH-8).
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
enum { IDLE, PAUSED, RUN, DONE };
static int state = IDLE;
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (int i = 0;; i++) {
        graft_update_point();
        if (i == 3) state = RUN;
        printf("v2 %s %d\n", state == RUN ? "ok" : "WRONG", state);
        usleep(20000);
    }
}
