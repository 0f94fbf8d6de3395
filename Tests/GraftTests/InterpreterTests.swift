// The reference interpreter (Sources/IR/Interpreter*.swift) against gcc:
// each program of the table is lowered and interpreted, and compiled by gcc
// directly and run; stdout and exit status must agree. Then the errors the
// interpreter must catch, each with its kind and line, and a sample of the
// gcc torture corpus (when .cache/torture/execute is there).

import Foundation
import Testing
@testable import IR
import Frontend

struct InterpCase: Sendable, CustomTestStringConvertible {
    var name: String
    var source: String
    var stdin: String = ""
    var testDescription: String { name }
}

/// Lowers and interprets `source`.
func interpret(_ source: String, stdin: String = "", fuel: Int = 50_000_000) throws -> RunResult {
    let (program, _) = try lower(source)
    return Interpreter.run(program: program, args: [], stdin: Array(stdin.utf8), fuel: fuel)
}

/// gcc's build of `source`, run.
func native(_ source: String, stdin: String = "") throws -> ProcessResult {
    let dir = tempDir()
    try source.write(toFile: dir + "/n.c", atomically: true, encoding: .utf8)
    let cc = try run("/usr/bin/gcc", ["-O1", "-w", dir + "/n.c", "-o", dir + "/n", "-lm"])
    guard cc.status == 0 else { throw Diagnostics([Diagnostic(.error, .unknown, "gcc: " + cc.stderr)]) }
    try stdin.write(toFile: dir + "/in", atomically: true, encoding: .utf8)
    return try run("/bin/sh", ["-c", "exec \"$0\" < \"$1\"", dir + "/n", dir + "/in"])
}

enum InterpreterPrograms {
    static let cases: [InterpCase] = [
        InterpCase(name: "arithmetic and conversions", source: #"""
        #include <stdio.h>
        int main(void) {
            int i = 2147483647; i = i + 1;                 /* wraps */
            unsigned u = 0; u = u - 1;
            signed char c = (signed char)200;
            unsigned char uc = (unsigned char)-1;
            short s = (short)70000;
            long long ll = -5; unsigned long long ull = (unsigned long long)ll;
            double d = 7.9; int t = (int)d; int n = (int)-7.9;
            float f = 1.0f / 3.0f; double df = f;
            _Bool b = 42;
            printf("%d %u %d %d %d %lld %llu %d %d %.9f %d\n", i, u, c, uc, s, ll, ull, t, n, df, b);
            printf("%d %d %d %d\n", -7 / 2, -7 % 2, 7 >> 1, -8 >> 1);
            printf("%u %lu %x %o\n", 0xFFFFFFFFu >> 4, 1UL << 40, 255, 8);
            long double ld = 1.5L; printf("%.2Lf\n", ld * 2);
            unsigned __int128 w = 1; w <<= 100; w += 7;
            printf("%llu %llu\n", (unsigned long long)(w >> 64), (unsigned long long)w);
            __int128 sw = -3; sw = sw * 1000000000000LL;
            printf("%lld\n", (long long)(sw / 7));
            printf("%d %d\n", (int)(0.1 + 0.2 == 0.3), (int)(3.0f * 1.1f > 3.3f));
            return 0;
        }
        """#),
        InterpCase(name: "printf formats", source: #"""
        #include <stdio.h>
        int main(void) {
            printf("[%5d][%-5d][%05d][%+d][% d]\n", 42, 42, 42, 42, 42);
            printf("[%x][%X][%#x][%8.3x][%o][%#o]\n", 3054, 3054, 3054, 10, 8, 8);
            printf("[%c][%s][%10s][%-10s][%.2s]\n", 'A', "str", "right", "left", "precision");
            printf("[%ld][%lu][%lld][%llu][%zu][%hhd][%hu]\n", -1L, 4294967296UL, -9LL, 18446744073709551615ULL, sizeof(int), 300, 70000);
            printf("[%f][%.2f][%10.3f][%-10.1f][%e][%.3E][%g][%g][%G]\n", 3.14159, 2.5, -1.0, 9.99, 12345.678, 0.00012, 0.0001, 1e20, 1e-10);
            printf("[%*d][%.*f][%%]\n", 6, 7, 3, 1.0);
            char buf[64]; int n = sprintf(buf, "%d-%s", 12, "ab");
            printf("%s %d\n", buf, n);
            n = snprintf(buf, 5, "%d", 123456789);
            printf("%s %d\n", buf, n);
            puts("puts"); putchar('x'); putchar('\n');
            fputs("fputs\n", stdout); fprintf(stdout, "fprintf %d\n", 1);
            fprintf(stderr, "to stderr\n");
            return 3;
        }
        """#),
        InterpCase(name: "struct layout, offsetof, byte access", source: #"""
        #include <stdio.h>
        #include <stddef.h>
        #include <string.h>
        struct A { char c; int i; short s; double d; char tail[3]; };
        struct __attribute__((packed)) P { char c; int i; };
        struct N { struct A a; long l; struct A arr[2]; };
        int main(void) {
            printf("%zu %zu %zu %zu %zu\n", sizeof(struct A), offsetof(struct A, i), offsetof(struct A, s), offsetof(struct A, d), offsetof(struct A, tail));
            printf("%zu %zu %zu %zu\n", sizeof(struct P), offsetof(struct P, i), sizeof(struct N), offsetof(struct N, arr[1].d));
            struct A a; memset(&a, 0, sizeof a);
            a.i = 0x01020304;
            unsigned char *p = (unsigned char *)&a;
            printf("%d %d %d %d\n", p[4], p[5], p[6], p[7]);
            p[8] = 0x34; p[9] = 0x12;
            printf("%x\n", a.s);
            struct N n = { { 'x', 1, 2, 3.5, "ab" }, 9, { { 'y' }, { 'z', 5 } } };
            struct N m = n;                       /* struct assignment */
            m.arr[1].i = 6;
            printf("%c %d %.1f %s %ld %c %d %d\n", m.a.c, m.a.i, m.a.d, m.a.tail, m.l, m.arr[0].c, n.arr[1].i, m.arr[1].i);
            struct P pk = { 'q', 0x11223344 };
            printf("%x %d\n", pk.i, ((unsigned char *)&pk)[1]);
            return 0;
        }
        """#),
        InterpCase(name: "bit-fields", source: #"""
        #include <stdio.h>
        struct B { unsigned a : 3; signed b : 4; unsigned c : 9; unsigned long long d : 40; int : 0; unsigned e : 1; };
        union U { struct B b; unsigned char bytes[sizeof(struct B)]; };
        int main(void) {
            struct B x = { 5, -3, 300, 0x123456789ULL, 1 };
            printf("%zu %u %d %u %llx %u\n", sizeof x, x.a, x.b, x.c, (unsigned long long)x.d, x.e);
            x.a += 4; x.b -= 6; x.c = x.c * 2; x.d = x.d << 4;
            printf("%u %d %u %llx\n", x.a, x.b, x.c, (unsigned long long)x.d);
            union U u = { 0 }; u.b.a = 7; u.b.c = 511; u.b.e = 1;
            for (unsigned i = 0; i < sizeof u.bytes; i++) printf("%02x", u.bytes[i]);
            printf("\n");
            return 0;
        }
        """#),
        InterpCase(name: "unions and type punning", source: #"""
        #include <stdio.h>
        #include <string.h>
        union U { int i; float f; unsigned char c[4]; double d; };
        int main(void) {
            union U u; u.f = 1.0f;
            printf("%x %d %d\n", u.i, u.c[3], (int)sizeof u);
            u.i = 0x40490fdb; printf("%.5f\n", u.f);
            double d = -2.5; unsigned long long bits; memcpy(&bits, &d, sizeof d);
            printf("%llx\n", bits);
            union U v = u; v.c[0] = 0;
            printf("%x %x\n", u.i, v.i);
            return 0;
        }
        """#),
        InterpCase(name: "pointers, arithmetic and integer casts", source: #"""
        #include <stdio.h>
        #include <stdint.h>
        #include <stddef.h>
        struct S { int a; char b[10]; long c; };
        int main(void) {
            int arr[10]; for (int i = 0; i < 10; i++) arr[i] = i * i;
            int *p = arr + 3, *q = &arr[8];
            printf("%d %d %td %d\n", *p, p[2], q - p, *(q - 1));
            uintptr_t ip = (uintptr_t)p; ip += 2 * sizeof(int);
            int *r = (int *)ip;
            printf("%d %d %d\n", *r, r == p + 2, (uintptr_t)q > (uintptr_t)p);
            printf("%d\n", (int)(((uintptr_t)arr) % _Alignof(int)));
            struct S s = { 1, "hello", 3 };
            char *bp = (char *)&s;
            struct S *back = (struct S *)(bp + offsetof(struct S, b) - offsetof(struct S, b));
            printf("%s %ld\n", back->b, *(long *)(bp + offsetof(struct S, c)));
            /* container_of */
            char *field = s.b;
            struct S *owner = (struct S *)(field - offsetof(struct S, b));
            printf("%d\n", owner->a);
            int **pp = &p; **pp = 100; printf("%d\n", arr[3]);
            void *vp = arr; vp = (char *)vp + 4; printf("%d\n", *(int *)vp);
            const char *str = "abcdef"; const char *e = str; while (*e) e++;
            printf("%td %c\n", e - str, *(str + 2));
            printf("%d\n", (int)(sizeof(arr) / sizeof(arr[0])));
            return 0;
        }
        """#),
        InterpCase(name: "arrays, multi-dimensional and VLA", source: #"""
        #include <stdio.h>
        static int grid[3][4];
        static int sum(int n, int m, int a[n][m]) { int s = 0; for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) s += a[i][j]; return s; }
        int main(void) {
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) grid[i][j] = i * 10 + j;
            int n = 5; int v[n]; for (int i = 0; i < n; i++) v[i] = i + 1;
            int t = 0; for (int i = 0; i < n; i++) t += v[i];
            int (*row)[4] = grid + 1;
            printf("%d %d %zu %d %d\n", grid[2][3], t, sizeof v, (*row)[2], sum(3, 4, grid));
            char names[3][8] = { "ab", "cde", "f" };
            printf("%s %s %s %c\n", names[0], names[1], names[2], names[1][1]);
            int init[] = { [2] = 5, [4 ... 6] = 9, 1 };
            for (unsigned i = 0; i < sizeof init / sizeof *init; i++) printf("%d ", init[i]);
            printf("\n");
            return 0;
        }
        """#),
        InterpCase(name: "globals and static initializers", source: #"""
        #include <stdio.h>
        struct P { int x, y; const char *name; };
        static int counter = 7;
        int table[5] = { 1, 2, 3 };
        int *tp = &table[2];
        struct P pts[] = { { 1, 2, "one" }, [2] = { .y = 9, .name = "three" } };
        const char *msgs[] = { "zero", "one", "two" };
        static char buf[16] = "init";
        static int next(void) { static int calls; return ++calls + counter; }
        int main(void) {
            printf("%d %d %d %d\n", table[0], table[4], *tp, (int)(sizeof pts / sizeof pts[0]));
            printf("%s %d %s %d\n", pts[0].name, pts[1].x, pts[2].name, pts[2].y);
            printf("%s %s %s\n", msgs[1], buf, msgs[2] + 1);
            next(); next(); printf("%d\n", next());
            return 0;
        }
        """#),
        InterpCase(name: "switch with fallthrough, default, ranges, Duff's device", source: #"""
        #include <stdio.h>
        static int classify(int c) {
            int r = 0;
            switch (c) {
            case 0: r += 1;
            case 1: r += 10; break;
            case 2 ... 5: r = 100; break;
            default: r = -1;
            case 9: r += 1000;
            }
            return r;
        }
        static void copy(char *to, const char *from, int count) {
            int n = (count + 7) / 8;
            switch (count % 8) {
            case 0: do { *to++ = *from++;
            case 7: *to++ = *from++;
            case 6: *to++ = *from++;
            case 5: *to++ = *from++;
            case 4: *to++ = *from++;
            case 3: *to++ = *from++;
            case 2: *to++ = *from++;
            case 1: *to++ = *from++;
                    } while (--n > 0);
            }
        }
        int main(void) {
            for (int i = -1; i < 11; i++) printf("%d ", classify(i));
            printf("\n");
            char out[32] = { 0 }; copy(out, "abcdefghijklmnopqrstu", 21); printf("%s\n", out);
            unsigned u = 4000000000u;
            switch (u) { case 4000000000u: puts("big"); break; default: puts("no"); }
            switch (3) { }
            for (int i = 0; i < 4; i++) { switch (i) { case 1: continue; case 2: break; default: printf("i%d", i); } printf("."); }
            printf("\n");
            return 0;
        }
        """#),
        InterpCase(name: "goto into and out of loops and blocks", source: #"""
        #include <stdio.h>
        int main(void) {
            int i = 0, n = 0;
            goto inside;
            for (i = 0; i < 5; i++) {
                n += 100;
            inside:
                n += 1;
            }
            printf("%d %d\n", i, n);
            int k = 0;
        again:
            k++;
            if (k < 3) goto again;
            { int j = 0; while (1) { if (++j == 4) goto out; } }
        out:
            printf("%d\n", k);
            int x = 0;
            if (x) { L1: x += 10; goto done; }
            x = 1; goto L1;
        done:
            printf("%d\n", x);
            int m = 0;
            do { m++; if (m == 2) goto skip; m += 10; skip:; } while (m < 20);
            printf("%d\n", m);
            switch (2) { case 1: lbl: puts("lbl"); break; case 2: goto lbl; }
            return 0;
        }
        """#),
        InterpCase(name: "loops: continue runs next, do-while, nested break", source: #"""
        #include <stdio.h>
        int main(void) {
            int s = 0;
            for (int i = 0; i < 10; i++) { if (i % 2) continue; s += i; }
            int j = 0; do { j++; if (j == 3) continue; s += 100; } while (j < 5);
            int w = 0; while (w < 100) { w += 7; if (w > 50) break; }
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) { if (b == 2) break; s += a * b; }
            int c = 0, x = 5; while (x--) c += x;
            printf("%d %d %d %d\n", s, j, w, c);
            return 0;
        }
        """#),
        InterpCase(name: "recursion", source: #"""
        #include <stdio.h>
        static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
        static int ack(int m, int n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }
        static int even(unsigned n);
        static int odd(unsigned n) { return n == 0 ? 0 : even(n - 1); }
        static int even(unsigned n) { return n == 0 ? 1 : odd(n - 1); }
        struct V { int a, b; };
        static struct V swap(struct V v, int depth) { if (depth == 0) return v; struct V w = { v.b, v.a }; return swap(w, depth - 1); }
        int main(void) {
            struct V v = swap((struct V){ 1, 2 }, 5);
            printf("%d %d %d %d %d %d\n", fib(20), ack(2, 3), even(1000), odd(7), v.a, v.b);
            return 0;
        }
        """#),
        InterpCase(name: "function pointer tables and callbacks", source: #"""
        #include <stdio.h>
        #include <stdlib.h>
        typedef int (*binop)(int, int);
        static int add(int a, int b) { return a + b; }
        static int sub(int a, int b) { return a - b; }
        static int mul(int a, int b) { return a * b; }
        struct op { const char *name; binop f; };
        static struct op ops[] = { { "add", add }, { "sub", sub }, { "mul", &mul } };
        static int apply(binop f, int a, int b) { return f(a, b); }
        static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
        int main(void) {
            for (int i = 0; i < 3; i++) printf("%s=%d ", ops[i].name, ops[i].f(7, 3));
            binop g = ops[1].f; printf("%d %d\n", apply(g, 1, 2), (*g)(5, 1));
            int xs[] = { 5, 3, 9, 1, 7 };
            qsort(xs, 5, sizeof xs[0], cmp);
            for (int i = 0; i < 5; i++) printf("%d ", xs[i]);
            printf("%d\n", ops[0].f == add);
            return 0;
        }
        """#),
        InterpCase(name: "variadic functions", source: #"""
        #include <stdio.h>
        #include <stdarg.h>
        static int sum(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
        static double avg(int n, ...) { va_list ap; va_start(ap, n); double s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, double); va_end(ap); return s / n; }
        static int first(va_list ap) { return va_arg(ap, int); }
        static void say(const char *fmt, ...) { va_list ap, aq; va_start(ap, fmt); va_copy(aq, ap); vprintf(fmt, ap); va_end(ap);
            char buf[64]; vsnprintf(buf, sizeof buf, fmt, aq); va_end(aq); printf("[%s]", buf); }
        static int chain(int n, ...) { va_list ap; va_start(ap, n); int a = first(ap); int b = first(ap); va_end(ap); return a * 10 + b; }
        struct pt { int x; long y; };
        static long getpt(int n, ...) { va_list ap; va_start(ap, n); struct pt p = va_arg(ap, struct pt); char *s = va_arg(ap, char *); va_end(ap); return p.x + p.y + s[0]; }
        int main(void) {
            printf("%d %.2f %d\n", sum(4, 1, 2, 3, 4), avg(3, 1.0, 2.0, 4.5), chain(2, 3, 4));
            say("%s=%d %c\n", "x", 5, 'z');
            struct pt p = { 1, 2 };
            printf("\n%ld\n", getpt(1, p, "A"));
            return 0;
        }
        """#),
        InterpCase(name: "heap and string functions", source: #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        struct node { int v; struct node *next; };
        int main(void) {
            struct node *head = NULL;
            for (int i = 0; i < 5; i++) { struct node *n = malloc(sizeof *n); n->v = i; n->next = head; head = n; }
            int s = 0; while (head) { struct node *n = head; s = s * 10 + n->v; head = n->next; free(n); }
            printf("%d\n", s);
            char *buf = calloc(4, 4); strcpy(buf, "hello"); strcat(buf, " world");
            printf("%s %zu %d %d\n", buf, strlen(buf), buf[15], strcmp(buf, "hello") > 0);
            buf = realloc(buf, 64); strncat(buf, "!!!", 2);
            printf("%s %s %s\n", buf, strchr(buf, 'o'), strrchr(buf, 'o'));
            printf("%s %d %d\n", strstr(buf, "wor"), strncmp("abc", "abd", 2), memcmp("ab", "ac", 2) < 0);
            char dst[8]; strncpy(dst, "xy", sizeof dst); printf("%s %d\n", dst, dst[7]);
            int nums[4] = { 1, 2, 3, 4 }; memmove(nums + 1, nums, 3 * sizeof(int));
            printf("%d%d%d%d\n", nums[0], nums[1], nums[2], nums[3]);
            char *end; long v = strtol("  -123xyz", &end, 10);
            printf("%ld %s %d %ld %lu %d\n", v, end, atoi("42"), strtol("0x1f", 0, 0), strtoul("777", 0, 8), abs(-5));
            char *d = strdup("dup"); printf("%s\n", d); free(d); free(buf);
            return 0;
        }
        """#),
        InterpCase(name: "stdin and ctype", source: #"""
        #include <stdio.h>
        #include <ctype.h>
        int main(void) {
            int c, digits = 0, alpha = 0, space = 0;
            while ((c = getchar()) != EOF) { if (isdigit(c)) digits++; if (isalpha(c)) alpha++; if (isspace(c)) space++; putchar(toupper(c)); }
            printf("%d %d %d\n", digits, alpha, space);
            return 0;
        }
        """#, stdin: "abc 123\nxyz 9\n"),
        InterpCase(name: "exit status and exit()", source: #"""
        #include <stdio.h>
        #include <stdlib.h>
        static void bye(int n) { printf("bye %d\n", n); exit(n); }
        int main(void) { bye(7); return 1; }
        """#),
        InterpCase(name: "logical operators, conditional, comma, compound literals", source: #"""
        #include <stdio.h>
        static int calls;
        static int t(int v) { calls++; return v; }
        struct P { int x, y; };
        static int dot(struct P a, struct P b) { return a.x * b.x + a.y * b.y; }
        int main(void) {
            int a = t(0) && t(1);
            int b = t(1) || t(0);
            int c = (t(2), t(3));
            int d = a ? t(10) : t(20);
            int *p = (int[]){ 4, 5, 6 };
            int e = dot((struct P){ 1, 2 }, (struct P){ .y = 3, .x = 4 });
            printf("%d %d %d %d %d %d %d\n", a, b, c, d, calls, p[2], e);
            int x = 5; x += x++ * 0; x <<= 2; x ^= 3; x %= 7;
            printf("%d\n", x);
            return 0;
        }
        """#),
        InterpCase(name: "enums, typedefs, sizeof", source: #"""
        #include <stdio.h>
        typedef enum { RED, GREEN = 5, BLUE } color;
        typedef unsigned long ulong_t;
        typedef struct { color c; ulong_t n; } item;
        int main(void) {
            item it = { BLUE, 3 };
            color c = GREEN; c++;
            printf("%d %d %lu %zu %zu %zu %zu\n", it.c, c, it.n, sizeof(item), sizeof(color), sizeof(long double), _Alignof(double));
            return 0;
        }
        """#),
        InterpCase(name: "builtins", source: #"""
        #include <stdio.h>
        #include <string.h>
        int main(void) {
            int r; int o = __builtin_add_overflow(2147483647, 1, &r);
            unsigned ur; int uo = __builtin_mul_overflow(65536u, 65536u, &ur);
            long lr; int lo = __builtin_sub_overflow(5L, 3L, &lr);
            printf("%d %d %d %u %d %ld\n", o, r, uo, ur, lo, lr);
            printf("%d %d %d %d %d\n", __builtin_clz(1), __builtin_ctz(8), __builtin_popcount(255), __builtin_ffs(0), __builtin_parity(7));
            printf("%x %llx %d\n", __builtin_bswap32(0x11223344), (unsigned long long)__builtin_bswap64(1), __builtin_clzll(1ULL));
            char b[8]; __builtin_memcpy(b, "abc", 4); __builtin_memset(b + 1, 'z', 1);
            if (__builtin_expect(b[0] == 'a', 1)) printf("%s %zu\n", b, __builtin_strlen(b));
            int at = 5; __atomic_fetch_add(&at, 3, __ATOMIC_SEQ_CST); __sync_fetch_and_sub(&at, 1);
            int before = at; int swapped = __sync_bool_compare_and_swap(&at, 7, 9);
            printf("%d %d %d\n", before, swapped, at);
            return 0;
        }
        """#),
        InterpCase(name: "floating point", source: #"""
        #include <stdio.h>
        #include <math.h>
        int main(void) {
            double x = 2.0; float f = 0.1f;
            double s = 0; for (int i = 0; i < 10; i++) s += 0.1;
            float fs = 0; for (int i = 0; i < 10; i++) fs += f;
            printf("%.17g %.9g %.3f %.3f %g\n", s, fs, sqrt(x), fabs(-3.25), floor(-2.5));
            printf("%d %d %u\n", (int)1e10 == (int)1e10, (int)(float)16777217, (unsigned)3.99);
            double z = 0.0; printf("%g %g %d\n", 1 / z, -1 / z, (z / z) != (z / z));
            printf("%.3e %a\n", 1.0 / 3, 1.0);
            return 0;
        }
        """#),
    ]
}

@Suite("Interpreter")
struct InterpreterTests {
    @Test(arguments: InterpreterPrograms.cases)
    func matchesNative(_ c: InterpCase) throws {
        let r = try interpret(c.source, stdin: c.stdin)
        let n = try native(c.source, stdin: c.stdin)
        #expect(r.error == nil, "\(r.error!)")
        #expect(r.stdoutText == n.stdout)
        #expect(r.stderrText == n.stderr)
        #expect(r.exitStatus == n.status)
    }

    // MARK: Errors, each with its kind and line

    func expectError(_ kind: InterpreterError.Kind, line: Int, _ source: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try interpret(source, fuel: 1_000_000)
        guard let e = r.error else {
            Issue.record("no error; exit status \(r.exitStatus.map(String.init) ?? "nil")", sourceLocation: sourceLocation)
            return
        }
        #expect(e.kind == kind, "\(e)", sourceLocation: sourceLocation)
        #expect(e.loc.line == line, "\(e)", sourceLocation: sourceLocation)
        #expect(r.exitStatus == nil, sourceLocation: sourceLocation)
    }

    @Test func outOfBoundsWrite() throws {
        try expectError(.outOfBounds, line: 4, """
        int main(void) {
            int a[4];
            for (int i = 0; i <= 4; i++)
                a[i] = i;
            return a[0];
        }
        """)
    }

    @Test func outOfBoundsReadOfHeapBlock() throws {
        try expectError(.outOfBounds, line: 4, """
        #include <stdlib.h>
        int main(void) {
            char *p = malloc(3);
            return p[3];
        }
        """)
    }

    @Test func useAfterFree() throws {
        try expectError(.useAfterFree, line: 6, """
        #include <stdlib.h>
        struct s { int v; };
        int main(void) {
            struct s *p = malloc(sizeof *p);
            free(p);
            return p->v;
        }
        """)
    }

    @Test func doubleFree() throws {
        try expectError(.doubleFree, line: 5, """
        #include <stdlib.h>
        int main(void) {
            void *p = malloc(8);
            free(p);
            free(p);
            return 0;
        }
        """)
    }

    @Test func freeOfNonHeapPointer() throws {
        try expectError(.invalidFree, line: 4, """
        #include <stdlib.h>
        int main(void) {
            int x;
            free(&x);
            return 0;
        }
        """)
    }

    @Test func nullDereference() throws {
        try expectError(.nullDereference, line: 2, """
        struct s { int a, b; };
        static int get(struct s *p) { return p->b; }
        int main(void) {
            struct s *p = 0;
            return get(p);
        }
        """)
    }

    @Test func useAfterFrameEnded() throws {
        try expectError(.useAfterScope, line: 5, """
        static int *leak(void) { int x = 3; return &x; }
        int main(void) {
            int *p = leak();
            int y = 0;
            y = *p;
            return y;
        }
        """)
    }

    @Test func divisionByZero() throws {
        try expectError(.divisionByZero, line: 3, """
        int main(int argc, char **argv) {
            int z = argc - 1;
            return 10 / z;
        }
        """)
    }

    @Test func writeToStringLiteral() throws {
        try expectError(.writeToReadOnly, line: 3, """
        int main(void) {
            char *s = "abc";
            s[0] = 'x';
            return 0;
        }
        """)
    }

    @Test func callThroughNonFunction() throws {
        try expectError(.badFunctionPointer, line: 4, """
        int main(void) {
            int x = 0;
            int (*f)(void) = (int (*)(void))&x;
            return f();
        }
        """)
    }

    @Test func abortAndAssert() throws {
        try expectError(.abort, line: 3, """
        #include <stdlib.h>
        int main(void) {
            abort();
        }
        """)
        try expectError(.assertionFailure, line: 4, """
        #include <assert.h>
        int main(void) {
            int x = 1;
            assert(x == 2);
            return 0;
        }
        """)
    }

    @Test func fuelAndStack() throws {
        try expectError(.fuelExhausted, line: 2, """
        int main(void) {
            for (;;) {}
        }
        """)
        try expectError(.stackOverflow, line: 1, """
        static int down(int n) { return down(n + 1) + 1; }
        int main(void) { return down(0); }
        """)
    }

    @Test func unknownExternalIsUnsupported() throws {
        let r = try interpret("""
        #include <time.h>
        int main(void) { return (int)time(0); }
        """)
        #expect(r.error?.kind == .unsupported)
        #expect(r.error?.message.contains("time") == true)
    }

    @Test func uninitializedMemoryReadsAsZero() throws {
        let r = try interpret("""
        #include <stdlib.h>
        int main(void) { int *p = malloc(4 * sizeof(int)); int a[3]; int s = p[2] + a[1]; free(p); return s + 5; }
        """)
        #expect(r.error == nil)
        #expect(r.exitStatus == 5)
    }

    @Test func updatePointHook() throws {
        let (program, _) = try lower("""
        void graft_update_point(void);
        int main(void) { int s = 0; for (int i = 0; i < 3; i++) { graft_update_point(); s += i; } return s; }
        """)
        final class Seen: @unchecked Sendable { var points: [PointReached] = [] }
        let seen = Seen()
        let r = Interpreter.run(program: program, onUpdatePoint: { p, state in
            seen.points.append(p)
            #expect(state.callStack.count == 1)
        })
        #expect(r.exitStatus == 3)
        #expect(seen.points.count == 3)
        #expect(seen.points.first?.loc.line == 2)
        #expect(seen.points.first?.id == nil)
    }

    @Test func deterministic() throws {
        let src = """
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) { void *a = malloc(3), *b = malloc(5); printf("%p %p %d\\n", a, b, (int)((char *)b - (char *)a)); return 0; }
        """
        let (program, _) = try lower(src)
        let r1 = Interpreter.run(program: program), r2 = Interpreter.run(program: program)
        #expect(r1.stdout == r2.stdout)
        #expect(r1.error == nil)
    }
}

// MARK: - The gcc torture corpus

/// Every `step`-th program of gcc.c-torture/execute (by name), interpreted.
/// A program that does not lower, or needs something the interpreter does
/// not support, is skipped with the reason; every other one must exit 0
/// (the corpus aborts on failure). `GRAFT_TORTURE_STEP=1` runs them all;
/// `GRAFT_TORTURE_ONLY=a.c,b.c` runs those.
@Suite("Interpreter on the torture corpus")
struct InterpreterTortureTests {
    static let dir = FuzzCorpus.tortureDir.path
    static let flags = ["-w", "-std=gnu17", "-Wno-error=implicit-function-declaration", "-Wno-error=implicit-int",
                        "-Wno-error=int-conversion", "-Wno-error=incompatible-function-pointer-types",
                        "-Wno-error=return-type", "-fno-builtin-abort", "-I", dir]

    @Test(.enabled(if: FuzzCorpus.hasTorture))
    func sampleExitsZero() throws {
        let step = Int(ProcessInfo.processInfo.environment["GRAFT_TORTURE_STEP"] ?? "") ?? 20
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.dir).filter { $0.hasSuffix(".c") }.sorted()
        var sample = stride(from: 0, to: names.count, by: step).map { names[$0] }
        if let only = ProcessInfo.processInfo.environment["GRAFT_TORTURE_ONLY"] {
            sample = only.split(separator: ",").map(String.init)  // names to debug, e.g. "pr70460.c"
        }
        var passed: [String] = [], failed: [String] = [], skipped: [String: [String]] = [:]
        let start = Date()
        for name in sample {
            let program: Program
            do {
                program = try Frontend.lower(file: Self.dir + "/" + name, arguments: Self.flags)
            } catch {
                let first = "\(error)".split(separator: "\n").first.map(String.init) ?? ""
                skipped["does not lower", default: []].append(name + ": " + (first.split(separator: " ").dropFirst().joined(separator: " ")))
                continue
            }
            let r = Interpreter.run(program: program, fuel: 20_000_000)
            if let e = r.error, e.kind == .unsupported {
                skipped["unsupported", default: []].append(name + ": " + e.message)
            } else if r.error == nil && r.exitStatus == 0 {
                passed.append(name)
            } else {
                failed.append(name + ": " + (r.error.map { "\($0)" } ?? "exit status \(r.exitStatus!)"))
            }
        }
        let secs = Int(Date().timeIntervalSince(start))
        var report = "torture sample: \(sample.count) programs (every \(step)th), \(passed.count) passed, \(failed.count) failed, "
        report += "\(skipped.values.map(\.count).reduce(0, +)) skipped, \(secs) s"
        for (why, list) in skipped.sorted(by: { $0.key < $1.key }) { report += "\n  skipped (\(why)): " + list.joined(separator: "\n    ") }
        for f in failed { report += "\n  FAILED " + f }
        print(report)
        #expect(failed.isEmpty, "\(report)")
        #expect(passed.count >= sample.count / 2, "\(report)")
    }
}

extension InterpreterTests {
    /// The oracle must run small programs (a few million steps) in seconds,
    /// even in a debug build.
    @Test func speed() throws {
        let (program, _) = try lower("""
        #include <stdio.h>
        #include <string.h>
        static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
        struct cell { int v; struct cell *next; };
        int main(void) {
            static struct cell cells[1000];
            for (int i = 0; i < 1000; i++) { cells[i].v = i; cells[i].next = i ? &cells[i - 1] : 0; }
            long s = 0;
            for (int k = 0; k < 100; k++) for (struct cell *c = &cells[999]; c; c = c->next) s += c->v;
            char buf[256]; for (int i = 0; i < 2000; i++) { memset(buf, i & 1, sizeof buf); s += buf[i % 256] - (i & 1); }
            printf("%d %ld\\n", fib(24), s);
            return 0;
        }
        """)
        let start = Date()
        let r = Interpreter.run(program: program)
        let secs = Date().timeIntervalSince(start)
        #expect(r.error == nil)
        #expect(r.stdoutText == "46368 49950000\n")
        print("interpreter speed: \(r.steps) steps in \(String(format: "%.2f", secs)) s (\(Int(Double(r.steps) / secs)) steps/s)")
        #expect(r.steps > 1_000_000)
        #expect(secs < 30)
    }
}

extension InterpreterTests {
    /// An error names what went wrong, where, and the call stack.
    @Test func errorMessageNamesObjectAndStack() throws {
        let r = try interpret("""
        #include <stdlib.h>
        static int get(int *p, int i) { return p[i]; }
        int main(void) {
            int *p = malloc(4 * sizeof(int));
            free(p);
            return get(p, 1);
        }
        """)
        let e = try #require(r.error)
        #expect(e.kind == .useAfterFree)
        #expect(e.message.contains("heap block allocated at") && e.message.contains(":4:"))
        #expect(e.message.contains("freed at") && e.message.contains(":5:"))
        #expect(e.stack.count == 2)
        #expect(e.stack.first?.hasPrefix("get @") == true)
        print("interpreter error: \(e)")
    }
}

/// csmith programs, interpreted and built by gcc: the checksums must agree.
/// Off unless `GRAFT_CSMITH_SEEDS=N` is set (seeds F…F+N-1, F from
/// `GRAFT_CSMITH_FIRST`, default 1); a seed that runs
/// out of fuel or that gcc's build does not finish in 10 s is skipped.
@Suite("Interpreter against gcc on csmith programs")
struct InterpreterCsmithTests {
    static let seeds = Int(ProcessInfo.processInfo.environment["GRAFT_CSMITH_SEEDS"] ?? "") ?? 0
    static let first = Int(ProcessInfo.processInfo.environment["GRAFT_CSMITH_FIRST"] ?? "") ?? 1

    @Test(.enabled(if: seeds > 0 && FileManager.default.fileExists(atPath: "/usr/bin/csmith")))
    func checksumsAgree() throws {
        var agree = 0, skipped: [String] = [], differ: [String] = []
        for seed in Self.first..<(Self.first + Self.seeds) {
            let dir = tempDir()
            let src = dir + "/r.c"
            guard try run("/usr/bin/csmith", ["--seed", "\(seed)", "-o", src]).status == 0 else { skipped.append("\(seed): csmith"); continue }
            let cc = try run("/usr/bin/gcc", ["-O1", "-w", "-I/usr/include/csmith", src, "-o", dir + "/r"])
            guard cc.status == 0 else { skipped.append("\(seed): gcc"); continue }
            let n = try run("/usr/bin/timeout", ["-s", "KILL", "10", dir + "/r"])
            guard n.status != 124 && n.status != 137 && n.status != 9 else { skipped.append("\(seed): slow natively"); continue }
            let program = try Frontend.lower(file: src, arguments: ["-w", "-I/usr/include/csmith"])
            let r = Interpreter.run(program: program, fuel: 10_000_000)
            if r.error?.kind == .fuelExhausted || r.error?.kind == .unsupported { skipped.append("\(seed): \(r.error!.kind)"); continue }
            if r.error == nil, r.stdoutText == n.stdout, r.exitStatus == n.status { agree += 1 }
            else { differ.append("\(seed): " + (r.error.map { "\($0)" } ?? "\(r.stdoutText) vs \(n.stdout)")) }
            FileHandle.standardError.write(Data("csmith seed \(seed): \(r.steps) steps, \(differ.count) differ so far\n".utf8))
        }
        let report = "csmith: \(Self.seeds) seeds from \(Self.first), \(agree) agree, \(differ.count) differ, \(skipped.count) skipped (\(skipped.joined(separator: ", ")))"
            + differ.map { "\n  DIFFER " + $0 }.joined()
        print(report)
        #expect(differ.isEmpty, "\(report)")
    }
}
