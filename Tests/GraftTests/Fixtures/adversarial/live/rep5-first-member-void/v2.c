#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct node { int prio; int visits; };
struct job { struct node node; long done; long started_at; long owner; };

static struct node *queue[3];

static void visit(struct node *nd) { struct job *j = (void *)nd; nd->visits++; j->done++; }

int main(void) {
    for (int i = 0; i < 3; i++) { struct job *j = calloc(1, sizeof *j); j->node.prio = i; void *v = j; queue[i] = v; }
    for (long n = 0;; n++) {
        graft_update_point();
        int ok = 1;
        for (int i = 0; i < 3; i++) {
            struct job *j = (void *)queue[i];
            visit(queue[i]);
            j->node.visits += 0;
            ok &= j->node.visits == queue[i]->visits && j->done == j->node.visits && j->node.prio == i;
        }
        printf("v2 %ld %s visits=%d job.visits=%d\n", n, ok ? "OK" : "FAIL", queue[2]->visits, ((struct job *)(void *)queue[2])->node.visits);
        fflush(stdout);
        usleep(20000);
    }
}
