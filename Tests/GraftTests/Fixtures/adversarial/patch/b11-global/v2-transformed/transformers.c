/* b11-global/v2-transformed/transformers.c — NEW's transformers (see prog.c) */
enum phase { IDLE, PAUSED, RUN, DONE };
extern enum phase ph;
/* v1's IDLE, RUN, DONE were 0, 1, 2. */
void graft_state_transform(void) { if (ph != IDLE) ph = (enum phase)(ph + 1); }
