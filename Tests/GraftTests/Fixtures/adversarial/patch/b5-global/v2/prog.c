/* b5-global/v2/prog.c — issue 7 class B5 (PATCH-1, PATCH-3). typedef int count_t becomes long long; the static array
   'ring' of count_t looked unchanged, so v2's code read and wrote the old 8-byte
   array as 16 bytes. Expected: refused (PATCH-3, 'that is int [2] → … long long [2]').
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
typedef long long count_t;
static count_t ring[2] = { 0, 5 };
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    for (;;) {
        graft_update_point();
        ring[0] += 1;
        printf("v2 %s %lld %lld\n", ring[0] > 0 && ring[0] < 100000 && ring[1] == 5 ? "ok" : "WRONG", (long long)ring[0], (long long)ring[1]);
        usleep(20000);
    }
}
