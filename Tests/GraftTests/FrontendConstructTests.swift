// C constructs through the whole pipeline: each test is a small
// self-checking C program (it calls abort() on a wrong result) that is
// lowered, verified, emitted as C, compiled with gcc -O1 and run; it must
// exit 0 and print exactly what gcc's own build of the same source prints.
// The programs were checked against gcc directly. A few golden checks of the
// printed IR follow.
//
// Tests disabled with a "frontend bug" reason fail today; the reason is the
// symptom and the program is the reproducer. Re-enable them once fixed.

import Foundation
import Testing
import Checker
import Codegen
import Instrument
@testable import IR

/// `roundTrip` (Support.swift) with the program run under `timeout`: a
/// wrong translation must not hang the suite.
private func roundTripWithTimeout(_ source: String, seconds: Int = 20) throws -> ProcessResult {
    let (program, dir) = try lower(source)
    let problems = Verifier.verify(program)
    if !problems.isEmpty { throw Diagnostics(problems) }
    let out = dir + "/rt.c"
    try CEmitter(program: program).emit().write(toFile: out, atomically: true, encoding: .utf8)
    let cc = try run("/usr/bin/gcc", ["-O1", "-w", out, "-o", dir + "/rt", "-lm"])
    if cc.status != 0 { throw Diagnostics([Diagnostic(.error, SourceLoc(file: out, line: 0, column: 0), "emitted C does not compile:\n" + cc.stderr)]) }
    let r = try run("/usr/bin/timeout", ["-s", "KILL", "\(seconds)", dir + "/rt"])
    if r.status == 137 || r.status == 124 { Issue.record("\(dir)/rt did not finish in \(seconds) s") }
    return r
}

/// Round-trips `source` and checks that it exits 0 and prints `expected`.
private func expectRuns(_ source: String, prints expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try roundTripWithTimeout(source)
    #expect(r.status == 0, "exit status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stdout == expected, sourceLocation: sourceLocation)
}

@Suite("Frontend constructs")
struct FrontendConstructTests {
    @Test func structs() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct point { int x, y; };
        struct rect { struct point a, b; char tag; };
        static int area(struct rect r) { return (r.b.x - r.a.x) * (r.b.y - r.a.y); }
        int main(void) {
            struct rect r = { {1, 2}, {4, 6}, 'r' };
            struct rect *p = &r;
            p->b.x += 1;
            if (area(r) != 16) abort();
            if (sizeof(struct point) != 8) abort();
            printf("%d %d %d %d %c\n", r.a.x, r.a.y, p->b.x, p->b.y, r.tag);
            return 0;
        }
        """#, prints: "1 2 5 6 r\n")
    }

    /// A parameter declared with a function typedef is a pointer to the
    /// function (C11 6.7.6.3p8): called, passed on, stored, compared, its
    /// address taken (Fixtures/repro/fn-typedef-param).
    @Test func functionTypedefParameter() throws {
        try expectRuns(#"""
        #include <stdio.h>
        typedef int callback_t(int x);
        struct h { callback_t *f; };
        static int dbl(int x) { return 2 * x; }
        static int call_it(callback_t cb, int v) { return cb(v); }
        static int fwd(callback_t cb, int v) {
            struct h s = { cb };
            callback_t **pp = &cb;
            int eq = cb == dbl;
            return call_it(cb, v) + s.f(v) + (*pp)(v) + (*cb)(v) + eq + (int)sizeof cb + (cb ? 1 : 0);
        }
        int main(void) { printf("%d\n", fwd(dbl, 5)); return 0; }
        """#, prints: "50\n")
    }

    /// LINK-3 within one unit: calls made where `f` had no prototype pass
    /// promoted arguments (a `long` for an `int`); the definition's
    /// prototype, seen later, converts them.
    @Test("LINK-3: calls before the prototype in the same unit are converted to it")
    func callsBeforeThePrototype() throws {
        try expectRuns(#"""
        #include <stdio.h>
        int f();
        static long g(void) { return f(1L, 2) + f(3, 4L); }
        int f(int x, int y) { return x + y; }
        int main(void) { printf("%ld\n", g()); return 0; }
        """#, prints: "10\n")
    }

    @Test func unions() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        union u { unsigned int i; unsigned char b[4]; float f; };
        struct tagged { int kind; union { long l; double d; } v; };
        int main(void) {
            union u x;
            x.i = 0x11223344u;
            if (x.b[0] != 0x44 || x.b[3] != 0x11) abort();
            x.f = 1.0f;
            if (x.i != 0x3f800000u) abort();
            struct tagged t = { 1, { .l = 0 } };
            t.v.d = 2.5;
            if (sizeof(union u) != 4) abort();
            printf("%x %g %zu\n", x.i, t.v.d, sizeof t);
            return 0;
        }
        """#, prints: "3f800000 2.5 16\n")
    }

    @Test func bitfields() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct bf {
            signed int s : 4;
            unsigned int u : 3;
            int : 5;
            unsigned int after : 6;
            int : 0;
            unsigned int next : 2;
            signed char sc : 3;
        };
        int main(void) {
            struct bf b = { -3, 5, 40, 3, -2 };
            if (b.s != -3 || b.u != 5 || b.after != 40 || b.next != 3 || b.sc != -2) abort();
            b.s = 7; b.s++;             /* wraps to -8 */
            b.u = 9;                    /* truncated to 1 */
            if (b.s != -8 || b.u != 1) abort();
            b.after = b.after + 30;     /* 70 mod 64 = 6 */
            if (b.after != 6) abort();
            if (sizeof(struct bf) != 8) abort();
            printf("%d %u %u %u %d %zu\n", b.s, b.u, b.after, b.next, b.sc, sizeof b);
            return 0;
        }
        """#, prints: "-8 1 6 3 -2 8\n")
    }

    @Test func anonymousMembers() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct v {
            int kind;
            union { int i; float f; };
            struct { char a, b; };
            struct { char c; } named;
        };
        int main(void) {
            struct v s = { 1, { 65 }, { 'a', 'b' }, { 'c' } };
            if (s.i != 65 || s.a != 'a' || s.b != 'b') abort();
            s.f = 1.0f;
            if (s.i != 0x3f800000) abort();
            struct v *p = &s;
            p->a = 'x';
            p->i = 7;
            if (sizeof(struct v) != 12) abort();
            printf("%d %d %c%c%c\n", s.kind, p->i, s.a, p->b, s.named.c);
            return 0;
        }
        """#, prints: "1 7 xbc\n")
    }

    @Test func anonymousMembersNested() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct v {
            int kind;
            union {
                struct { int x, y; };
                long long both;
            };
        };
        int main(void) {
            struct v s;
            s.kind = 1;
            s.both = 0;
            s.y = 9;
            struct v *p = &s;
            p->x = 2;
            if (s.x + s.y != 11) abort();
            printf("%d %d %d\n", s.kind, p->x, p->y);
            return 0;
        }
        """#, prints: "1 2 9\n")
    }

    @Test func anonymousMemberDesignators() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct v {
            int kind;
            union {
                struct { int x, y; };
                long long both;
            };
        };
        int main(void) {
            struct v s = { .kind = 1, .x = 3, .y = 4 };
            if (s.x + s.y != 7) abort();
            printf("%d %d %d\n", s.kind, s.x, s.y);
            return 0;
        }
        """#, prints: "1 3 4\n")
    }

    @Test func enums() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        enum color { RED, GREEN = 5, BLUE, NEG = -7, AFTER_NEG };
        enum big { HUGE = 0x7fffffffffffLL, BIGGER };
        enum uns { UMAX = 0xffffffffu };
        int main(void) {
            enum color c = BLUE;
            if (c != 6 || AFTER_NEG != -6) abort();
            if (sizeof(enum big) != 8 || BIGGER != 0x800000000000LL) abort();
            enum uns u = UMAX;
            if (u != 4294967295u) abort();
            switch (c) { case RED: abort(); case BLUE: break; default: abort(); }
            printf("%d %d %d %lld %lu\n", RED, (int)c, NEG, (long long)BIGGER, (unsigned long)u);
            return 0;
        }
        """#, prints: "0 6 -7 140737488355328 4294967295\n")
    }

    @Test func typedefs() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        typedef int myint;
        typedef myint *intptr;
        typedef struct node { int v; } node_t;
        typedef int arr3[3];
        typedef int (*binop)(int, int);
        static int add(int a, int b) { return a + b; }
        int main(void) {
            myint a = 4;
            intptr p = &a;
            node_t n = { 7 };
            arr3 xs = { 1, 2, 3 };
            binop f = add;
            if (sizeof(arr3) != 12) abort();
            *p += n.v;
            printf("%d %d %d\n", a, f(xs[1], xs[2]), (int)sizeof(node_t));
            return 0;
        }
        """#, prints: "11 5 4\n")
    }

    @Test func pointerArithmetic() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <stddef.h>
        int main(void) {
            int a[10];
            for (int i = 0; i < 10; i++) a[i] = i * i;
            int *p = a, *q = &a[7];
            ptrdiff_t d = q - p;
            if (d != 7) abort();
            if (!(p < q) || p >= q || p == q) abort();
            p += 2;
            if (*p != 4 || p[3] != 25 || *(q - 1) != 36) abort();
            q--;
            char *c = (char *)q;
            c += sizeof(int);
            if (*(int *)c != 49) abort();
            int *e = a + 10;
            int n = 0;
            for (int *it = a; it != e; ++it) n += *it;
            printf("%ld %d %d %d\n", (long)d, *p, n, 3[a]);
            return 0;
        }
        """#, prints: "7 4 285 9\n")
    }

    @Test func multidimArrays() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int m[3][4][2];
        static int sum(int (*a)[4][2], int n) {
            int s = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 2; k++) s += a[i][j][k];
            return s;
        }
        int main(void) {
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 2; k++) m[i][j][k] = i * 100 + j * 10 + k;
            int g[2][3] = { {1, 2, 3}, {4, 5, 6} };
            if (sizeof m != 96 || sizeof m[1] != 32 || sizeof g[0] != 12) abort();
            if (*(*(g + 1) + 2) != 6) abort();
            int *flat = &g[0][0];
            if (flat[4] != 5) abort();
            printf("%d %d %d\n", m[2][3][1], sum(m, 3), g[1][0]);
            return 0;
        }
        """#, prints: "231 2772 4\n")
    }

    @Test func flexibleArrayMember() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        struct buf { size_t len; int data[]; };
        struct str { int n; char s[]; };
        int main(void) {
            struct buf *b = malloc(sizeof *b + 5 * sizeof(int));
            b->len = 5;
            for (size_t i = 0; i < b->len; i++) b->data[i] = (int)(i * 3);
            if (sizeof(struct buf) != sizeof(size_t)) abort();
            struct str *s = malloc(sizeof(struct str) + 6);
            s->n = 5;
            strcpy(s->s, "hello");
            int t = 0;
            for (size_t i = 0; i < b->len; i++) t += b->data[i];
            printf("%d %s %d\n", t, s->s, s->n);
            free(b); free(s);
            return 0;
        }
        """#, prints: "30 hello 5\n")
    }

    @Test func functionPointers() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int add(int a, int b) { return a + b; }
        static int sub(int a, int b) { return a - b; }
        static int mul(int a, int b) { return a * b; }
        typedef int (*op)(int, int);
        static const op table[] = { add, sub, mul };
        static struct { const char *name; int (*fn)(int, int); } named[] = { { "add", add }, { "mul", &mul } };
        static int apply(int (*f)(int, int), int a, int b) { return f(a, b); }
        static op pick(int i) { return table[i]; }
        int main(void) {
            int r = 0;
            for (int i = 0; i < 3; i++) r = r * 10 + table[i](7, 3) % 10;
            if (apply(sub, 10, 4) != 6) abort();
            if ((*pick(2))(6, 7) != 42) abort();
            int (*fp)(int, int) = named[1].fn;
            printf("%d %s=%d %d\n", r, named[0].name, named[0].fn(2, 3), fp(4, 5));
            return 0;
        }
        """#, prints: "41 add=5 20\n")
    }

    @Test func functionPointerDispatch() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int inc(int x) { return x + 1; }
        static int dbl(int x) { return x * 2; }
        static int neg(int x) { return -x; }
        static int sq(int x) { return x * x; }
        static int (*const ops[4])(int) = { inc, dbl, neg, sq };
        static int (*grid[2][2])(int) = { { inc, dbl }, { neg, sq } };
        int main(void) {
            int x = 3;
            for (unsigned i = 0; i < 8; i++) x = ops[(i * 3 + 1) & 3](x) % 1000;
            int y = grid[x & 1][(x >> 1) & 1](5);
            int (**pp)(int) = (int (**)(int))ops;
            int z = (*pp[1 + 2])(4) + pp[0](0);
            printf("%d %d %d\n", x, y, z);
            return 0;
        }
        """#, prints: "-409 25 17\n")
    }

    @Test func variadic() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <stdarg.h>
        struct pair { int a; double b; };
        static int sum_ints(int n, ...) {
            va_list ap;
            va_start(ap, n);
            int s = 0;
            for (int i = 0; i < n; i++) s += va_arg(ap, int);
            va_end(ap);
            return s;
        }
        static double sum_mixed(int n, ...) {
            va_list ap, copy;
            va_start(ap, n);
            va_copy(copy, ap);
            double s = 0;
            for (int i = 0; i < n; i++) s += va_arg(ap, double);
            for (int i = 0; i < n; i++) s += va_arg(copy, double);
            va_end(copy);
            va_end(ap);
            return s;
        }
        static int sum_structs(int n, ...) {
            va_list ap;
            va_start(ap, n);
            double s = 0;
            for (int i = 0; i < n; i++) { struct pair p = va_arg(ap, struct pair); s += p.a + p.b; }
            va_end(ap);
            return (int)s;
        }
        static int vformat(char *buf, size_t n, const char *fmt, va_list ap) { return vsnprintf(buf, n, fmt, ap); }
        static int format(char *buf, size_t n, const char *fmt, ...) {
            va_list ap;
            va_start(ap, fmt);
            int r = vformat(buf, n, fmt, ap);
            va_end(ap);
            return r;
        }
        int main(void) {
            if (sum_ints(4, 1, 2, 3, 4) != 10) abort();
            if (sum_mixed(2, 1.5, 2.25) != 7.5) abort();
            struct pair p1 = { 1, 0.5 }, p2 = { 2, 1.5 };
            if (sum_structs(2, p1, p2) != 5) abort();
            char buf[64];
            int len = format(buf, sizeof buf, "%d-%s-%.2f-%c", 42, "x", 3.14159, 'z');
            printf("%s %d %d\n", buf, len, sum_ints(0));
            return 0;
        }
        """#, prints: "42-x-3.14-z 11 0\n")
    }

    @Test func initializers() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        struct in { int b[4]; };
        struct out { int x; struct in a; char c; };
        struct pt { int x, y; };
        union num { int i; float f; char bytes[4]; };
        static int elided[2][3] = { 1, 2, 3, 4 };          /* brace elision */
        static struct pt pts[3] = { 1, 2, { 3 }, 5 };       /* partial braces */
        static struct out nested = { .a.b[2] = 7, .x = 1, .c = 'c' };
        static int ranged[8] = { [2 ... 5] = 9, [7] = 1 };
        static int desig[5] = { [3] = 30, 40, [1] = 10 };   /* continues after [3] */
        static char str[] = "hi";
        static char shortstr[3] = "abc";                     /* no NUL */
        static char padded[6] = "ab";
        static union num un = { .f = 1.0f };
        static union num un2 = { .bytes = { 1, 2 } };
        int main(void) {
            int zero[5] = { 0 };
            struct pt lp = { .y = 2 };
            struct out lo = { .a = { { [1] = 5 } }, .c = 'z' };
            int lr[6] = { [1 ... 3] = 4 };
            if (elided[0][2] != 3 || elided[1][0] != 4 || elided[1][2] != 0) abort();
            if (pts[0].y != 2 || pts[1].x != 3 || pts[1].y != 0 || pts[2].x != 5) abort();
            if (nested.x != 1 || nested.a.b[2] != 7 || nested.a.b[0] != 0 || nested.c != 'c') abort();
            for (int i = 0; i < 8; i++) if (ranged[i] != (i >= 2 && i <= 5 ? 9 : i == 7)) abort();
            if (desig[1] != 10 || desig[3] != 30 || desig[4] != 40 || desig[0] || desig[2]) abort();
            if (sizeof str != 3 || strcmp(str, "hi")) abort();
            if (sizeof shortstr != 3 || memcmp(shortstr, "abc", 3)) abort();
            if (padded[2] || padded[5] || padded[1] != 'b') abort();
            if (un.f != 1.0f || un2.bytes[1] != 2 || un2.bytes[2] != 0) abort();
            for (int i = 0; i < 5; i++) if (zero[i]) abort();
            if (lp.x != 0 || lp.y != 2) abort();
            if (lo.x || lo.a.b[1] != 5 || lo.a.b[0] || lo.c != 'z') abort();
            if (lr[0] || lr[1] != 4 || lr[3] != 4 || lr[4]) abort();
            printf("%d %d %d %.3s %s %x\n", elided[1][0], pts[2].x, nested.a.b[2], shortstr, str, (unsigned)un.i);
            return 0;
        }
        """#, prints: "4 5 7 abc hi 3f800000\n")
    }

    @Test func initializersRuntime() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct pt { int x, y; };
        static int next(int *c) { return ++*c; }
        int main(void) {
            int c = 0;
            int a[4] = { next(&c), next(&c), [3] = next(&c) };   /* non-constant initializers */
            struct pt p = { .y = next(&c), .x = c * 10 };
            struct pt ps[2] = { [1] = { c, c + 1 } };
            char s[4] = "xy";
            if (a[2] != 0 || a[3] + a[0] + a[1] != 6) abort();
            if (s[3] != 0 || s[2] != 0) abort();
            printf("%d %d %d %d %s\n", c, p.y, ps[1].y, ps[0].x, s);
            return 0;
        }
        """#, prints: "4 4 5 0 xy\n")
    }

    @Test func nestedDesignatorsAndBitfieldValues() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <wchar.h>
        struct bf { unsigned u : 3; int s : 4; };
        struct inner { int a[3]; };
        union tagged { struct inner in; long l; };
        struct outer { union tagged t; struct inner list[2]; };
        static struct outer o = { .t.in.a[1] = 5, .list[1].a = { [2] = 9 } };
        static wchar_t wbuf[8] = L"wide";
        static const char *names[] = { [2] = "two", [0] = "zero" };
        static int gcount = sizeof(names) / sizeof(names[0]);
        int main(void) {
            struct bf b = { 6, -3 };
            int v = (b.u += 3);                  /* value of a bit-field assignment: 9 mod 8 = 1 */
            int w = (b.s -= 6);                  /* -9 → 7 in 4 bits */
            int x = b.u++ + 10;
            _Bool flag = 0;
            flag += 2;
            flag *= 5;
            if (v != 1 || w != 7 || x != 11 || b.u != 2 || flag != 1) abort();
            if (o.t.in.a[1] != 5 || o.list[1].a[2] != 9 || o.list[0].a[0] != 0) abort();
            if (wcslen(wbuf) != 4 || wbuf[7] != 0) abort();
            if (gcount != 3 || names[1] != 0) abort();
            printf("%d %d %d %d %s %d\n", v, w, x, flag, names[2], (int)wbuf[0]);
            return 0;
        }
        """#, prints: "1 7 11 1 two 119\n")
    }

    @Test func compoundLiterals() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct pt { int x, y; };
        static struct pt *origin = &(struct pt){ 0, 0 };
        static int *primes = (int[]){ 2, 3, 5, 7 };
        static int len(const int *a) { int n = 0; while (a[n] >= 0) n++; return n; }
        static struct pt add(struct pt a, struct pt b) { return (struct pt){ a.x + b.x, a.y + b.y }; }
        int main(void) {
            struct pt p = add((struct pt){ 1, 2 }, (struct pt){ .y = 10 });
            int n = len((int[]){ 4, 5, 6, -1 });
            int *ip = &(int){ 41 };
            ++*ip;
            origin->x = 3;
            int total = 0;
            for (int i = 0; i < 3; i++) {
                int *t = (int[]){ i, i * 2 };
                total += t[0] + t[1];
            }
            if ((struct pt){ 5, 6 }.y != 6) abort();
            printf("%d %d %d %d %d %d %d\n", p.x, p.y, n, *ip, origin->x, primes[3], total);
            return 0;
        }
        """#, prints: "1 12 3 42 3 7 9\n")
    }

    @Test func stringLiterals() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        static const char embedded[] = "ab\0cd";
        int main(void) {
            const char *s = "tab\there\n\"quoted\"\\ \x41\101\7\e?\?";
            if (strlen(s) != 25) abort();
            if (s[3] != '\t' || s[19] != 'A' || s[20] != 'A' || s[21] != 7 || s[22] != 27) abort();
            if (sizeof embedded != 6 || embedded[2] != 0 || embedded[3] != 'c') abort();
            if (sizeof "x\0y" != 4) abort();
            const char *cat = "con" "cat" "enated";
            unsigned char hi[] = "\xff\x80\377";
            if (hi[0] != 255 || hi[1] != 128 || hi[2] != 255) abort();
            printf("%.19s|%s|%zu|%s|", s, embedded + 3, sizeof embedded, cat);
            for (size_t i = 0; i < sizeof embedded; i++) printf("%d,", embedded[i]);
            printf("\n");
            return 0;
        }
        """#, prints: "tab\there\n\"quoted\"\\ |cd|6|concatenated|97,98,0,99,100,0,\n")
    }

    @Test func wideLiterals() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <wchar.h>
        #include <uchar.h>
        #include <string.h>
        int main(void) {
            const wchar_t *w = L"wide\x263a";
            const char16_t u[] = u"s\u00e9\U0001F600";
            const char32_t U[] = U"\U0001F600z";
            const char u8s[] = u8"\u00e9t\u00e9";
            if (wcslen(w) != 5 || w[4] != 0x263a) abort();
            if (sizeof u != 5 * sizeof(char16_t) || u[1] != 0xe9 || u[2] != 0xD83D || u[3] != 0xDE00) abort();
            if (sizeof U != 3 * sizeof(char32_t) || U[0] != 0x1F600 || U[1] != 'z') abort();
            if (strlen(u8s) != 5 || (unsigned char)u8s[0] != 0xc3) abort();
            wchar_t wc = L'x';
            printf("%d %zu %zu %zu %s %d\n", (int)w[0], sizeof u, sizeof U, sizeof u8s, u8s, (int)wc);
            return 0;
        }
        """#, prints: "119 10 12 6 été 120\n")
    }

    @Test func switchFallthrough() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int classify(int x) {
            int r = 0;
            switch (x) {
            case 1: r += 1;            /* falls through */
            case 2: r += 10; break;
            default: r = -1;           /* default in the middle, falls through */
            case 3: r += 100; break;
            case 4 ... 6: r = 4000 + x; break;  /* GNU case range */
            case 'a': { int t = x * 2; r = t; } break;
            }
            return r;
        }
        static const char *nested(int a, int b) {
            switch (a) {
            case 0:
                switch (b) { case 0: return "00"; default: break; }
                return "0?";
            case 1:
                for (int i = 0; i < 3; i++) { if (i == b) break; }   /* break leaves the loop, not the switch */
                return "1";
            }
            return "none";
        }
        int main(void) {
            if (classify(1) != 11 || classify(2) != 10 || classify(3) != 100 || classify(9) != 99) abort();
            if (classify(5) != 4005 || classify(7) != 99 || classify('a') != 194) abort();
            int sum = 0;
            for (long i = -2; i < 8; i++) sum += classify((int)i);
            switch (0) { default: ; }
            switch (3) { case 1: abort(); }
            printf("%d %s %s %s %s\n", sum, nested(0, 0), nested(0, 1), nested(1, 1), nested(2, 0));
            return 0;
        }
        """#, prints: "12532 00 0? 1 none\n")
    }

    @Test func goto() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int find(int *a, int n, int v) {
            int i;
            for (i = 0; i < n; i++)
                if (a[i] == v) goto found;
            return -1;
        found:
            return i;
        }
        int main(void) {
            int n = 0, steps = 0;
        back:
            steps++;
            if (++n < 5) goto back;          /* backward */
            goto skip;                       /* forward over a block */
            abort();
        skip:;
            int a[] = { 4, 8, 15, 16, 23, 42 };
            {
                int depth = 0;
            inner:
                if (depth++ < 3) goto inner;
                if (depth != 4) abort();
            }
            printf("%d %d %d %d\n", n, steps, find(a, 6, 16), find(a, 6, 5));
            return 0;
        }
        """#, prints: "5 5 3 -1\n")
    }

    @Test func computedGoto() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int interp(const unsigned char *code) {
            static void *dispatch[] = { &&op_halt, &&op_inc, &&op_dbl, &&op_dec };
            int acc = 0;
            void *target;
        #define NEXT target = dispatch[*code++]; goto *target
            NEXT;
        op_inc: acc++; NEXT;
        op_dbl: acc *= 2; NEXT;
        op_dec: acc--; NEXT;
        op_halt: return acc;
        }
        int main(void) {
            const unsigned char prog[] = { 1, 1, 2, 2, 3, 2, 0 };
            void *labels[] = { &&a, &&b };
            int hits = 0;
            for (int i = 0; i < 2; i++) {
                goto *labels[i];
            a: hits += 1; continue;
            b: hits += 10;
            }
            if (&&a == &&b) abort();
            printf("%d %d\n", interp(prog), hits);
            return 0;
        }
        """#, prints: "14 11\n")
    }

    @Test func staticLocals() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int counter(void) { static int n; return ++n; }
        static int other(void) { static int n = 100; return n += 10; }
        static const char *name(void) { static char buf[8] = "abc"; buf[0]++; return buf; }
        int main(void) {
            counter(); counter();
            int c = counter();
            other();
            int o = other();
            name();
            if (c != 3 || o != 120) abort();
            printf("%d %d %s\n", c, o, name());
            return 0;
        }
        """#, prints: "3 120 cbc\n")
    }

    @Test func threadLocal() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <pthread.h>
        _Thread_local int tl = 1;
        __thread long counter;
        static _Thread_local int arr[3] = { 1, 2, 3 };
        static void *work(void *arg) {
            tl += 10; counter = (long)(size_t)arg; arr[1] = 99;
            return (void *)(size_t)(tl + counter + arr[1]);
        }
        int main(void) {
            pthread_t t;
            void *r;
            tl = 5; counter = 7;
            if (pthread_create(&t, 0, work, (void *)(size_t)3)) abort();
            pthread_join(t, &r);
            if ((size_t)r != 11 + 3 + 99) abort();
            if (tl != 5 || counter != 7 || arr[1] != 2) abort();
            printf("%d %ld %zu %d\n", tl, counter, (size_t)r, arr[1]);
            return 0;
        }
        """#, prints: "5 7 113 2\n")
    }

    @Test func statementExpressions() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #define MAX(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
        static int calls;
        static int f(int x) { calls++; return x; }
        int main(void) {
            int m = MAX(f(3), f(7));
            int y = ({ int t = 0; for (int i = 1; i <= 4; i++) t += i; t; }) * 2;
            int z = ({ 5; }) + ({ int q = m; q + 1; });
            if (m != 7 || calls != 2 || y != 20 || z != 13) abort();
            printf("%d %d %d %d\n", m, calls, y, z);
            return 0;
        }
        """#, prints: "7 2 20 13\n")
    }

    @Test func statementExpressionEndingInLabel() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            int j = 0;
            int s = ({ int acc = 0; for (;;) { if (j >= 3) goto out; acc += j++; } out: acc; });
            if (s != 3) abort();
            printf("%d\n", s);
            return 0;
        }
        """#, prints: "3\n")
    }

    @Test func conditionalSideEffects() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int trace[16], ntrace;
        static int note(int v) { trace[ntrace++] = v; return v; }
        int main(void) {
            int i = 0, j = 0;
            int r1 = note(1) ? (i++, note(10)) : (j++, note(20));
            int r2 = note(0) ? note(30) : note(40);
            int k = 5;
            *(k > 3 ? &i : &j) += 100;
            int r3 = k-- ? k-- : k++;
            if (r1 != 10 || r2 != 40 || i != 101 || j != 0 || r3 != 4 || k != 3) abort();
            if (ntrace != 4 || trace[0] != 1 || trace[1] != 10 || trace[2] != 0 || trace[3] != 40) abort();
            double mix = i > 0 ? 1 : 2.5;
            printf("%d %d %d %d %d %g\n", r1, r2, i, r3, ntrace, mix);
            return 0;
        }
        """#, prints: "10 40 101 4 4 1\n")
    }

    @Test func gnuElvis() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int calls;
        static int next(void) { return ++calls; }
        static int zero(void) { calls++; return 0; }
        int main(void) {
            int a = next() ?: 100;     /* next() evaluated once */
            int b = zero() ?: 200;
            int c = 0;
            int d = c++ ?: c++;        /* both operands side-effecting */
            char *p = 0;
            char *q = p ?: "fallback";
            if (a != 1 || b != 200 || calls != 2 || c != 2 || d != 1) abort();
            printf("%d %d %d %d %s\n", a, b, calls, d, q);
            return 0;
        }
        """#, prints: "1 200 2 1 fallback\n")
    }

    @Test func genericSelection() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #define TYPE(x) _Generic((x), int: "int", long: "long", double: "double", char *: "char*", const char *: "const char*", default: "other")
        static int calls;
        static int f(void) { calls++; return 1; }
        int main(void) {
            char buf[2];
            const char *s = "x";
            float fl = 1.0f;
            const char *names[] = { TYPE(1), TYPE(1L), TYPE(1.0), TYPE(buf), TYPE(s), TYPE(fl), TYPE('a'), TYPE(f()) };
            int v = _Generic(1u, unsigned: 10, default: 20) + _Generic((short)1 + (short)1, int: 1, default: 2);
            if (calls != 0) abort();   /* the controlling expression is not evaluated */
            for (int i = 0; i < 8; i++) printf("%s ", names[i]);
            printf("%d\n", v);
            return 0;
        }
        """#, prints: "int long double char* const char* other int int 11\n")
    }

    @Test func staticAssert() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <assert.h>
        _Static_assert(sizeof(int) == 4, "int is 4 bytes");
        struct s { char c; int i; _Static_assert(1, "in a struct"); };
        _Static_assert(sizeof(struct s) == 8, "padding");
        int main(void) {
            _Static_assert(sizeof(long) == 8, "LP64");
            static_assert(1 + 1 == 2, "math");
            int x = 0;
            for (; x < 3; x++) ;
            printf("%d\n", x);
            return 0;
        }
        """#, prints: "3\n")
    }

    @Test func attributes() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <stdint.h>
        #include <stddef.h>
        struct __attribute__((packed)) packed { char c; int i; short s; };
        struct aligned { char c; } __attribute__((aligned(16)));
        static int order[4], norder;
        static int ctor_ran;
        __attribute__((constructor)) static void init_early(void) { ctor_ran = 1; order[norder++] = 1; }
        __attribute__((destructor)) static void fini(void) { printf("destructor\n"); }
        __attribute__((noinline)) static int twice(int x) { return x * 2; }
        __attribute__((weak)) int weak_value = 7;
        __attribute__((weak)) int weak_fn(void) { return 3; }
        __attribute__((section(".data.graft_test"))) int in_section = 11;
        __attribute__((visibility("hidden"))) int hidden_var = 13;
        __attribute__((aligned(64))) static char big_aligned[3];
        __attribute__((unused)) static int unused_fn(void) { return 0; }
        static int cleaned;
        static void cleanup_int(int *p) { cleaned += *p; }
        static void scope(void) {
            int a __attribute__((cleanup(cleanup_int))) = 5;
            {
                int b __attribute__((cleanup(cleanup_int))) = 100;
                (void)b;
            }
            if (cleaned != 100) abort();   /* b's cleanup ran when its block ended */
            a++;
        }
        int main(void) {
            if (!ctor_ran || norder != 1) abort();
            if (sizeof(struct packed) != 7 || offsetof(struct packed, i) != 1) abort();
            if (sizeof(struct aligned) != 16 || _Alignof(struct aligned) != 16) abort();
            if ((uintptr_t)big_aligned % 64 != 0) abort();
            struct packed p = { 'x', 0x12345678, 9 };
            p.i += 1;
            scope();
            if (cleaned != 106) abort();
            printf("%d %d %d %d %d %d %d\n", p.i == 0x12345679, twice(21), weak_value, weak_fn(), in_section, hidden_var, cleaned);
            return 0;
        }
        """#, prints: "1 42 7 3 11 13 106\ndestructor\n")
    }

    @Test func inlineAsm() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            int x = 40, y = 2;
            asm("addl %1, %0" : "+r"(x) : "r"(y));
            if (x != 42) abort();
            int out;
            asm volatile("movl %[in], %[res]\n\tshll $1, %[res]" : [res] "=r"(out) : [in] "r"(x));
            if (out != 84) abort();
            int mem = 5;
            asm volatile("incl %0" : "+m"(mem) : : "memory", "cc");
            asm volatile("" ::: "memory");
            unsigned long a = 3, b = 4, r;
            asm("lea (%1,%2), %0" : "=r"(r) : "r"(a), "r"(b));
            unsigned lo, hi;
            asm volatile("xorl %%eax, %%eax\n\tmovl $7, %%edx" : "=a"(lo), "=d"(hi));
            printf("%d %d %d %lu %u %u\n", x, out, mem, r, lo, hi);
            return 0;
        }
        """#, prints: "42 84 6 7 0 7\n")
    }

    @Test func builtins() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <stddef.h>
        struct s { char c; double d; int arr[4]; };
        static int classify(int x) {
            if (x > 3) return 1;
            if (x < 0) __builtin_unreachable();
            return 0;
        }
        int main(void) {
            int x = 5;
            if (__builtin_expect(x == 5, 1)) x++;
            if (__builtin_clz(1u) != 31 || __builtin_ctz(8u) != 3 || __builtin_popcount(0xffu) != 8) abort();
            if (__builtin_clzll(1ull) != 63 || __builtin_popcountll(~0ull) != 64) abort();
            if (__builtin_bswap32(0x11223344u) != 0x44332211u || __builtin_bswap64(1ull) != (1ull << 56)) abort();
            int src[3] = { 1, 2, 3 }, dst[3];
            __builtin_memcpy(dst, src, sizeof src);
            __builtin_memset(src, 0, sizeof src);
            if (dst[2] != 3 || src[2] != 0) abort();
            if (__builtin_offsetof(struct s, arr[2]) != 24 || offsetof(struct s, d) != 8) abort();
            if (!__builtin_types_compatible_p(int, signed) || __builtin_types_compatible_p(int, long)) abort();
            int k = __builtin_constant_p(42) + __builtin_constant_p(x) * 10;
            int ov, res;
            ov = __builtin_add_overflow(2147483647, 1, &res);
            unsigned ures;
            int ov2 = __builtin_mul_overflow(3u, 5u, &ures);
            if (!ov || res != (int)0x80000000u || ov2 || ures != 15) abort();
            if (__builtin_abs(-4) != 4 || __builtin_strlen("abc") != 3) abort();
            printf("%d %d %d %d %d %d\n", x, classify(x), k == 1 || k == 11, res, __builtin_ffs(8), (int)__builtin_huge_val() > 0);
            return 0;
        }
        """#, prints: "6 1 1 -2147483648 4 1\n")
    }

    @Test func boolConversions() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <stdbool.h>
        int main(void) {
            _Bool a = 256;          /* nonzero → 1, not truncation */
            _Bool b = 0.5;
            _Bool c = (void *)0;
            int x = 7;
            bool d = &x;
            _Bool e = -0.0;
            _Bool f = a + a;
            f += 1;
            _Bool g = 3; g--;       /* 1 - 1 → 0 */
            _Bool h = 0; h--;       /* 0 - 1 → -1 → 1 */
            unsigned char uc = (unsigned char)(_Bool)2 + 1;
            if (a != 1 || b != 1 || c != 0 || d != 1 || e != 0 || f != 1 || g != 0 || h != 1 || uc != 2) abort();
            if (sizeof(_Bool) != 1 || (a + a) != 2) abort();
            printf("%d %d %d %d %d %d %d %d %d\n", a, b, c, d, e, f, g, h, uc);
            return 0;
        }
        """#, prints: "1 1 0 1 0 1 0 1 2\n")
    }

    @Test func longDouble() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <float.h>
        static long double third(void) { return 1.0L / 3.0L; }
        int main(void) {
            long double a = 1.1L;
            long double b = 11.0L / 10.0L;
            if (a != b) abort();                       /* 1.1L is exact to 64 bits, unlike 1.1 */
            if ((double)a != 1.1 || a == (long double)1.1) abort();
            long double t = third();
            if (t * 3.0L == 1.0L ? 0 : t * 3.0L != 1.0L && (t * 3.0L - 1.0L) > 1e-18L) abort();
            long double big = 1e4000L;
            if (big / 1e3999L != 10.0L) abort();
            long double eps = LDBL_EPSILON;
            if (1.0L + eps == 1.0L || 1.0L + eps / 2 != 1.0L) abort();
            long double sum = 0;
            for (int i = 0; i < 10; i++) sum += 0.1L;
            if (sizeof(long double) != 16) abort();
            printf("%.20Lf %.3Le %Lg %d\n", a, big, sum, LDBL_MANT_DIG);
            return 0;
        }
        """#, prints: "1.10000000000000000002 1.000e+4000 1 64\n")
    }

    @Test func complexDouble() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <complex.h>
        static double _Complex conjugate(double _Complex z) { return conj(z); }
        int main(void) {
            double _Complex a = __builtin_complex(1.0, 2.0);
            double _Complex b = __builtin_complex(3.0, -1.0);
            double _Complex s = a + b, p = a * b, q = a / b;
            if (creal(s) != 4.0 || cimag(s) != 1.0) abort();
            if (creal(p) != 5.0 || cimag(p) != 5.0) abort();       /* (1+2i)(3-i) = 5+5i */
            if (creal(q) != 0.1 || cimag(q) != 0.7) abort();
            double _Complex c = conjugate(a);
            if (cimag(c) != -2.0) abort();
            c = __builtin_complex(9.0, cimag(c));
            float _Complex f = 1.5f;
            f *= 2;
            if (a == b || !(a == a)) abort();
            printf("%g %g %g %g %g %g\n", creal(p), cimag(p), creal(c), cimag(c), crealf(f), cabs(__builtin_complex(3.0, 4.0)));
            return 0;
        }
        """#, prints: "5 5 9 -2 3 5\n")
    }

    @Test func complexImaginaryUnit() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <complex.h>
        int main(void) {
            double _Complex a = 1.0 + 2.0 * I;
            double _Complex b = 3.0i;
            if (creal(a) != 1.0 || cimag(a) != 2.0 || cimag(b) != 3.0) abort();
            printf("%g %g %g\n", creal(a * b), cimag(a * b), cimag(b));
            return 0;
        }
        """#, prints: "-6 3 3\n")
    }

    @Test func complexPartLvalue() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            double _Complex c = __builtin_complex(1.0, 2.0);
            __real__ c = 9.0;
            __imag__ c += 1.0;
            if (__real__ c != 9.0 || __imag__ c != 3.0) abort();
            printf("%g %g\n", __real__ c, __imag__ c);
            return 0;
        }
        """#, prints: "9 3\n")
    }

    @Test func int128() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        typedef unsigned __int128 u128;
        static void print(u128 v) { printf("%016llx%016llx ", (unsigned long long)(v >> 64), (unsigned long long)v); }
        int main(void) {
            u128 a = (u128)1 << 100;
            u128 b = a - 1;
            u128 c = (u128)0xffffffffffffffffull * 0xffffffffffffffffull;
            __int128 n = -(__int128)a / 3;
            __int128 m = n % 1000;
            u128 big = ((u128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
            if ((unsigned long long)(c >> 64) != 0xfffffffffffffffeull || (unsigned long long)c != 1) abort();
            if (n >= 0 || m > 0 || b >= a || (b >> 99) != 1) abort();
            if (sizeof(__int128) != 16 || big / 0x100000000ull != (big >> 32)) abort();
            print(a); print(b); print(c); print((u128)n); print(big);
            printf("%lld\n", (long long)m);
            return 0;
        }
        """#, prints: "00000010000000000000000000000000 0000000fffffffffffffffffffffffff fffffffffffffffe0000000000000001 fffffffaaaaaaaaaaaaaaaaaaaaaaaab 0123456789abcdeffedcba9876543210 -125\n")
    }

    @Test func atomicPlainAccess() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static _Atomic int counter;
        int main(void) {
            counter = 5;
            counter++;
            ++counter;
            counter--;
            _Atomic(long) l = 3;
            int v = counter;
            if (v != 6 || l != 3 || sizeof(_Atomic int) != 4) abort();
            printf("%d %ld\n", v, (long)l);
            return 0;
        }
        """#, prints: "6 3\n")
    }

    @Test func atomicIncrementSingleThread() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static _Atomic int counter;
        int main(void) {
            counter++;
            ++counter;
            int v = counter++;
            _Atomic(int) local = 1;
            local--;
            if (v != 2 || counter != 3 || local != 0) abort();
            printf("%d %d %d\n", v, (int)counter, (int)local);
            return 0;
        }
        """#, prints: "2 3 0\n")
    }

    @Test func atomicCompoundAssignment() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            _Atomic int a = 1;
            a += 2;
            a *= 5;
            _Atomic long l = 7;
            l -= 10;
            if (a != 15 || l != -3) abort();
            printf("%d %ld\n", (int)a, (long)l);
            return 0;
        }
        """#, prints: "15 -3\n")
    }

    @Test func gnuAtomicBuiltins() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int x = 1, e = 4;
        int main(void) {
            int prev = __atomic_fetch_add(&x, 2, __ATOMIC_SEQ_CST);   /* x = 3 */
            int now = __atomic_add_fetch(&x, 1, __ATOMIC_RELAXED);   /* x = 4 */
            int ok = __atomic_compare_exchange_n(&x, &e, 10, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            __atomic_store_n(&e, 7, __ATOMIC_RELEASE);
            int swapped = __atomic_exchange_n(&x, 20, __ATOMIC_ACQ_REL);
            if (prev != 1 || now != 4 || !ok || swapped != 10 || __atomic_load_n(&x, __ATOMIC_ACQUIRE) != 20 || e != 7) abort();
            printf("%d %d %d %d\n", prev, now, swapped, x);
            return 0;
        }
        """#, prints: "1 4 10 20\n")
    }

    @Test(.disabled("not supported yet: <stdatomic.h>'s generic functions expand to clang's __c11_atomic_* builtins, which gcc does not have; graft refuses them with an unsupported diagnostic")) func atomics() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <stdatomic.h>
        static _Atomic int counter;
        static atomic_long total = 10;
        int main(void) {
            counter++;
            ++counter;
            int old = atomic_fetch_add(&counter, 3);
            atomic_fetch_sub(&total, 4);
            int expected = 5;
            _Bool swapped = atomic_compare_exchange_strong(&counter, &expected, 100);
            atomic_store(&total, atomic_load(&total) * 2);
            int x = 0;
            int prev = __atomic_fetch_add(&x, 2, __ATOMIC_SEQ_CST);
            if (old != 2 || !swapped || counter != 100 || total != 12 || prev != 0 || x != 2) abort();
            printf("%d %d %ld %d\n", old, (int)counter, (long)total, x);
            return 0;
        }
        """#, prints: "2 100 12 2\n")
    }

    @Test func atomicIncrementThreads() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <pthread.h>
        static _Atomic int counter;
        static volatile int ready;
        static void *work(void *arg) {
            __sync_fetch_and_add(&ready, 1);
            while (ready < 2) ;                /* start together */
            for (int i = 0; i < 1000000; i++) counter++;
            return arg;
        }
        int main(void) {
            pthread_t t1, t2;
            pthread_create(&t1, 0, work, 0);
            pthread_create(&t2, 0, work, 0);
            pthread_join(t1, 0);
            pthread_join(t2, 0);
            if (counter != 2000000) abort();   /* ++ must be an atomic read-modify-write */
            printf("%d\n", (int)counter);
            return 0;
        }
        """#, prints: "2000000\n")
    }

    @Test func vla() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int calls;
        static int size(int n) { calls++; return n; }
        int main(void) {
            int n = 5;
            int a[n];
            if (sizeof a != 5 * sizeof(int)) abort();
            for (int i = 0; i < n; i++) a[i] = i;
            long total = 0;
            for (int k = 1; k <= 100; k++) {
                char buf[k * 16];
                buf[k * 16 - 1] = (char)k;
                total += sizeof buf + buf[k * 16 - 1];
            }
            int b[size(4)];
            size_t sb = sizeof b;
            if (calls != 1) abort();
            printf("%d %ld %zu\n", a[4], total, sb);
            return 0;
        }
        """#, prints: "4 85850 16\n")
    }

    @Test func vla2d() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            int rows = 3, cols = 4;
            int m[rows][cols];
            if (sizeof m != 48 || sizeof m[0] != 16) abort();
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[i][j] = i * cols + j;
            int *flat = &m[0][0];
            if (flat[11] != 11 || &m[1][0] - &m[0][0] != 4) abort();
            printf("%zu %zu %d\n", sizeof m, sizeof m[0], m[2][3]);
            return 0;
        }
        """#, prints: "48 16 11\n")
    }

    @Test(.disabled("frontend bug: sizeof of a VLA typedef name, `sizeof(row)` with `typedef int row[size(2)]`, is rejected (unsupported: sizeof of this operand)")) func vlaTypedef() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int calls;
        static int size(int n) { calls++; return n; }
        int main(void) {
            typedef int row[size(2)];              /* evaluated once, at the typedef */
            row r;
            r[1] = 4;
            if (sizeof r != 8 || sizeof(row) != 8 || calls != 1) abort();
            printf("%zu %d %d\n", sizeof r, r[1], calls);
            return 0;
        }
        """#, prints: "8 4 1\n")
    }

    @Test func vlaParameter() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int sum2d(int n, int m, int a[n][m]) {
            int s = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) s += a[i][j];
            return s;
        }
        int main(void) {
            int rows = 3, cols = 4;
            int m[rows][cols];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[i][j] = i * cols + j;
            int (*pm)[cols] = m;                   /* pointer to a VLA */
            pm++;
            if (sum2d(rows, cols, m) != 66 || pm[0][1] != 5 || sizeof *pm != 16) abort();
            printf("%d %d\n", sum2d(2, cols, m), pm[1][3]);
            return 0;
        }
        """#, prints: "28 11\n")
    }

    @Test(.disabled("not supported yet: sizeof of a VLA type name (`sizeof(int[n])`) is refused with an unsupported diagnostic; sizeof of a VLA object works")) func sizeofVlaType() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int calls;
        static int size(int n) { calls++; return n; }
        int main(void) {
            int n = 3;
            size_t s1 = sizeof(int[n]);            /* sizeof of a VLA type name */
            size_t s2 = sizeof(char[size(5)][2]);  /* its length is evaluated */
            if (s1 != 12 || s2 != 10 || calls != 1) abort();
            printf("%zu %zu %d\n", s1, s2, calls);
            return 0;
        }
        """#, prints: "12 10 1\n")
    }

    @Test func krDefinitions() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int kr_add();
        double kr_mix();
        int kr_add(a, b) int a, b; { return a + b; }
        double kr_mix(c, f, s, d) char c; float f; short s; double d; { return c + f + s + d; }
        static unsigned kr_chars(c1, c2) unsigned char c1; char c2; { return c1 * 256u + (unsigned char)c2; }
        static long kr_default(x) { return x * 2L; }    /* implicit int parameter */
        int main(void) {
            if (kr_add(2, 3) != 5) abort();
            if (kr_mix('a', 1.5f, 2, 0.25) != 100.75) abort();
            printf("%d %g %u %ld\n", kr_add(40, 2), kr_mix(1, 0.5, 3, 4.0), kr_chars(300, 'z'), kr_default(21));
            return 0;
        }
        """#, prints: "42 8.5 11386 42\n")
    }

    @Test func sizeofUnevaluated() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int calls;
        static int f(void) { calls++; return 1; }
        int main(void) {
            int i = 0;
            size_t a = sizeof(i++);
            size_t b = sizeof(f());
            size_t c = sizeof(int[3]);
            size_t d = _Alignof(double);
            int arr[10];
            size_t e = sizeof arr[i++];
            __typeof__(f()) t = 3;
            if (i != 0 || calls != 0 || a != 4 || b != 4 || e != 4 || t != 3) abort();
            printf("%zu %zu %zu %zu %d %d\n", a, b, c, d, i, calls);
            return 0;
        }
        """#, prints: "4 4 12 8 0 0\n")
    }

    @Test func evaluationOrder() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static char trace[32];
        static int n;
        static int t(char c, int v) { trace[n++] = c; return v; }
        int main(void) {
            int r1 = t('a', 0) && t('b', 1);          /* b skipped */
            int r2 = t('c', 1) || t('d', 1);          /* d skipped */
            int r3 = t('e', 1) && (t('f', 0) || t('g', 2));
            int r4 = (t('h', 1), t('i', 2), t('j', 3));
            int r5 = !t('k', 0) && t('l', 5) > 4;
            for (int i = 0; t('m', i < 2) && t('n', 1); i++) ;
            int x = 0;
            if (x++ && x++) abort();
            if (x != 1) abort();
            trace[n] = 0;
            if (r1 != 0 || r2 != 1 || r3 != 1 || r4 != 3 || r5 != 1) abort();
            printf("%s %d %d %d %d %d %d\n", trace, r1, r2, r3, r4, r5, x);
            return 0;
        }
        """#, prints: "acefghijklmnmnm 0 1 1 3 1 1\n")
    }

    @Test func incrementTemporaries() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            int i = 1, j = 1;
            int r = i++ + ++j;                 /* 1 + 2 */
            int a[5] = { 10, 20, 30, 40, 50 };
            int k = 0;
            int v = a[k++]++;                  /* reads a[0], then a[0] = 11, k = 1 */
            int w = ++a[k];                    /* a[1] = 21 */
            int *p = a;
            p = a;
            int x = *p++;
            int y = *++p;
            int z = (*p)--;
            if (r != 3 || i != 2 || j != 2 || v != 10 || a[0] != 11 || w != 21 || x != 11 || y != 30 || z != 30 || a[2] != 29) abort();
            printf("%d %d %d %d %d %d %d\n", r, v, w, x, y, z, a[2]);
            return 0;
        }
        """#, prints: "3 10 21 11 30 30 29\n")
    }

    @Test func assignmentChains() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct s { int a; char c; };
        int main(void) {
            int a, b, c = 7;
            a = b = c;
            char ch; int wide;
            wide = ch = 300;                   /* the value of an assignment is the converted value */
            double d; int i;
            d = i = 3.9;
            unsigned char uc; long l;
            l = uc = -1;
            struct s s1, s2, s3 = { 4, 'x' };
            s1 = s2 = s3;
            int p = 2, q;
            q = (p += 3) * 2;
            if (a != 7 || b != 7 || wide != 44 || d != 3.0 || l != 255 || s1.a != 4 || s2.c != 'x' || q != 10 || p != 5) abort();
            printf("%d %d %d %g %ld %d %c %d\n", a, b, wide, d, l, s1.a, s2.c, q);
            return 0;
        }
        """#, prints: "7 7 44 3 255 4 x 10\n")
    }

    @Test func compoundAssignment() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct bf { unsigned u : 4; signed s : 5; unsigned long long big : 40; };
        int main(void) {
            struct bf b = { 14, -10, 1 };
            b.u += 3;                       /* 17 mod 16 = 1 */
            b.s -= 10;                      /* -20 → wraps to 12 in 5 bits */
            b.big <<= 39;
            b.big *= 2;                     /* bit 40 falls off → 0 */
            unsigned old = b.u++;
            char c = 100;
            c *= 3;                         /* 300 → 44 */
            unsigned char uc = 250;
            uc += 10;                       /* 4 */
            signed char sc = -128;
            sc -= 1;                        /* 127 */
            short sh = 0x7fff;
            sh += 1;
            int arr[6] = { 0, 1, 2, 3, 4, 5 };
            int *p = arr;
            p += 2;
            p -= 1;
            p += 3;
            double d = 10;
            d /= 4;
            int i = 17;
            i %= 5; i <<= 3; i |= 1; i ^= 3; i &= ~0x10; i >>= 1;
            unsigned ui = 5;
            ui -= 10;
            int mixed = 10;
            mixed *= 2.5;                   /* computed in double, 25 */
            if (b.u != 2 || old != 1 || b.s != 12 || b.big != 0 || c != 44 || uc != 4 || sc != 127 || sh != -32768) abort();
            if (*p != 4 || d != 2.5 || ui != 4294967291u || mixed != 25) abort();
            printf("%u %d %llu %d %d %d %d %d %g %d %u %d\n", b.u, b.s, (unsigned long long)b.big, c, uc, sc, sh, *p, d, i, ui, mixed);
            return 0;
        }
        """#, prints: "2 12 0 44 4 127 -32768 4 2.5 1 4294967291 25\n")
    }

    @Test func volatileAccess() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <signal.h>
        #include <setjmp.h>
        static volatile sig_atomic_t got;
        static void handler(int sig) { got = sig; }
        static sigjmp_buf env;
        static void segv(int sig) { (void)sig; siglongjmp(env, 1); }
        int main(void) {
            volatile int v = 5;
            (void)v;                            /* a read that must be kept */
            int r = v + v;
            sigset_t all;
            sigfillset(&all);
            sigprocmask(SIG_UNBLOCK, &all, 0);     /* the test runner may have blocked signals */
            signal(SIGUSR1, handler);
            raise(SIGUSR1);
            for (long i = 0; !got && i < 1000000000; i++) ;
            /* a discarded volatile read through a bad pointer must fault, so the read was kept */
            signal(SIGSEGV, segv);
            int faulted = 0;
            if (sigsetjmp(env, 1) == 0) {
                volatile int *bad = (volatile int *)16;
                (void)*bad;
            } else {
                faulted = 1;
            }
            if (r != 10 || got != SIGUSR1 || !faulted) abort();
            printf("%d %d %d\n", r, (int)got, faulted);
            return 0;
        }
        """#, prints: "10 10 1\n")
    }

    @Test func integerConversions() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            unsigned u = 1;
            int i = -1;
            if (!(i > u)) abort();                  /* -1 converts to UINT_MAX */
            long l = -1;
            if (!(l < u)) abort();                  /* long holds all unsigned values */
            unsigned short us = 65535;
            if (us + 1 != 65536) abort();           /* promoted to int */
            unsigned char a = 200, b = 100;
            if (a + b != 300 || (unsigned char)(a + b) != 44) abort();
            if (sizeof(a + b) != sizeof(int) || sizeof(us * us) != 4) abort();
            char c = -1;
            if (c != -1 || (unsigned char)c != 255) abort();
            if (-1 < 0u) abort();
            unsigned long long big = 0xffffffffu;
            if (big + 1 != 0x100000000ull || 0xffffffffu + 1 != 0) abort();
            int neg = -5;
            unsigned shift = (unsigned)neg >> 28;
            long long mix = 3 * -2LL + 7u;
            printf("%d %u %u %lld %d %d\n", i > u, shift, (unsigned)(i + u), mix, (int)(us * us < 0), (signed char)200);
            return 0;
        }
        """#, prints: "1 15 0 1 0 -56\n")
    }

    @Test func shiftsAndDivision() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            int a = -7, b = 2;
            if (a / b != -3 || a % b != -1 || 7 / -2 != -3 || 7 % -2 != 1 || -7 / -2 != 3 || -7 % -2 != -1) abort();
            if (-8 >> 1 != -4 || (-1 >> 31) != -1) abort();            /* arithmetic shift of negatives */
            unsigned u = 0x80000000u;
            if (u >> 31 != 1 || (u << 1) != 0) abort();
            long long one = 1;
            if ((one << 40) != 1099511627776LL) abort();
            int s = 3;
            unsigned char c = 1;
            if ((c << 10) != 1024) abort();                            /* promoted before shifting */
            long r = -17L % 5;
            printf("%d %d %d %d %ld %u %d\n", a / b, a % b, -8 >> 1, 1 << s, r, u >> s, 100 / 7 * 7 + 100 % 7);
            return 0;
        }
        """#, prints: "-3 -1 -4 8 -2 268435456 100\n")
    }

    @Test func floatToInt() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            double d = 3.99, n = -3.99;
            if ((int)d != 3 || (int)n != -3) abort();                  /* truncation toward zero */
            float f = 16777217.0f;                                     /* not representable → 16777216 */
            if ((long)f != 16777216) abort();
            unsigned u = (unsigned)4e9;
            if (u != 4000000000u) abort();
            long long big = (long long)1e18;
            unsigned char uc = (unsigned char)250.7;
            int i = 7;
            double back = i / 2;                                        /* integer division first */
            double exact = i / 2.0;
            float fl = 0.1f;
            if ((double)fl == 0.1) abort();
            short sh = (short)-1234.5;
            printf("%d %d %u %lld %d %g %g %d %ld\n", (int)d, (int)n, u, big, uc, back, exact, sh, (long)-0.5);
            return 0;
        }
        """#, prints: "3 -3 4000000000 1000000000000000000 250 3 3.5 -1234 0\n")
    }

    @Test func structAssignment() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        struct small { int a; char b; };
        struct large { long v[8]; char name[16]; };
        static struct small make_small(int a) { struct small s = { a, 'q' }; return s; }
        static struct large make_large(const char *name) {
            struct large l;
            memset(&l, 0, sizeof l);
            for (int i = 0; i < 8; i++) l.v[i] = i * i;
            strcpy(l.name, name);
            return l;
        }
        static struct large bump(struct large l) { l.v[7]++; return l; }
        int main(void) {
            struct small s = make_small(5), t;
            t = s;
            t.a++;
            struct large l = make_large("big");
            struct large m = bump(l);
            struct large *p = &m;
            *p = bump(*p);
            int a = make_small(9).a;
            char ch = make_large("zz").name[1];
            struct small arr[2] = { s, t };
            arr[0] = arr[1];
            if (s.a != 5 || t.a != 6 || l.v[7] != 49 || m.v[7] != 51 || a != 9 || ch != 'z' || arr[0].a != 6) abort();
            printf("%d %d %c %ld %s %d %c\n", s.a, t.a, t.b, m.v[7], m.name, a, ch);
            return 0;
        }
        """#, prints: "5 6 q 51 big 9 z\n")
    }

    @Test func pragmaPack() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <stddef.h>
        #include <string.h>
        #pragma pack(push, 1)
        struct wire { char tag; int len; short kind; double value; };
        #pragma pack(pop)
        #pragma pack(2)
        struct two { char c; int i; };
        #pragma pack()
        struct normal { char c; int i; };
        int main(void) {
            if (sizeof(struct wire) != 15 || offsetof(struct wire, len) != 1 || offsetof(struct wire, value) != 7) abort();
            if (sizeof(struct two) != 6 || offsetof(struct two, i) != 2) abort();
            if (sizeof(struct normal) != 8) abort();
            unsigned char bytes[15];
            struct wire w = { 'w', 0x01020304, 7, 2.5 };
            memcpy(bytes, &w, sizeof w);
            struct wire *p = &w;
            p->len += 1;
            printf("%zu %zu %d %d %d %g\n", sizeof(struct wire), sizeof(struct two), bytes[1], bytes[4], p->len, p->value);
            return 0;
        }
        """#, prints: "15 6 4 1 16909061 2.5\n")
    }

    @Test func recursiveStructs() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        struct node { int value; struct node *next; };
        struct tree { int key; struct tree *kids[2]; };
        struct a; struct b { struct a *pa; int v; }; struct a { struct b *pb; int v; };
        static struct node *push(struct node *head, int v) {
            struct node *n = malloc(sizeof *n);
            n->value = v; n->next = head;
            return n;
        }
        static struct tree *insert(struct tree *t, int k) {
            if (!t) { t = calloc(1, sizeof *t); t->key = k; return t; }
            t->kids[k > t->key] = insert(t->kids[k > t->key], k);
            return t;
        }
        static int depth(struct tree *t) {
            if (!t) return 0;
            int l = depth(t->kids[0]), r = depth(t->kids[1]);
            return 1 + (l > r ? l : r);
        }
        int main(void) {
            struct node *list = 0;
            for (int i = 1; i <= 5; i++) list = push(list, i * i);
            int sum = 0, len = 0;
            for (struct node *n = list; n; n = n->next) { sum += n->value; len++; }
            struct tree *t = 0;
            int keys[] = { 5, 3, 8, 1, 4, 9, 7, 2 };
            for (int i = 0; i < 8; i++) t = insert(t, keys[i]);
            struct a xa; struct b xb = { &xa, 2 };
            xa.pb = &xb; xa.v = 1;
            printf("%d %d %d %d %d\n", sum, len, list->value, depth(t), xa.pb->pa->pb->v);
            return 0;
        }
        """#, prints: "55 5 25 4 2\n")
    }

    @Test func mutualRecursion() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int is_even(unsigned n);
        static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }
        static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
        int ping(int n);
        int main(void) {
            if (!is_even(10) || is_even(7) || !is_odd(7)) abort();
            printf("%d %d %d\n", is_even(100), is_odd(33), ping(6));
            return 0;
        }
        int pong(int n);
        int ping(int n) { return n <= 0 ? 0 : 1 + pong(n - 1); }
        int pong(int n) { return n <= 0 ? 100 : 10 + ping(n - 1); }
        """#, prints: "1 1 33\n")
    }

    @Test func staticAndExternDeclarations() throws {
        try expectRuns(#"""
        #include <stdio.h>
        #include <stdlib.h>
        static int helper(int x) { return x * 3; }
        static int counter = 2;
        int shared = 40;
        static int uses_extern(void) {
            extern int shared;                 /* block-scope extern refers to the global */
            extern int later(int);             /* function declared inside a function */
            return shared + later(1);
        }
        int main(void) {
            int shared = 1;                    /* shadows the global */
            {
                extern int shared;
                if (shared != 40) abort();
            }
            static int (*fp)(int) = helper;
            counter += helper(counter);
            printf("%d %d %d %d\n", uses_extern(), counter, shared, fp(2));
            return 0;
        }
        int later(int x) { return x + 1; }
        """#, prints: "42 8 1 6\n")
    }
}

// MARK: - Golden IR

/// Lowers `source`, verifies it, and checks that its printed IR contains
/// `lines` in this order (not necessarily adjacent). A line is compared
/// without its indentation and its trailing `@file:line:col`; `%T` stands
/// for any compiler temporary (`%__t3#7`).
private func expectIR(_ source: String, contains lines: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (program, _) = try lower(source)
    let problems = Verifier.verify(program)
    #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
    let printed = program.printed()
    let irLines = printed.split(separator: "\n").map { line -> String in
        var s = line.trimmingCharacters(in: .whitespaces)
        if let at = s.range(of: " @", options: .backwards) { s = String(s[..<at.lowerBound]) }
        return s
    }
    var next = 0
    for want in lines {
        let pattern = "^" + NSRegularExpression.escapedPattern(for: want)
            .replacingOccurrences(of: "%T", with: #"%__t\d+#\d+"#) + "$"
        let regex = try NSRegularExpression(pattern: pattern)
        let hit = irLines[next...].firstIndex { l in
            regex.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)) != nil
        }
        guard let hit else {
            Issue.record("IR has no line \(want) (after line \(next)) in:\n\(printed)", sourceLocation: sourceLocation)
            return
        }
        next = hit + 1
    }
}

@Suite("Frontend IR shapes")
struct FrontendIRShapeTests {
    /// `a[i]++` whose value is used: a read into a temporary, then the store.
    @Test func postIncrementOfElementUsesTemporary() throws {
        try expectIR("""
            int f(int *a, int i) {
                int r = a[i]++;
                return r;
            }
            """, contains: [
                "%T = (*(%a#0 +p %i#1):(int*))",
                "(*(%a#0 +p %i#1):(int*)) = (%T + 1:int):int",
                "local %r#2 = %T",
            ])
    }

    /// `&&` with a call on the right is control flow; without side effects it stays an operator.
    @Test func logicalAndWithSideEffectBecomesIf() throws {
        try expectIR("""
            int g(int);
            int f(int x, int y) {
                int pure = x && y;
                if (x && g(x)) return pure;
                return 0;
            }
            """, contains: [
                "local %pure#2 = (%x#0 && %y#1):int",
                "%T = 0:int",
                "if (%x#0)",
                "%T = call g#0(%x#0)",
                "%T = (! (! %T):int):int",
                "if (%T)",
                "return %pure#2",
            ])
    }

    /// `c ? g(1) : 2` assigns one temporary in each branch.
    @Test func conditionalWithCallBecomesIf() throws {
        try expectIR("""
            int g(int);
            int f(int x) { int c = x ? g(1) : 2; return c; }
            """, contains: ["if (%x#0)", "%T = call g#0(1:int)", "else", "%T = 2:int", "local %c#1 = %T"])
    }

    /// Implicit conversions are explicit casts, array decay is `startof`,
    /// the comma operator is sequenced, and sizeof's operand is not evaluated.
    @Test func implicitConversionsDecayCommaAndSizeof() throws {
        try expectIR("""
            int h(int x, int y) {
                int arr[4];
                long l = x;
                int *q = arr;
                int k = (x++, y);
                unsigned long s = sizeof(y++);
                return k + (int)s + (int)l + *q;
            }
            """, contains: [
                "local %l#3 = (long)%x#0",
                "local %q#4 = startof(%arr#2)",
                "%x#0 = (%x#0 + 1:int):int",
                "local %k#5 = %y#1",
                "local %s#6 = sizeof(int)=4",
            ])
        let (program, _) = try lower("int h(int y) { unsigned long s = sizeof(y++); return (int)s + y; }")
        #expect(!program.printed().contains("%y#0 = "), "sizeof's operand was evaluated")
    }
}
