/* patch2-retyped-field/v2/prog.c — PATCH-2 (see v1/prog.c): balance in units. */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
struct acct { int id; double balance; };
static struct acct a = { 7, 0 };
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (;;) {
        graft_update_point();
        a.balance += 1.0;
        printf("v2 %s %.2f\n", a.balance >= 2.0 && a.id == 7 ? "ok" : "WRONG", a.balance);
        usleep(20000);
    }
}
