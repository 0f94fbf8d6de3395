/* a C99 inline definition with no external definition: it links only where gcc inlines every call */
#include <stdlib.h>
struct s { double d; };
inline struct s sub(struct s s) { s.d += 1.0; return s; }
int main(void) { struct s t = { 2.0 }; t = sub(t); if (t.d != 3.0) abort(); exit(0); }
