/* B6 [UPD-2]: a longjmp back into a frame before the update point. main
 * calls setjmp, then loops calling work, which has the update point and
 * now and then jumps back: main runs the code after its setjmp again —
 * old code, which reads the state's fields — while the patch puts a field
 * in front of them. main counts whole. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct state { long a; long b; };

static struct state *st;
static jmp_buf back;

static void report(long n, long d) { printf("v1 %ld d=%ld%s\n", n, d, d == 0 ? "" : " FAIL"); fflush(stdout); }

static void work(long n) {
    st->a = n; st->b = 2 * n;
    graft_update_point();
    if (n % 4 == 0) longjmp(back, 1);
    report(n, 0);
}

int main(void) {
    st = malloc(sizeof *st);
    st->a = 0; st->b = 0;
    static long n;
    if (setjmp(back)) report(n, st->b - 2 * st->a);
    for (;;) {
        n++;
        work(n);
        usleep(20000);
    }
}
