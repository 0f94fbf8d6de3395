/* b11-appended/v1/prog.c — issue 7 class B11 (PATCH-8). FAILED is appended: every old constant keeps its value.
   Expected: applied; v2 sees RUN.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
enum phase { IDLE, RUN, DONE };
enum phase ph = IDLE;
static const char *name(enum phase p) { return p == IDLE ? "idle" : p == RUN ? "run" : p == DONE ? "done" : "?"; }
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (int i = 0;; i++) {
        graft_update_point();
        if (i == 3) ph = RUN;
        printf("v1 %s\n", name(ph));
        usleep(20000);
    }
}
