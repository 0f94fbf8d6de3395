// The abstraction-violating alias analysis (Specs/alias.md, ALIAS-*):
// which named structs are wrapped, and why the others are not.

import Foundation
import Testing
import IR
import Frontend
import Checker

@Suite("AliasAnalysis")
struct AliasAnalysisTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func decide(_ src: String, flags: [String] = []) throws -> (Program, WrappingDecision) {
        let (p, _) = try lower(src, flags: flags)
        return (p, AliasAnalysis.analyze(p))
    }

    func record(_ p: Program, _ tag: String) throws -> RecordID {
        try #require(p.records.first { $0.tag == tag && $0.fields != nil }, "no struct \(tag)").id
    }

    /// The 1-based line of the first line of `src` containing `marker`.
    func line(of marker: String, in src: String) -> Int {
        (src.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(marker) } ?? -1) + 1
    }

    /// Asserts `tag` is not wrapped, with a diagnostic of `rule` at the line marked `marker`.
    func expectExcluded(_ src: String, _ tag: String, _ rule: String, at marker: String,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (p, d) = try decide(src)
        let r = try record(p, tag)
        #expect(!d.wrapped.contains(r), "struct \(tag) is wrapped", sourceLocation: sourceLocation)
        let diags = d.excluded[r] ?? []
        let want = line(of: marker, in: src)
        #expect(diags.contains { $0.rule == rule && $0.loc.line == want && $0.severity != .error },
                "no \(rule) at line \(want) in \(diags)", sourceLocation: sourceLocation)
    }

    func expectWrapped(_ p: Program, _ d: WrappingDecision, _ tags: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for tag in tags {
            let r = try record(p, tag)
            #expect(d.wrapped.contains(r), "struct \(tag) not wrapped: \(d.excluded[r] ?? [])", sourceLocation: sourceLocation)
        }
    }

    // MARK: ALIAS-1

    @Test("[ALIAS-3] printf's %p prints a pointer without reading the object: the struct stays wrapped; %s, a format that is not a literal, or a positional one make it plain")
    func printfPointer() throws {
        func src(_ call: String) -> String {
            """
            #include <stdio.h>
            #include <stdlib.h>
            struct item { void *data; int refs; };
            int main(int argc, char **argv) {
                struct item *it = malloc(sizeof *it);
                it->data = NULL; it->refs = argc;
                \(call) /* mark */
                fprintf(stderr, "%d\\n", it->refs);
                free(it);
                return 0;
            }
            """
        }
        for ok in ["printf(\"item: %p\\n\", (void *)it);", "fprintf(stderr, \"%*d %-8p %% %s\\n\", 3, 4, (void *)it, \"x\");",
                   "snprintf(0, 0, \"%lu %p\", 1UL, (void *)it);"] {
            let (p, d) = try decide(src(ok))
            try expectWrapped(p, d, ["item"])
        }
        for bad in ["printf(\"%s\\n\", (void *)it);", "printf(argv[0], (void *)it);", "printf(\"%1$p\\n\", (void *)it);",
                    "printf(\"%d %p\\n\", 1, 2, (void *)it);"] {
            try expectExcluded(src(bad), "item", "ALIAS-3", at: "/* mark */")
        }
    }

    @Test("[ALIAS-3] callback user data: a pointer passed as a library's void * beside the program's callback taking a void * stays wrapped, and the library struct whose address it gets is pinned (REP-8); without a callback, with one the program does not define, or at a typed parameter, it is plain")
    func callbackUserData() throws {
        func src(_ call: String) -> String {
            """
            #include <stdlib.h>
            struct event { int fd; void (*cb)(int, void *); void *arg; };
            void event_set(struct event *ev, int fd, void (*cb)(int, void *), void *arg);
            void lib_keep(void *arg);
            void lib_cb(int fd, void *arg);
            struct conn { int fd; int reads; struct event ev; };
            void lib_typed(struct conn *c, void (*cb)(int, void *));
            static void on_ready(int fd, void *arg) { struct conn *c = arg; c->reads += fd; }
            int main(void) {
                struct conn *c = calloc(1, sizeof *c);
                \(call) /* mark */
                return c->reads;
            }
            """
        }
        let (p, d) = try decide(src("event_set(&c->ev, 3, on_ready, c);"))
        try expectWrapped(p, d, ["conn"])
        let conn = try record(p, "conn")
        #expect(TypeWrapping.pinned(p, among: d.wrapped)[conn] == [2], "\(TypeWrapping.pinned(p, among: d.wrapped))")
        for bad in ["lib_keep(c);", "event_set(&c->ev, 3, lib_cb, c);", "lib_typed(c, on_ready);"] {
            try expectExcluded(src(bad), "conn", "ALIAS-3", at: "/* mark */")
        }
    }

    @Test("REP-8: a flexible array member (C99's, or GNU's zero-length one) no longer excludes its struct; a VLA-like layout attribute still does [ALIAS-1]")
    func alias1FlexibleArrayMember() throws {
        let src = """
        struct str { unsigned len; char data[]; };   // FAM
        struct old { int n; char data[0]; };         // ZERO
        unsigned f(struct str *s, struct old *o) { return s->len + o->n + s->data[0] + o->data[1]; }
        """
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["str", "old"])
    }

    @Test func alias1PackedAlignedPragmaPack() throws {
        let src = """
        struct __attribute__((packed)) wire { char tag; int len; };   // PACKED
        struct line { long x; } __attribute__((aligned(64)));         // ALIGNED
        struct fld { char c; int x __attribute__((aligned(16))); };   // FIELD
        #pragma pack(push, 1)
        struct hdr { char a; int b; };                                // PRAGMA
        #pragma pack(pop)
        int f(struct wire *w, struct line *l, struct fld *g, struct hdr *h) { return w->len + (int)l->x + g->x + h->b; }
        """
        try expectExcluded(src, "wire", "ALIAS-1", at: "// PACKED")
        try expectExcluded(src, "line", "ALIAS-1", at: "// ALIGNED")
        try expectExcluded(src, "fld", "ALIAS-1", at: "// FIELD")
        try expectExcluded(src, "hdr", "ALIAS-1", at: "// PRAGMA")
    }

    // MARK: ALIAS-2

    @Test func alias2CastToBytes() throws {
        let src = """
        struct msg { int kind; int len; };
        unsigned sum(struct msg *m) {
            unsigned char *b = (unsigned char *)m;   // CAST
            return b[0] + b[1];
        }
        """
        try expectExcluded(src, "msg", "ALIAS-2", at: "// CAST")
    }

    @Test func alias2IntegersMadeIntoPointers() throws {
        let src = """
        struct dev { unsigned status; unsigned ctrl; };
        struct rec { int a; char b[4]; };
        struct ok { int a; };
        unsigned poll_dev(unsigned long base) { return ((struct dev *)(base + 0x20))->status; }  // MMIO
        unsigned long off(void) { return (unsigned long)&((struct rec *)0)->b; }              // OFFSETOF
        struct ok *none(void) { struct ok *p = 0; return p; }
        """
        try expectExcluded(src, "dev", "ALIAS-2", at: "// MMIO")
        try expectExcluded(src, "rec", "ALIAS-2", at: "// OFFSETOF")
        let (p, _) = try lower(src)
        let ok = try #require(p.records.first { $0.tag == "ok" })
        #expect(AliasAnalysis.analyze(p).wrapped.contains(ok.id))   // a null pointer constant is no object
    }

    @Test func alias7FieldAddressInAStaticInitializer() throws {
        let src = """
        struct hdr { int a; int *b; };
        struct hdr b2;
        int **ptr = &b2.b;   // FIXED
        struct buf { char data[8]; };
        struct buf one;
        char *start = one.data;
        int main(void) { return *ptr == 0 && start[0] == 0; }
        """
        // "ALIAS-7": the loader computes them in the layout the objects have when loaded; the records stay wrapped.
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["hdr", "buf"])
        // The fields are taken: a patch that would move them is refused (PATCH-7).
        let taken = InteriorPointers.kept(in: p, onStack: []).fields
        #expect(taken[try record(p, "hdr")]?.keys.contains(1) == true, "\(taken)")
        #expect(taken[try record(p, "buf")]?.keys.contains(0) == true, "\(taken)")
    }

    @Test func alias2CastFromBufferAndOtherStructs() throws {
        let src = """
        struct pkt { int kind; };
        struct base { int tag; };
        struct derived { struct base b; int extra; };
        int fromBuf(char *buf) { return ((struct pkt *)buf)->kind; }            // FROMBUF
        int up(struct derived *d) { return ((struct base *)d)->tag; }          // UPCAST
        const char *g_view = (const char *)&(struct pkt){ 1 };                  // GLOBAL
        """
        try expectExcluded(src, "pkt", "ALIAS-2", at: "// FROMBUF")
        try expectExcluded(src, "pkt", "ALIAS-2", at: "// GLOBAL")
        try expectExcluded(src, "base", "ALIAS-2", at: "// UPCAST")
        try expectExcluded(src, "derived", "ALIAS-2", at: "// UPCAST")
    }

    @Test func alias2CastOfAFieldExcludesOnlyTheField() throws {
        let src = """
        typedef struct inner { int a, b; } inner_t;
        struct outer { int n; inner_t in; char name[16]; };
        int f(struct outer *o) {
            char *p = (char *)&o->in;     // FIELD
            char *q = (char *)&o->name;
            return p[0] + q[0] + o->n;
        }
        """
        try expectExcluded(src, "inner", "ALIAS-2", at: "// FIELD")
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["outer"])
    }

    @Test func alias2VoidAndQualifiersAreTrusted() throws {
        let src = """
        #include <stdlib.h>
        typedef struct node node_t;
        struct node { int v; node_t *next; };
        void *box(struct node *n) { return n; }
        const struct node *unbox(void *p) { return (const struct node *)p; }
        volatile node_t *vol(struct node *n) { return (volatile node_t *)n; }
        """
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["node"])
    }

    // MARK: ALIAS-3

    @Test func alias3PassedToExternalFunction() throws {
        let src = """
        #include <stdio.h>
        #include <string.h>
        struct rec { int a; double b; };
        void save(FILE *f, struct rec *r) {
            fwrite(r, sizeof *r, 1, f);     // FWRITE
        }
        void copyOut(char *buf, struct rec *r) {
            memcpy(buf, r, sizeof *r);      // MEMCPY
        }
        """
        try expectExcluded(src, "rec", "ALIAS-3", at: "// FWRITE")
        try expectExcluded(src, "rec", "ALIAS-3", at: "// MEMCPY")
    }

    @Test func alias3ByValueVariadicAndExternalSignatures() throws {
        let src = """
        struct pair { int a, b; };
        struct opaque_lib { int x; };
        struct made { int y; };
        void logf(const char *fmt, ...);
        int logged(const char *fmt, ...) { (void)fmt; return 0; }
        void lib_take(struct opaque_lib v);
        struct made *lib_make(void);
        void f(struct pair p, struct opaque_lib o) {
            logged("%d", p);    // VARIADIC
            lib_take(o);        // BYVALUE
        }
        int g(void) { return lib_make()->y; }   // RESULT
        """
        try expectExcluded(src, "pair", "ALIAS-3", at: "// VARIADIC")
        try expectExcluded(src, "opaque_lib", "ALIAS-3", at: "// BYVALUE")
        try expectExcluded(src, "made", "ALIAS-3", at: "// RESULT")
    }

    @Test func alias3AllowList() throws {
        let src = """
        #include <stdlib.h>
        #include <string.h>
        struct item { int key; char name[8]; };
        static int cmp(const void *a, const void *b) { return ((const struct item *)a)->key - ((const struct item *)b)->key; }
        struct item *grow(struct item *v, size_t n) { return realloc(v, n * sizeof *v); }
        void dup(struct item *dst, const struct item *src, size_t n) { memcpy(dst, src, n * sizeof *dst); memmove(dst, dst + 1, sizeof *dst); }
        void sort(struct item *v, size_t n) { qsort(v, n, sizeof *v, cmp); }
        struct item *find(struct item *v, size_t n, struct item *k) { return bsearch(k, v, n, sizeof *v, cmp); }
        void clear(struct item *v) { memset(v, 0, sizeof *v); free(v); }
        """
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["item"])
    }

    // MARK: ALIAS-4

    @Test func alias4UnionMember() throws {
        let src = """
        struct ip4 { unsigned char b[4]; };
        struct deep { int x; };
        struct mid { struct deep d[2]; };
        union addr { struct ip4 v4; unsigned int raw; };     // UNION
        union holder { struct mid m; long l; };             // NESTED
        struct tagged { int kind; union { struct ip4 a; int i; } u; };
        unsigned f(union addr *a, union holder *h, struct tagged *t) { return a->raw + (unsigned)h->l + t->kind; }
        """
        try expectExcluded(src, "ip4", "ALIAS-4", at: "// UNION")
        try expectExcluded(src, "mid", "ALIAS-4", at: "// NESTED")
        try expectExcluded(src, "deep", "ALIAS-4", at: "// NESTED")
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["tagged"])  // holds a union, is not in one
    }

    // MARK: ALIAS-5

    @Test func alias5AsmOperand() throws {
        let src = """
        struct regs { long a, b; };
        struct cell { long v; };
        void touch(struct regs *r) {
            __asm__ volatile("" : : "r"(r) : "memory");         // ASMPTR
        }
        void poke(struct cell *c) {
            __asm__ volatile("" : "+m"(*c));                    // ASMMEM
        }
        """
        try expectExcluded(src, "regs", "ALIAS-5", at: "// ASMPTR")
        try expectExcluded(src, "cell", "ALIAS-5", at: "// ASMMEM")
    }

    // MARK: ALIAS-6

    @Test func alias6ExternGlobalDefinedOutside() throws {
        let src = """
        struct config { int port; };
        struct state { int n; };
        extern struct config lib_config;     // EXTERN
        extern struct state *lib_state;      // EXTPTR
        int f(void) { return lib_config.port + lib_state->n; }
        """
        try expectExcluded(src, "config", "ALIAS-6", at: "// EXTERN")
        try expectExcluded(src, "state", "ALIAS-6", at: "// EXTPTR")
    }

    // MARK: ALIAS-8

    @Test func alias8ExportedInterfaceOfAProgramThatLoadsCode() throws {
        let src = """
        #include <dlfcn.h>
        struct reg { const char *name; int value; };
        struct box { struct reg inner; int n; };
        struct priv { int x; };
        void register_all(const struct reg *r) { (void)r; }    // EXPORTED
        struct box *make_box(void) { return 0; }                // RESULT
        static void helper(struct priv *p) { p->x = 1; }
        int main(void) { struct priv q; helper(&q); return dlopen("x.so", RTLD_NOW) ? q.x : 0; }
        """
        try expectExcluded(src, "reg", "ALIAS-8", at: "// EXPORTED")
        try expectExcluded(src, "box", "ALIAS-8", at: "// RESULT")
        // A static function is not the interface; without dlopen nothing is.
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["priv"])
        let (p2, d2) = try decide(src.replacingOccurrences(of: "dlopen(\"x.so\", RTLD_NOW)", with: "q.x"))
        try expectWrapped(p2, d2, ["reg", "box", "priv"])
    }

    // MARK: Wrapped

    @Test func ownPointersOnlyIsWrapped() throws {
        let src = """
        #include <stdlib.h>
        #include <string.h>
        struct point { int x, y; };
        struct shape { struct point corners[4]; struct point *extra; int n; };
        struct registry { struct shape *shapes[8]; struct point origin; };
        static struct point table[3] = { {1, 2}, {3, 4} };
        struct registry reg;
        static void *stash;
        struct shape *mk(void) {
            struct shape *s = malloc(sizeof(struct shape));
            memset(s, 0, sizeof *s);
            s->extra = calloc(1, sizeof *s->extra);
            s->corners[0] = table[1];
            stash = s;
            struct shape *back = (struct shape *)stash;
            reg.shapes[0] = back;
            reg.origin = s->corners[0];
            return back;
        }
        int area(const struct shape *s) { return (s->corners[2].x - s->corners[0].x) * s->extra->y; }
        void drop(struct shape *s) { free(s->extra); free(s); }
        """
        let (p, d) = try decide(src)
        try expectWrapped(p, d, ["point", "shape", "registry"])
        #expect(d.excluded.isEmpty, "\(d.excluded)")
    }

    @Test func systemHeaderStructsAreNotCandidates() throws {
        let src = """
        #include <netinet/in.h>
        #include <poll.h>
        #include <string.h>
        #include <sys/socket.h>
        struct listener { int fd; struct pollfd pfd; };
        int bindit(struct listener *l) {
            struct sockaddr_in sa;
            memset(&sa, 0, sizeof sa);
            sa.sin_family = AF_INET;
            l->pfd.fd = l->fd;
            return bind(l->fd, (struct sockaddr *)&sa, sizeof sa) + poll(&l->pfd, 1, 0);
        }
        """
        let (p, d) = try decide(src)
        for tag in ["sockaddr_in", "pollfd", "sockaddr"] {
            for r in p.records where r.tag == tag {
                #expect(!d.wrapped.contains(r.id) && d.excluded[r.id] == nil, "struct \(tag) is a candidate")
            }
        }
        // The program's own struct holds a pollfd by value and passes &l->pfd to poll: the
        // pollfd's bytes are exposed, the listener's are not.
        try expectWrapped(p, d, ["listener"])
        #expect(!AliasAnalysis.explain(d, in: p).contains("sockaddr_in"))
    }

    @Test func explainReport() throws {
        let src = """
        struct good { int a; };
        struct bad { int a; };
        union u { int i; float f; };
        struct fwd;
        char *peek(struct bad *b, struct good *g, union u *x, struct fwd *f) { (void)g; (void)x; (void)f; return (char *)b; }
        """
        let (p, d) = try decide(src)
        let text = AliasAnalysis.explain(d, in: p)
        #expect(text.contains("struct good (") && text.contains("): wrapped"))
        #expect(text.contains("struct bad (") && text.contains("): not wrapped"))
        #expect(text.contains(":5:") && text.contains("note: struct bad is not wrapped") && text.contains("[ALIAS-2]"))
        #expect(text.contains("union u (") && text.contains("a union is not wrapped"))
        #expect(text.contains("struct fwd (") && text.contains("incomplete"))
    }

    // MARK: The kvstore servers

    /// The server as its Makefile builds it: every .c file but transformers.c
    /// (compiled only by the patch tool), lowered and merged.
    static func kvstore(_ version: String) throws -> Program {
        let dir = repo + "/examples/kvstore/" + version
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { $0.hasSuffix(".c") && $0 != "transformers.c" }.sorted()
        let units = try files.map { try Frontend.lower(file: dir + "/" + $0, arguments: ["-I", dir]) }
        return try Merge.merge(units)
    }

    /// Every candidate's tag → wrapped.
    static func verdicts(_ version: String) throws -> (Program, WrappingDecision, [String: Bool]) {
        let p = try kvstore(version)
        let d = AliasAnalysis.analyze(p)
        var v: [String: Bool] = [:]
        for r in p.records where AliasAnalysis.candidacy(r) == nil { v[r.tag] = d.wrapped.contains(r.id) }
        return (p, d, v)
    }

    /// The expected verdict of every candidate struct of each version.
    static func expected(_ version: String) -> [String: Bool] {
        var extra: [String] = []
        switch version {
        case "v3": extra = ["table"]
        case "v4", "v5": extra = ["table", "stats"]
        default: break
        }
        var v: [String: Bool] = [:]
        for tag in ["entry", "dict", "conn", "buffer", "server", "command"] + extra { v[tag] = true }
        // v5: struct sds_value { size_t len; char data[]; } has a flexible array member: wrapped (REP-8).
        if version == "v5" { v["sds_value"] = true }
        return v
    }

    @Test(arguments: ["v1", "v2", "v3", "v4", "v5"])
    func kvstoreServers(version: String) throws {
        let (p, d, v) = try Self.verdicts(version)
        let report = AliasAnalysis.explain(d, in: p)
        #expect(v == Self.expected(version), "\(version):\n\(report)")
        if version == "v5" {
            let r = try record(p, "sds_value")
            #expect(d.excluded[r] == nil, "\(report)")
        }
    }

    // MARK: Coverage

    @Test func everyRuleIsCitedAndTested() throws {
        let spec = try String(contentsOfFile: Self.repo + "/Specs/alias.md", encoding: .utf8)
        let re = try NSRegularExpression(pattern: "^### (ALIAS-[0-9]+)", options: .anchorsMatchLines)
        let rules = re.matches(in: spec, range: NSRange(spec.startIndex..., in: spec)).map { String(spec[Range($0.range(at: 1), in: spec)!]) }
        #expect(rules.count >= 5)
        let code = try String(contentsOfFile: Self.repo + "/Sources/Checker/Alias.swift", encoding: .utf8)
        let tests = try String(contentsOfFile: #filePath, encoding: .utf8)
        for r in rules {
            #expect(code.contains(r + ":") || code.contains(r + " "), "\(r) is not cited in Sources/Checker/Alias.swift")
            #expect(tests.contains("\"\(r)\""), "\(r) has no test naming it")
        }
    }
}
