// Continuation extraction (Sources/Instrument/ContinuationExtraction.swift,
// UPD-8): the code after a call into the stack becomes its own function;
// the program behaves as before, and Δ at the point no longer holds what
// only that code uses.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen

@Suite("ContinuationExtraction")
struct ContinuationExtractionTests {
    /// Lowers `source`, runs both extractions, verifies, and runs the
    /// original and the extracted program: same output, same exit status.
    static func extractAndRun(_ source: String) throws -> (original: Program, extracted: Program, diags: [Diagnostic], out: ProcessResult) {
        let (p, dir) = try lower(source, flags: ["-I" + LoopExtractionTests.repo + "/Sources/Runtime/include"])
        let (q, diags) = Instrumentation.extracted(p)
        let problems = Verifier.verify(q)
        #expect(problems.isEmpty, "\(problems)")
        let support = dir + "/point.c"
        try "void graft_update_point(void) {}\n".write(toFile: support, atomically: true, encoding: .utf8)
        let before = try LoopExtractionTests.compileAndRun(p, dir: dir, name: "before", extra: [support])
        let after = try LoopExtractionTests.compileAndRun(q, dir: dir, name: "after", extra: [support])
        #expect(before.status == after.status)
        #expect(before.stdout == after.stdout, "before:\n\(before.stdout)\nafter:\n\(after.stdout)")
        return (p, q, diags, after)
    }

    /// The record identities in Δ at every point of `p` as the updatable build runs it (`extract`: the passes).
    static func deltaTypes(_ p: Program, extract: (Program) -> Program = { Instrumentation.extracted($0).0 }) -> Set<String> {
        let points = Updatable.instrument(p).1.points
        let d = Updatability.deltas(extract(p), points: points)
        return d.values.reduce(into: Set<String>()) { $0.formUnion($1.types) }
    }

    static let session = """
    #include <stdio.h>
    #include "graft.h"
    struct session { int fd; int count; };
    static int serve(void) {
        for (int i = 0;; i++) {
            graft_update_point();
            if (i == 3) return i;
        }
    }
    static int run_session(struct session *s) { printf("%d %d\\n", s->fd, s->count); return s->count; }
    int main(void) {
        struct session s = { 7, 0 };
        s.count = serve();
        if (run_session(&s) != 3) return 2;
        printf("done\\n");
    }
    """

    @Test("[UPD-8] main's code after the accept loop is a function of its own: same output, and struct session leaves Δ")
    func mainAfterLoop() throws {
        let r = try Self.extractAndRun(Self.session)
        #expect(r.out.stdout == "7 3\ndone\n")
        #expect(r.diags.isEmpty, "\(r.diags)")
        let cont = try #require(r.extracted.functions.first { $0.identity.hasSuffix("main#cont1:serve") })
        #expect(cont.name == "main__graft_cont_serve1")
        // F's variables by name (temporaries last), by address.
        let params = cont.params.map { cont.locals[$0.index] }
        #expect(params.first?.sourceName == "s")
        #expect(params.allSatisfy { if case .pointer = $0.type { return true } else { return false } })
        // main's residue: the call, then the continuation's result handed on.
        let main = try #require(r.extracted.functions.first { $0.name == "main" })
        var calls: [String] = []
        Walk.instructions(in: main.body!) { i in
            if case .call(_, .direct(let f), _, _) = i { calls.append(r.extracted.functions[f.index].name) }
        }
        #expect(calls == ["serve", "main__graft_cont_serve1"])
        // Δ: with loop extraction alone the session is in it (its fields are written after the call); with UPD-8 not.
        let only = Self.deltaTypes(r.original) { LoopExtraction.extract($0).0 }
        #expect(only.contains { $0.contains("session") }, "\(only)")
        let both = Self.deltaTypes(r.original)
        #expect(!both.contains { $0.contains("session") }, "\(both)")
    }

    @Test("[UPD-8] a continuation that calls into the stack again is split in turn; returns inside it are main's")
    func splitInTurn() throws {
        let r = try Self.extractAndRun("""
        #include <stdio.h>
        #include "graft.h"
        struct conn { int id; long bytes; };
        static int loop(int n) {
            for (int i = 0;; i++) { graft_update_point(); if (i == n) return i; }
        }
        int main(int argc, char **argv) {
            struct conn c = { 1, 0 };
            int k = loop(2);
            c.bytes += k;
            {
                int again = loop(4);
                c.bytes += again;
                if (argc > 5) return 9;
            }
            printf("%d %ld %s\\n", c.id, c.bytes, argv[0] ? "ok" : "no");
            return (int)c.bytes;
        }
        """)
        #expect(r.out.stdout == "1 6 ok\n")
        #expect(r.out.status == 6)
        let ids = Set(r.extracted.functions.map(\.identity).filter { $0.contains("#cont") })
        // Each named by the call it follows, from main: the first and the second call of loop.
        #expect(ids.count == 2 && ids.contains { $0.hasSuffix("main#cont1:loop") } && ids.contains { $0.hasSuffix("main#cont2:loop") }, "\(ids)")
        #expect(!Self.deltaTypes(r.original).contains { $0.contains("conn") })
    }

    @Test("[UPD-8] code after the call that cannot be moved (a goto) stays, with a warning, and keeps its types in Δ")
    func gotoStays() throws {
        let r = try Self.extractAndRun("""
        #include <stdio.h>
        #include "graft.h"
        struct session { int fd; int count; };
        static int serve(void) { for (int i = 0;; i++) { graft_update_point(); if (i == 2) return i; } }
        int main(void) {
            struct session s = { 7, 0 };
            s.count = serve();
            if (s.count > 100) goto out;
            printf("%d\\n", s.count);
        out:
            return 0;
        }
        """)
        #expect(r.out.stdout == "2\n")
        #expect(!r.extracted.functions.contains { $0.identity.contains("#cont") })
        #expect(r.diags.contains { $0.rule == "UPD-8" && $0.message.contains("goto") }, "\(r.diags)")
        #expect(Self.deltaTypes(r.original).contains { $0.contains("session") })
    }

    @Test("[UPD-8] a void function's continuation, a point at the top level followed by code, and a call nested in a block")
    func voidAndTopLevelPoint() throws {
        let r = try Self.extractAndRun("""
        #include <stdio.h>
        #include "graft.h"
        struct stats { int seen; };
        static struct stats *g;
        static void step(struct stats *st) {
            st->seen++;
            graft_update_point();
            printf("seen %d\\n", st->seen);
        }
        static void run(void) {
            struct stats mine = { 0 };
            g = &mine;
            { step(&mine); step(&mine); }
            printf("run %d\\n", mine.seen);
        }
        int main(void) { run(); printf("g %s\\n", g ? "set" : "null"); return 0; }
        """)
        #expect(r.out.stdout == "seen 1\nseen 2\nrun 2\ng set\n")
        let ids = Set(r.extracted.functions.map(\.identity).filter { $0.contains("#cont") })
        // step after its point, run after its first call of step (and that continuation after the second).
        #expect(ids.contains { $0.hasSuffix("step#cont1:graft_update_point") } && ids.contains { $0.hasSuffix("run#cont1:step") }
                && ids.contains { $0.hasSuffix("run#cont2:step") }, "\(ids)")
        #expect(!Self.deltaTypes(r.original).contains { $0.contains("stats") }, "\(Self.deltaTypes(r.original))")
    }

    @Test("[UPD-2] Δ ends at a return that follows the point in its block; a break before it does not end it")
    func deltaEndsAtReturn() throws {
        // LoopExtraction alone: this is Updatability's continuation, not the pass.
        let (p, _) = try lower("""
        #include "graft.h"
        struct a { int x; };
        struct b { int y; };
        struct a ga; struct b gb;
        void f(int n) {
            for (;;) {
                if (n) { graft_update_point(); return; }
                ga.x++;
                if (n > 1) break;
            }
        }
        void g(int n) {
            for (;;) {
                if (n) { graft_update_point(); if (n > 2) break; return; }
                if (n > 3) continue;
            }
            gb.y++;
        }
        int main(void) { f(1); g(1); return 0; }
        """, flags: ["-I" + LoopExtractionTests.repo + "/Sources/Runtime/include"])
        let points = Updatable.instrument(p).1.points
        let d = Updatability.deltas(LoopExtraction.extract(p).0, points: points)
        let inF = points.first { $0.function.hasSuffix("f") }!, inG = points.first { $0.function.hasSuffix("g") }!
        // In f the point is followed by a return: the loop does not come round from it.
        #expect(d[inF.id]?.types.isEmpty == true && d[inF.id]?.globals.isEmpty == true, "\(String(describing: d[inF.id]))")
        // In g a break may leave first: what follows the loop still runs.
        #expect((d[inG.id]?.globals ?? []).contains { $0.contains("gb") }, "\(d[inG.id]?.globals ?? [])")
    }
}
