#include "chan.h"                 /* found through -I.. */
int tun_filter(struct Channel *c) { return c->self; }
