/* b11-local/v2/prog.c — issue 7 class B11 (UPD-2, PATCH-8). The enum is held by main's local 'ph', which the extracted
   loop body reads. Expected: refused, admissible at no point (UPD-2).
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
enum phase { IDLE, PAUSED, RUN, DONE };
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    enum phase ph = IDLE;
    for (int i = 0;; i++) {
        graft_update_point();
        if (i == 3) ph = RUN;
        printf("v2 %s %d\n", ph == RUN ? "ok" : "WRONG", ph);
        usleep(20000);
    }
}
