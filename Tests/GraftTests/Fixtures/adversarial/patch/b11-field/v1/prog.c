/* b11-field/v1/prog.c — issue 7 class B11 (PATCH-8, PATCH-2). The same insertion, stored in a field of heap objects of
   the wrapped struct job. Expected: v2 refused (PATCH-8); v2-transformed
   (graft_transform_job renumbers ph) applied, every job keeps its phase.
 */
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
enum phase { IDLE, RUN, DONE };
struct job { enum phase ph; int id; };
static struct job *jobs[3];
static const char *name(enum phase p) { return p == IDLE ? "idle" : p == RUN ? "run" : p == DONE ? "done" : "?"; }
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (int k = 0; k < 3; k++) { jobs[k] = malloc(sizeof *jobs[k]); jobs[k]->id = k; jobs[k]->ph = k == 0 ? IDLE : k == 1 ? RUN : DONE; }
    for (;;) {
        graft_update_point();
        printf("v1 %s %s %s\n", name(jobs[0]->ph), name(jobs[1]->ph), name(jobs[2]->ph));
        usleep(20000);
    }
}
