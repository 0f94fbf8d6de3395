#include "shapes.h"

static const char *prefix = "S";

int next_id(void) {
    static int n = 100;     /* a static local: keeps counting across calls */
    return n++;
}

const char *id_prefix(void) { return prefix; }
