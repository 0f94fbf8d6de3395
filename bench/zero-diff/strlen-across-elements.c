/* strlen runs past an unterminated member into the next array element (gcc keeps the "expected" result) */
struct M { char a[4], b[4]; };
const struct M m[2] = { { { '1', '2', '3', '4' }, { '5', '6', '7', '8' } }, { { '9' } } };
int idx;
int main(void) { return __builtin_strlen(m[idx].a) != 9; }
