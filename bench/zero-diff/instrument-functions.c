/* { dg-options "-finstrument-functions" } */
/* each instrumented function entered once: foo; main and the hooks are not instrumented */
#define NOCHK __attribute__((no_instrument_function))
int calls;
void __cyg_profile_func_enter(void *fn, void *site) NOCHK;
void __cyg_profile_func_exit(void *fn, void *site) NOCHK;
void __cyg_profile_func_enter(void *fn, void *site) { calls++; }
void __cyg_profile_func_exit(void *fn, void *site) { }
__attribute__((noinline)) void foo(void) { }
int main(void) NOCHK;
int main(void) { foo(); return calls != 1; }
