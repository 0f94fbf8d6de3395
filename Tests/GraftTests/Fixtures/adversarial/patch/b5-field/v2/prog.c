/* b5-field/v2/prog.c — issue 7 class B5 (PATCH-1, PATCH-2). typedef int count_t becomes long long in struct acct, whose
   layout (padding before 'owner') stays the same: not seen as a change, v2 read the
   int -N as 4294967296-N. Expected: applied; struct acct converted by the default
   transformer (int → long long keeps the value), v2 sees n < 0.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
typedef long long count_t;
struct acct { count_t n; long long owner; };
static struct acct a = { 0, 42 };
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (;;) {
        graft_update_point();
        a.n -= 1;
        printf("v2 %s %lld %lld\n", a.n < 0 && a.owner == 42 ? "ok" : "WRONG", (long long)a.n, a.owner);
        usleep(20000);
    }
}
