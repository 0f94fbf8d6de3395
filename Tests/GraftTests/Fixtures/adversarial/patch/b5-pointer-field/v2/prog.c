/* b5-pointer-field/v2/prog.c — issue 7 class B5 (PATCH-1, PATCH-2; /work/shared/repro/typedef-ptr-field). struct session gains
   'extra'; its field 'chunk_t *inbuf' (pointer to a typedef'd, unchanged struct) was
   said to change type. Expected: applied, inbuf copied by the default transformer.
 */
#include <stdio.h>
#include <unistd.h>
#ifdef __GRAFT__
void graft_update_point(void);
#else
#define graft_update_point() ((void)0)
#endif
struct chunk { unsigned char *data; unsigned int len; };
typedef struct chunk chunk_t;
struct session {
    int sock;
    long extra;
    chunk_t *inbuf;
};
static struct session cur;
static chunk_t c0 = { 0, 3 };
static void setup(void) { cur.inbuf = &c0; }
static void tick(int i) { cur.sock = i; }
int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    setup();
    for (int i = 1;; i++) {
        graft_update_point();
        tick(i);
        printf("v2 %s %d %u %ld\n", cur.inbuf == &c0 && cur.inbuf->len == 3 && cur.sock > 1 && cur.extra == 0 ? "ok" : "WRONG", cur.sock, cur.inbuf->len, cur.extra);
        usleep(20000);
    }
}
