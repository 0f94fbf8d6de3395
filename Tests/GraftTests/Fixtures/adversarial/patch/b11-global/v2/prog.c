/* b11-global/v2/prog.c — issue 7 class B11 (PATCH-8). PAUSED is inserted after IDLE: RUN 1 → 2, DONE 2 → 3; the global
   'ph' holds RUN (1), read by v2 as PAUSED. Expected: v2 refused (PATCH-8);
   v2-transformed (graft_state_transform renumbers ph) applied, v2 sees RUN.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
enum phase { IDLE, PAUSED, RUN, DONE };
enum phase ph = IDLE;
static const char *name(enum phase p) { return p == IDLE ? "idle" : p == RUN ? "run" : p == DONE ? "done" : p == PAUSED ? "paused" : "?"; }
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (int i = 0;; i++) {
        graft_update_point();
        if (i == 3) ph = RUN;
        printf("v2 %s %s\n", ph == RUN ? "ok" : "WRONG", name(ph));
        usleep(20000);
    }
}
