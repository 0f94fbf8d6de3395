/* patch2-retyped-field/v2-transformed/transformers.c — NEW's transformers (see v1/prog.c) */
struct acct { int id; double balance; };
struct acct_old { int id; long balance; };
void graft_transform_acct(struct acct_old *old, struct acct *new) {
    new->balance = old->balance / 100.0;
}
