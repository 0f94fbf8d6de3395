/* patch2-retyped-field/v1/prog.c — PATCH-2. struct acct's balance, a long
   count of cents, becomes a double count of units. C's conversion from long
   to double keeps no meaning here and the default transformer copies only
   value-keeping conversions, so without a hand-written transformer the
   balance would restart at 0: the patch is refused, naming the field (v2).
   With graft_transform_acct dividing by 100 (v2-transformed) it applies and
   the balance goes on.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
struct acct { int id; long balance; };
static struct acct a = { 7, 0 };
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (;;) {
        graft_update_point();
        a.balance += 100;
        printf("v1 %ld\n", a.balance);
        usleep(20000);
    }
}
