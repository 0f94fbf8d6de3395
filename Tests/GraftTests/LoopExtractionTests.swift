// Loop-body extraction (Sources/Instrument/LoopExtraction.swift): each marked
// loop's body becomes its own function; the program behaves as before.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen

@Suite("LoopExtraction")
struct LoopExtractionTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// gcc flags: pointer-type mistakes in the emitted C are errors.
    static let cflags = ["-O1", "-Werror=incompatible-pointer-types", "-Werror=int-conversion", "-Werror=discarded-qualifiers"]

    struct Outcome {
        var original: Program
        var extracted: Program
        var diags: [Diagnostic]
        var before: ProcessResult
        var after: ProcessResult
    }

    /// Compiles `program` (emitted C) with `extra` C files and runs it.
    static func compileAndRun(_ program: Program, dir: String, name: String, extra: [String] = []) throws -> ProcessResult {
        let c = CEmitter(program: program).emit()
        let file = dir + "/" + name + ".c"
        try c.write(toFile: file, atomically: true, encoding: .utf8)
        let cc = try run("/usr/bin/gcc", cflags + [file] + extra + ["-o", dir + "/" + name, "-lm"])
        if cc.status != 0 {
            throw Diagnostics([Diagnostic(.error, SourceLoc(file: file, line: 0, column: 0), "emitted C does not compile:\n" + cc.stderr)])
        }
        return try run(dir + "/" + name, [])
    }

    /// Lowers `source`, extracts, verifies, and runs both the original and
    /// the extracted program. `support` is C linked into both (as its own file).
    static func extractAndRun(_ source: String, support: String? = nil) throws -> Outcome {
        let (p, dir) = try lower(source)
        #expect(Verifier.verify(p).isEmpty, "\(Verifier.verify(p))")
        let (q, diags) = LoopExtraction.extract(p)
        let problems = Verifier.verify(q)
        #expect(problems.isEmpty, "\(problems)")
        var extra: [String] = []
        if let support {
            try support.write(toFile: dir + "/support.c", atomically: true, encoding: .utf8)
            extra.append(dir + "/support.c")
        }
        let before = try compileAndRun(p, dir: dir, name: "before", extra: extra)
        let after = try compileAndRun(q, dir: dir, name: "after", extra: extra)
        #expect(before.status == after.status)
        #expect(before.stdout == after.stdout, "before:\n\(before.stdout)\nafter:\n\(after.stdout)")
        return Outcome(original: p, extracted: q, diags: diags, before: before, after: after)
    }

    static func function(_ p: Program, _ name: String) -> Function? { p.functions.first { $0.name == name } }

    /// The loops of `s`, outermost first.
    static func loops(_ s: Stmt) -> [Stmt] {
        switch s {
        case .loop(let b, let n, _): return [s] + loops(b) + (n.map(loops) ?? [])
        case .block(let ss): return ss.flatMap(loops)
        case .if(_, let t, let e, _): return loops(t) + (e.map(loops) ?? [])
        case .switch(_, let b, _): return loops(b)
        default: return []
        }
    }

    /// The direct callees in `s` (through every statement).
    static func callees(_ s: Stmt, _ p: Program) -> [String] {
        var out: [String] = []
        _ = Walk.mapInstructions(s) { i in
            if case .call(_, .direct(let id), _, _) = i { out.append(p[id].name) }
            return i
        }
        return out
    }

    static func contains(_ s: Stmt, _ pred: (Stmt) -> Bool) -> Bool {
        if pred(s) { return true }
        switch s {
        case .block(let ss): return ss.contains { contains($0, pred) }
        case .if(_, let t, let e, _): return contains(t, pred) || (e.map { contains($0, pred) } ?? false)
        case .loop(let b, let n, _): return contains(b, pred) || (n.map { contains($0, pred) } ?? false)
        case .switch(_, let b, _): return contains(b, pred)
        default: return false
        }
    }

    /// Checks that `fname`'s first loop now calls `fname__graft_loop<k>` right after the update point.
    static func expectExtracted(_ o: Outcome, _ fname: String, k: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let q = o.extracted
        let f = try #require(function(q, fname), sourceLocation: sourceLocation)
        let g = try #require(function(q, "\(fname)__graft_loop\(k)"), "no \(fname)__graft_loop\(k)", sourceLocation: sourceLocation)
        #expect(g.identity == "\(f.identity)#loop\(k)", sourceLocation: sourceLocation)
        #expect(g.storage == .static && !g.isInline, sourceLocation: sourceLocation)
        #expect(g.type.result == .int, sourceLocation: sourceLocation)
        #expect(q.functions.indices.allSatisfy { q.functions[$0].id.index == $0 }, sourceLocation: sourceLocation)
        // Declared before its caller in the program order.
        let gi = try #require(q.order.firstIndex(of: .function(g.id)), sourceLocation: sourceLocation)
        let fi = try #require(q.order.firstIndex(of: .function(f.id)), sourceLocation: sourceLocation)
        #expect(gi < fi, sourceLocation: sourceLocation)
        // The update point stays in F; the extracted body has none and calls nothing named like the marker.
        let loop = try #require(loops(f.body!).first { l in
            guard case .loop(let b, _, _) = l else { return false }
            return callees(b, q).contains(g.name)
        }, "\(fname) has no loop calling \(g.name)", sourceLocation: sourceLocation)
        guard case .loop(let b, _, _) = loop else { return }
        let calls = callees(b, q)
        #expect(calls.firstIndex(of: Updatable.updatePointFunction).map { $0 < calls.firstIndex(of: g.name)! } == true,
                sourceLocation: sourceLocation)
    }

    // MARK: while

    static let whileProgram = """
    #include <stdio.h>
    void graft_update_point(void);
    int points;
    void graft_update_point(void) { points++; }

    /* Locals outside and inside, break, continue, return value, a nested
     * loop with its own break/continue, a switch with break and continue. */
    static int work(int n, int limit, int *log) {
        int total = 0;
        int i = 0;
        while (i < n) {
            graft_update_point();
            int sq = i * i;
            i++;
            if (i % 7 == 0)
                continue;
            for (int j = 0; j < i; j++) {
                if (j == 4)
                    break;
                if (j % 2)
                    continue;
                total += j;
            }
            switch (i % 5) {
            case 0:
                total += 100;
                break;
            case 1:
                *log += 1000;
                continue;
            case 2:
                if (total > limit)
                    return -total;
                break;
            default:
                total += sq;
            }
            *log += 1;
            if (total > 3 * limit)
                break;
        }
        return total;
    }

    static void count(int n, int stop_at, int *out) {
        int k = 0;
        while (1) {
            graft_update_point();
            if (k == stop_at)
                return;
            if (k >= n)
                break;
            k++;
        }
        *out = k;
    }

    int main(void) {
        int log = 0, out = -1;
        printf("%d\\n", work(10, 100000, &log));
        printf("%d\\n", work(100, 300, &log));
        printf("%d\\n", work(100, 100000, &log));
        printf("%d\\n", work(1000, 2000, &log));
        count(5, 99, &out);
        printf("out=%d\\n", out);
        out = -1;
        count(5, 3, &out);
        printf("out=%d log=%d points=%d\\n", out, log, points);
        return 0;
    }
    """

    @Test("a while loop: locals, break, continue, return, nested loop, switch")
    func whileLoop() throws {
        let o = try Self.extractAndRun(Self.whileProgram)
        #expect(o.diags.isEmpty, "\(o.diags)")
        #expect(o.after.stdout.contains("points="))
        try Self.expectExtracted(o, "work")
        try Self.expectExtracted(o, "count")
        let q = o.extracted
        let g = try #require(Self.function(q, "work__graft_loop1"))
        // Parameters: i, limit, log, total (by name, all pointers: UPD-3) and the return slot;
        // n is only used by the loop condition, which stays in F.
        #expect(g.params.map { g.locals[$0.index].name } == ["p_i", "p_limit", "p_log", "p_total", "graft_ret"], "\(g.locals.map(\.name))")
        #expect(g.params.allSatisfy { q.isPointer(g.locals[$0.index].type) })
        // sq and j moved in.
        #expect(g.locals.contains { $0.name == "sq" && !$0.isParam })
        #expect(g.locals.contains { $0.name == "j" && !$0.isParam })
        // ...and are gone from F, whose remaining locals are renumbered densely.
        let work = try #require(Self.function(q, "work"))
        #expect(!work.locals.contains { $0.name == "sq" || $0.name == "j" })
        #expect(work.locals.indices.allSatisfy { work.locals[$0].id.index == $0 })
        // The nested loop keeps its own break/continue; the body returns statuses.
        #expect(Self.contains(g.body!) { if case .return(.const(.int(2), _)?, _) = $0 { return true }; return false })
        #expect(Self.contains(g.body!) { if case .return(.const(.int(1), _)?, _) = $0 { return true }; return false })
        #expect(Self.contains(g.body!) { if case .continue = $0 { return true }; return false })
        // count is void: no return slot.
        let h = try #require(Self.function(q, "count__graft_loop1"))
        #expect(h.params.count == 3)
        let count = try #require(Self.function(q, "count"))
        #expect(Self.contains(count.body!) { if case .return(nil, _) = $0 { return true }; return false })
    }

    // MARK: for and do/while

    static let forDoProgram = """
    #include <stdio.h>
    void graft_update_point(void);
    int points;
    void graft_update_point(void) { points++; }

    int sum_for(int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            graft_update_point();
            if (i == 2)
                continue;
            if (i == 40)
                break;
            s += i;
        }
        return s;
    }

    int sum_do(int n) {
        int s = 0, i = 0;
        do {
            graft_update_point();
            s += i * 3;
            if (s > 500)
                break;
            if (i == 1)
                continue;
            s++;
        } while (++i < n);
        return s * 10 + i;
    }

    int main(void) {
        printf("%d %d %d\\n", sum_for(10), sum_for(100), sum_for(0));
        printf("%d %d %d\\n", sum_do(10), sum_do(100), sum_do(0));
        printf("points=%d\\n", points);
        return 0;
    }
    """

    @Test("a for loop keeps its increment in F; a do/while keeps its condition in F")
    func forAndDoWhile() throws {
        let o = try Self.extractAndRun(Self.forDoProgram)
        #expect(o.diags.isEmpty, "\(o.diags)")
        try Self.expectExtracted(o, "sum_for")
        try Self.expectExtracted(o, "sum_do")
        for name in ["sum_for", "sum_do"] {
            let before = try #require(Self.loops(Self.function(o.original, name)!.body!).first)
            let after = try #require(Self.loops(Self.function(o.extracted, name)!.body!).first)
            guard case .loop(_, let n0, _) = before, case .loop(_, let n1, _) = after else { continue }
            #expect(n0 != nil && n0 == n1, "\(name): next must stay in F unchanged")
        }
        #expect(o.after.stdout.hasPrefix("43 778 0\n"), "\(o.after.stdout)")
    }

    // MARK: address-taken, struct and array locals

    static let aggregateProgram = """
    #include <stdio.h>
    void graft_update_point(void);
    int points;
    void graft_update_point(void) { points++; }

    struct P { int x, y; int a[3]; };
    static void bump(int *p) { *p += 3; }

    int main(void) {
        struct P p = {1, 2, {3, 4, 5}};
        int arr[4] = {0};
        int v = 0;
        int *pv = &v;
        int k = 0;
        const int step = 2;
        while (k < 6) {
            graft_update_point();
            p.x += k;
            p.a[k % 3] += p.y;
            arr[k % 4] += k * step;
            int *q = &v;
            *q += 1;
            *pv += 2;
            struct P copy = p;
            bump(&p.y);
            bump(&copy.x);
            int *e = arr;
            e[0] += copy.x;
            k++;
        }
        printf("%d %d %d %d %d\\n", p.x, p.y, p.a[0], p.a[1], p.a[2]);
        printf("%d %d %d %d v=%d k=%d points=%d\\n", arr[0], arr[1], arr[2], arr[3], v, k, points);
        return 0;
    }
    """

    @Test("address-taken, struct and array outer locals are reached through pointers")
    func aggregates() throws {
        let o = try Self.extractAndRun(Self.aggregateProgram)
        #expect(o.diags.isEmpty, "\(o.diags)")
        try Self.expectExtracted(o, "main")
        let q = o.extracted
        let g = try #require(Self.function(q, "main__graft_loop1"))
        let types = g.params.map { q.unroll(g.locals[$0.index].type) }
        #expect(types.contains { if case .pointer(let t) = $0, q.isRecord(t) { return true }; return false })
        #expect(types.contains { if case .pointer(let t) = $0, case .array = q.unroll(t) { return true }; return false })
        // No local of F is named in the body: every use goes through a parameter or a moved local.
        #expect(g.locals.contains { $0.name == "copy" && !$0.isParam })
    }

    // MARK: condition with side effects, struct result, register local

    static let miscProgram = """
    #include <stdio.h>
    void graft_update_point(void);
    int points;
    void graft_update_point(void) { points++; }

    struct R { int a; double b; };
    static int calls;
    static int more(int k) { calls++; return k < 8; }

    static struct R find(int want) {
        register int k = 0;
        struct R none = {-1, 0.5};
        while (more(k) && k != 99) {
            graft_update_point();
            if (k * k == want) {
                struct R r = {k, k / 2.0};
                return r;
            }
            k++;
        }
        return none;
    }

    int main(void) {
        struct R r1 = find(25), r2 = find(26);
        printf("%d %.1f %d %.1f calls=%d points=%d\\n", r1.a, r1.b, r2.a, r2.b, calls, points);
        return 0;
    }
    """

    @Test("a condition with side effects stays in F; a struct result comes back through the return slot; a register local is passed by address")
    func conditionStructRegister() throws {
        let o = try Self.extractAndRun(Self.miscProgram)
        #expect(o.diags.isEmpty, "\(o.diags)")
        #expect(o.after.stdout == "5 2.5 -1 0.5 calls=15 points=14\n", "\(o.after.stdout)")
        try Self.expectExtracted(o, "find")
        let g = try #require(Self.function(o.extracted, "find__graft_loop1"))
        #expect(!Self.callees(g.body!, o.extracted).contains("more"))
        let ret = try #require(g.params.last.map { g.locals[$0.index] })
        #expect(ret.type == .pointer(Self.function(o.extracted, "find")!.type.result))
    }

    // MARK: declaration-only marker, nested marked loops

    static let declaredProgram = """
    #include <stdio.h>
    void graft_update_point(void);
    extern int points;

    int main(void) {
        int total = 0;
        for (int i = 0; i < 4; i++) {
            graft_update_point();
            for (int j = 0; j < 3; j++) {
                graft_update_point();
                total += i * j;
            }
        }
        int n = 0;
        while (n < 3) {
            graft_update_point();
            n++;
        }
        printf("%d %d points=%d\\n", total, n, points);
        return 0;
    }
    """

    @Test("a declared (not defined) graft_update_point marks a loop; nested marked loops: the outermost is extracted")
    func declaredMarkerAndNesting() throws {
        let o = try Self.extractAndRun(Self.declaredProgram, support: "int points;\nvoid graft_update_point(void) { points++; }\n")
        #expect(o.diags.isEmpty, "\(o.diags)")
        #expect(o.after.stdout == "18 3 points=\(4 + 12 + 3)\n")
        try Self.expectExtracted(o, "main", k: 1)
        try Self.expectExtracted(o, "main", k: 2)
        #expect(Self.function(o.extracted, "main__graft_loop3") == nil)
        // The inner marked loop stays in loop1's body, with its update point.
        let g = try #require(Self.function(o.extracted, "main__graft_loop1"))
        #expect(Self.loops(g.body!).count == 1)
        #expect(Self.callees(g.body!, o.extracted).contains(Updatable.updatePointFunction))
    }

    @Test("an unmarked loop is left alone")
    func unmarked() throws {
        let (p, _) = try lower("""
        void graft_update_point(void);
        int f(int n) { int s = 0; while (n--) { s += n; graft_update_point(); } return s; }
        """)
        let (q, diags) = LoopExtraction.extract(p)
        #expect(diags.isEmpty)
        #expect(q == p)
    }

    // MARK: not extracted

    @Test("a loop with a goto is not extracted: warning UPD-3 at the loop")
    func gotoNotExtracted() throws {
        let source = """
        #include <stdio.h>
        void graft_update_point(void);
        void graft_update_point(void) {}
        int main(void) {
            int i = 0, s = 0;
            while (i < 10) {
                graft_update_point();
                i++;
                if (i == 5) goto skip;
                s += i;
            skip:;
            }
            printf("%d\\n", s);
            return 0;
        }
        """
        let o = try Self.extractAndRun(source)
        #expect(o.after.stdout == "50\n")
        #expect(o.extracted == o.original)
        let d = try #require(o.diags.first)
        #expect(o.diags.count == 1)
        #expect(d.severity == .warning)
        #expect(d.rule == "UPD-3")
        #expect(d.message.contains("goto"), "\(d.message)")
        #expect(d.loc.line == 6, "\(d.loc)")
        #expect(d.loc.file.hasSuffix("t.c"))
    }

    @Test("other bodies that are not extracted, each with its reason",
          arguments: [
            ("int f(int n) { int s = 0; while (1) { graft_update_point(); int a[n]; a[0] = s; s += a[0] + 1; if (s > 9) break; } return s; }",
             "variable-length array"),
            ("int f(int n, ...) { __builtin_va_list ap; __builtin_va_start(ap, n); int s = 0; while (n-- > 0) { graft_update_point(); s += __builtin_va_arg(ap, int); } __builtin_va_end(ap); return s; }",
             "variable arguments"),
            ("int f(int n) { int s = 0; while (n-- > 0) { graft_update_point(); void *p = &&out; goto *p; out: s++; } return s; }",
             "label"),
            ("int f(int n) { int s = 0; switch (n) { case 0: while (s < 3) { graft_update_point(); s++; case 1: s += 2; } } return s; }",
             "case label"),
            ("int f(int n) { char *p = 0; while (n-- > 0) { graft_update_point(); p = __builtin_alloca(8); } return p != 0; }",
             "alloca"),
          ])
    func notExtracted(body: String, reason: String) throws {
        let (p, _) = try lower("void graft_update_point(void);\n" + body)
        let (q, diags) = LoopExtraction.extract(p)
        #expect(q == p)
        #expect(diags.count == 1, "\(diags)")
        #expect(diags.allSatisfy { $0.rule == "UPD-3" && $0.severity == .warning && $0.message.contains(reason) }, "\(diags)")
    }

    // MARK: the real server

    @Test("kvstore's event loop is extracted, verifies, and compiles")
    func kvstore() throws {
        let dir = Self.repo + "/examples/kvstore/v1"
        let (p, tmp) = try lower(try String(contentsOfFile: dir + "/main.c", encoding: .utf8), name: "main.c",
                                 flags: ["-I", dir, "-I", Self.repo + "/Sources/Runtime/include"])
        let (q, diags) = LoopExtraction.extract(p)
        #expect(diags.isEmpty, "\(diags)")
        let problems = Verifier.verify(q)
        #expect(problems.isEmpty, "\(problems)")
        let loop = try #require(Self.function(q, "event_loop__graft_loop1"))
        let f = try #require(Self.function(q, "event_loop"))
        #expect(loop.identity == f.identity + "#loop1")
        #expect(Self.callees(f.body!, q).contains(loop.name))
        #expect(Self.callees(f.body!, q).contains(Updatable.updatePointFunction))
        #expect(!Self.callees(loop.body!, q).contains(Updatable.updatePointFunction))
        #expect(q.functions.count == p.functions.count + 1)
        let c = CEmitter(program: q).emit()
        let file = tmp + "/extracted.c"
        try c.write(toFile: file, atomically: true, encoding: .utf8)
        let cc = try run("/usr/bin/gcc", Self.cflags + ["-c", file, "-o", tmp + "/extracted.o"])
        #expect(cc.status == 0, "\(cc.stderr)")
        // And it still builds as an updatable program on top.
        let (u, manifest) = Updatable.instrument(q)
        #expect(Verifier.verify(u).isEmpty)
        #expect(manifest.slots.keys.contains { $0.hasSuffix("#loop1") })
        #expect(manifest.points.contains { $0.function == f.identity })
    }
}
