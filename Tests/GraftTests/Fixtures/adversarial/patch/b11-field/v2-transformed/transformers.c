/* b11-field/v2-transformed/transformers.c — NEW's transformers (see prog.c) */
enum phase { IDLE, PAUSED, RUN, DONE };
struct job { enum phase ph; int id; };
struct job_old { unsigned ph; int id; };
void graft_transform_job(struct job_old *old, struct job *new) {
    new->ph = old->ph == 0 ? IDLE : old->ph == 1 ? RUN : DONE;
}
