/* [REP-5] [PATCH-7]: the first-member idiom through `void *`: a registry of
 * `struct node *` that are really the first member of a `struct job` (no
 * `&job->node` anywhere: the job's address is converted through void *), and
 * the job reached back from the node the same way. The patch grows struct
 * job, so an old job's value moves to the heap; NEW code then updates the
 * node through the job and reads it through the registry. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "graft.h"

struct node { int prio; int visits; };
struct job { struct node node; long done; };

static struct node *queue[3];

static void visit(struct node *nd) { struct job *j = (void *)nd; nd->visits++; j->done++; }

int main(void) {
    for (int i = 0; i < 3; i++) { struct job *j = calloc(1, sizeof *j); j->node.prio = i; void *v = j; queue[i] = v; }
    for (long n = 0;; n++) {
        graft_update_point();
        for (int i = 0; i < 3; i++) visit(queue[i]);
        printf("v1 %ld visits=%d\n", n, queue[2]->visits);
        fflush(stdout);
        usleep(20000);
    }
}
