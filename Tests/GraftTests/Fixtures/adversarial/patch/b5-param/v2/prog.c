/* b5-param/v2/prog.c — issue 7 class B5 (PATCH-1, UPD-1). add(count_t) widens with count_t: its signature looked the
   same, so tick(), on the stack after its update point, passed an int to the new
   add(long long). Expected: blocked at tick's point (UPD-1), applied at main's; v2
   sees level < 0.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
typedef long long count_t;
static long long level = 0;
static void add(count_t d) { level += 2 * d; }
static void tick(void) {
    graft_update_point();
    add(-1);
}
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (;;) {
        graft_update_point();
        tick();
        printf("v2 %s %lld\n", level < 0 && level > -100000 ? "ok" : "WRONG", level);
        usleep(20000);
    }
}
