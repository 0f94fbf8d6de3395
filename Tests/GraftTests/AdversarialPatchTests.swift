// Adversarial patches for issue 7 class B, items 4, 5, 11 and 12: patches
// that slipped past graft and changed a running program's state without a
// word — a loop body matched to its frame by parameter types (UPD-3), a
// typedef compared by name (PATCH-1), an enum renumbered under stored
// values (PATCH-8), a static whose identity changed with its file
// (PATCH-1). Each class has plan-level tests (PatchBuilder.plan on lowered
// C: what is accepted and what is refused, with the rule and the names)
// and live ones: self-checking programs under Fixtures/adversarial/patch/
// built by `graft cc`, patched by `graft patch`, applied by `graft apply`
// to a running v1. A v2 line says "v2 ok …" when the state it continues is
// right, "v2 WRONG …" otherwise.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen
import Frontend

@Suite("Adversarial patches: loop variables, typedefs, enums, statics across files (issue 7 class B)", .serialized)
struct AdversarialPatchTests {
    typealias Live = LiveUpdateTests
    static let fixtures = Live.repo + "/Tests/GraftTests/Fixtures/adversarial/patch/"
    static let pre = "int printf(const char *, ...);\nvoid graft_update_point(void);\n"

    static func plan(_ v1: String, _ v2: String) throws -> PatchPlan {
        PatchBuilder.plan(old: try lower(pre + v1).0, new: try lower(pre + v2).0)
    }

    static func errors(_ p: PatchPlan, _ rule: String) -> [String] {
        p.refusals.filter { $0.rule == rule }.map(\.message)
    }

    // MARK: B4 — the loop body's variables (UPD-3)

    static let loop = """
    int main(void) {
        long lo = 0, hi = 1000000;
        for (;;) {
            graft_update_point();
            lo += 1; hi -= 1;
            printf("%ld %ld\\n", lo, hi);
        }
    }
    """

    @Test("UPD-3: reordered declarations keep the loop body's signature; a new variable of the same type, a marked loop inserted before it, or a variable retyped through a typedef, do not")
    func loopVariables() throws {
        // Reordered: the body takes lo and hi by name, whatever the order of their declarations.
        let reordered = try Self.plan(Self.loop, Self.loop.replacingOccurrences(of: "long lo = 0, hi = 1000000;", with: "long hi = 1000000, lo = 0;"))
        #expect(!reordered.signatureChanges.contains("main#loop1"))
        #expect(reordered.admissiblePoints == [1], "\(reordered.verdicts)")

        // The body stops using hi and uses a new variable seen, also a long: refused, with the names.
        let aliased = try Self.plan(Self.loop, Self.loop
            .replacingOccurrences(of: "long lo = 0, hi = 1000000;", with: "long lo = 0, hi = 1000000, seen = 0;")
            .replacingOccurrences(of: "lo += 1; hi -= 1;", with: "lo += 1; seen += 1;")
            .replacingOccurrences(of: "lo, hi);", with: "lo, seen);"))
        #expect(aliased.signatureChanges.contains("main#loop1"))
        #expect(aliased.admissiblePoints.isEmpty)
        let why = aliased.verdicts.first?.blockers.first
        #expect(why?.rule == "UPD-1" && why!.message.contains("'seen'") && why!.message.contains("'hi'"), "\(String(describing: why))")
        #expect(aliased.verdicts.first?.hints.contains { $0.contains("`static` variable declared in the loop body") } == true)

        // The same, with seen a static declared in the body and hi still used: admissible.
        let kept = try Self.plan(Self.loop, Self.loop.replacingOccurrences(of: "lo += 1; hi -= 1;", with: "static long seen; lo += 1; hi -= 1; seen += 1;"))
        #expect(kept.admissiblePoints == [1], "\(kept.verdicts)")

        // A marked loop inserted before the running one: main#loop1 would be the new loop's body.
        let inserted = try Self.plan(Self.loop, Self.loop.replacingOccurrences(of: "for (;;) {", with: "for (int k = 0; k < 3; k++) { graft_update_point(); lo += 2; }\n    for (;;) {"))
        #expect(inserted.admissiblePoints.isEmpty)
        let m = inserted.verdicts.first?.blockers.first?.message ?? ""
        #expect(m.contains("cannot be matched to a loop of NEW's main") && m.contains("has 1 loop") && m.contains("NEW's has 2") && m.contains("(UPD-3)"), "\(m)")
        #expect(inserted.verdicts.first?.hints.contains { $0.contains("`static` variable") } != true)
        // One appended after it, the running loop unchanged: matched by rank.
        let appended = try Self.plan(Self.loop.replacingOccurrences(of: "for (;;) {", with: "for (int r = 0; r < 9; r++) {"),
                                     Self.loop.replacingOccurrences(of: "for (;;) {", with: "for (int r = 0; r < 9; r++) {")
                                         .replacingOccurrences(of: "    }\n}", with: "    }\n    for (;;) { graft_update_point(); lo += 2; }\n}"))
        #expect(appended.admissiblePoints.contains(1), "\(appended.verdicts)")

        // A variable the body takes, retyped through its typedef: another signature (PATCH-1 sees through).
        let typed = "typedef long num_t;\n" + Self.loop.replacingOccurrences(of: "long lo = 0, hi = 1000000;", with: "num_t lo = 0; long hi = 1000000;")
        let retyped = try Self.plan(typed, typed.replacingOccurrences(of: "typedef long num_t;", with: "typedef int num_t;"))
        #expect(retyped.admissiblePoints.isEmpty)
        #expect(retyped.verdicts.first?.blockers.first?.message.contains("uses main's variable 'lo' at a new type") == true, "\(retyped.verdicts)")
    }

    // MARK: B5 — typedefs seen through (PATCH-1)

    @Test("PATCH-1: fingerprints see through typedefs: a widened typedef changes a global [PATCH-3], a static local, a field [PATCH-2] and a parameter [UPD-1]; an added or spelled-out typedef, or tail[0] for tail[], changes nothing")
    func typedefsSeenThrough() throws {
        let global = "typedef int count_t;\ncount_t ring[2] = { 0, 5 };\nint main(void) { for (;;) { graft_update_point(); ring[0] += 1; } }"
        let g = try Self.plan(global, global.replacingOccurrences(of: "typedef int", with: "typedef long long"))
        #expect(g.replacedGlobals == ["ring"])
        #expect(Self.errors(g, "PATCH-3").contains { $0.contains("count_t[2], that is int[2] → count_t[2], that is long long[2]") }, "\(g.refusals)")

        let local = "typedef int count_t;\nint hits(void) { static count_t n; return ++n; }\nint main(void) { for (;;) { graft_update_point(); hits(); } }"
        let l = try Self.plan(local, local.replacingOccurrences(of: "typedef int", with: "typedef long long"))
        // Written, and int → long long keeps every value: carried over (PATCH-3), not refused.
        #expect(l.replacedGlobals == ["t.c:hits:n"] && l.carriedGlobals == ["t.c:hits:n"] && Self.errors(l, "PATCH-3").isEmpty, "\(l.replacedGlobals) \(l.refusals)")

        // Same layout (padding before owner): the struct changes, the default transformer converts n.
        let field = "typedef int count_t;\nstruct acct { count_t n; long long owner; };\nstatic struct acct a = { 0, 42 };\nint main(void) { for (;;) { graft_update_point(); a.n -= 1; } }"
        let f = try Self.plan(field, field.replacingOccurrences(of: "typedef int", with: "typedef long long"))
        #expect(f.typeChanges.map(\.type) == ["struct acct"] && f.typeChanges.first?.defaulted.contains("n") == true, "\(f.typeChanges) \(f.refusals)")
        #expect(f.refusals.isEmpty, "\(f.refusals)")

        let param = "typedef int count_t;\nstatic long long level;\nstatic void add(count_t d) { level += d; }\nvoid tick(void) { do { level += 0; graft_update_point(); add(-1); } while (0); }\nint main(void) { for (;;) tick(); }"
        let p = try Self.plan(param, param.replacingOccurrences(of: "typedef int", with: "typedef long long"))
        #expect(p.signatureChanges == ["t.c:add"], "\(p.signatureChanges)")
        #expect(p.admissiblePoints.isEmpty && p.decidingRules == ["UPD-1"])

        // Nothing changes: a typedef added elsewhere, a pointer field spelled through its typedef, tail[0] as tail[].
        let base = """
        typedef unsigned char u8;
        struct chunk { unsigned char *data; unsigned len; };
        typedef struct chunk chunk_t;
        struct rec { union { u8 b[4]; int i; } u; chunk_t *in; int n; void *tail[0]; };
        struct rec g, *cur;
        int main(void) { cur = &g; for (;;) { graft_update_point(); cur->n++; } }
        """
        let same = try Self.plan(base, "typedef long extra_t;\n" + base
            .replacingOccurrences(of: "chunk_t *in;", with: "struct chunk *in;")
            .replacingOccurrences(of: "void *tail[0];", with: "void *tail[];"))
        #expect(same.typeChanges.isEmpty && same.refusals.isEmpty && same.changedFunctions.isEmpty, "\(same.typeChanges) \(same.refusals) \(same.changedFunctions)")
        // The struct grows: its typedef'd pointer field is copied by the default transformer (repro typedef-ptr-field).
        let session = """
        struct chunk { unsigned char *data; unsigned len; };
        typedef struct chunk chunk_t;
        struct session { int sock; chunk_t *inbuf; };
        struct session cur;
        static chunk_t c0;
        int main(void) { cur.inbuf = &c0; for (int i = 0;; i++) { graft_update_point(); cur.sock = i; } }
        """
        let grown = try Self.plan(session, session.replacingOccurrences(of: "int sock;", with: "int sock; long extra;"))

        #expect(grown.refusals.isEmpty && grown.typeChanges.first?.defaulted.contains("inbuf") == true, "\(grown.typeChanges) \(grown.refusals)")
        #expect(grown.typeChanges.first?.change == "field extra added", "\(grown.typeChanges)")
    }

    // MARK: B11 — enum constants renumbered (PATCH-8)

    static let phases = """
    enum phase { IDLE, RUN, DONE };
    enum phase ph = IDLE;
    int main(void) { for (int i = 0;; i++) { graft_update_point(); if (i == 3) ph = RUN; printf("%d\\n", ph == RUN); } }
    """
    static let inserted = "enum phase { IDLE, PAUSED, RUN, DONE };"

    @Test("PATCH-8: an enum renumbered under a global, a static int assigned its constants, a field (wrapped: a transformer is asked for; plain: refused) or a stack local [UPD-2] is refused; constants appended are fine")
    func enumsRenumbered() throws {
        let g = try Self.plan(Self.phases, Self.phases.replacingOccurrences(of: "enum phase { IDLE, RUN, DONE };", with: Self.inserted))
        #expect(Self.errors(g, "PATCH-8").contains { $0.contains("enum phase changes the values of its constants (RUN 1 → 2, DONE 2 → 3), and the global 'ph' holds one") }, "\(g.refusals)")
        let appended = try Self.plan(Self.phases, Self.phases.replacingOccurrences(of: "DONE };", with: "DONE, FAILED };"))
        #expect(appended.refusals.isEmpty && appended.admissiblePoints == [1], "\(appended.refusals)")

        // An anonymous enum, stored in a static int: matched by its constants' names.
        let anon = "enum { IDLE, RUN, DONE };\nstatic int state = IDLE;\nint main(void) { for (int i = 0;; i++) { graft_update_point(); if (i == 3) state = RUN; } }"
        let a = try Self.plan(anon, anon.replacingOccurrences(of: "enum { IDLE, RUN, DONE };", with: "enum { IDLE, PAUSED, RUN, DONE };"))
        #expect(Self.errors(a, "PATCH-8").contains { $0.contains("the enum of IDLE, RUN, DONE") && $0.contains("the static 'state' is assigned its constants") }, "\(a.refusals)")

        // A field of a wrapped struct: the representation changes; no default, the transformer is asked for.
        let job = """
        enum phase { IDLE, RUN, DONE };
        struct job { enum phase ph; int id; };
        struct job *cur;
        int main(void) { for (;;) { graft_update_point(); cur->ph = RUN; } }
        """
        let j = try Self.plan(job, job.replacingOccurrences(of: "enum phase { IDLE, RUN, DONE };", with: Self.inserted))
        #expect(j.typeChanges.first.map { !$0.defaulted.contains("ph") && !$0.extends } == true, "\(j.typeChanges)")
        #expect(Self.errors(j, "PATCH-8").contains { $0.contains("field 'ph' of struct job holds one") && $0.contains("graft_transform_job") }, "\(j.refusals)")
        #expect(Self.errors(j, "PATCH-2").isEmpty, "\(j.refusals)")
        let ja = try Self.plan(job, job.replacingOccurrences(of: "DONE };", with: "DONE, FAILED };"))
        #expect(ja.refusals.isEmpty && ja.typeChanges.first.map { $0.defaulted.contains("ph") && $0.extends } == true, "\(ja.typeChanges) \(ja.refusals)")
        // A plain one cannot be converted.
        let plain = job + "\nchar *raw(struct job *p) { return (char *)p; }"
        let pl = try Self.plan(plain, plain.replacingOccurrences(of: "enum phase { IDLE, RUN, DONE };", with: Self.inserted))
        #expect(Self.errors(pl, "PATCH-8").contains { $0.contains("struct job is not wrapped") }, "\(pl.refusals)")

        // A local of main, which is on the stack at every point: UPD-2.
        let local = "enum phase { IDLE, RUN, DONE };\nint main(void) { enum phase ph = IDLE; for (int i = 0;; i++) { graft_update_point(); if (i == 3) ph = RUN; printf(\"%d\\n\", ph); } }"
        let lo = try Self.plan(local, local.replacingOccurrences(of: "enum phase { IDLE, RUN, DONE };", with: Self.inserted))
        #expect(lo.admissiblePoints.isEmpty && lo.decidingRules == ["UPD-2"], "\(lo.verdicts)")
        #expect(lo.verdicts.first?.blockers.first?.message.contains("main holds 'ph' of it") == true, "\(lo.verdicts)")
        // Old code still to run at the point compares with the old constants: UPD-2 there, admissible elsewhere.
        let cmp = """
        enum phase { IDLE, RUN, DONE };
        enum phase next(int i) { return i > 3 ? RUN : IDLE; }
        int seen;
        void step(int i) { do { seen++; graft_update_point(); if (next(i) == RUN) printf("run\\n"); } while (0); }  /* in a loop, after a statement: neither loop (UPD-3) nor continuation (UPD-8) is extracted */
        int main(void) { for (int i = 0;; i++) { graft_update_point(); step(i); } }
        """
        let c = try Self.plan(cmp, cmp.replacingOccurrences(of: "enum phase { IDLE, RUN, DONE };", with: Self.inserted))
        #expect(c.refusals.isEmpty, "\(c.refusals)")
        let stepPoint = c.verdicts.first { $0.function == "step" }, mainPoint = c.verdicts.first { $0.function == "main" }
        #expect(stepPoint?.admissible == false && stepPoint?.blockers.first?.message.contains("with the old values") == true, "\(c.verdicts)")
        #expect(mainPoint?.admissible == true, "\(c.verdicts)")
    }

    // MARK: Fields retyped, variadic functions (PATCH-2, PATCH-4)

    static let acct = "struct acct { int id; long balance; };\nstatic struct acct a = { 7, 0 };\nint main(void) { for (;;) { graft_update_point(); a.balance += 100; } }"

    @Test("PATCH-2: a field of a wrapped struct retyped beyond C's value-keeping conversions (long cents → double units) is refused without a hand-written transformer, naming the field; one widened (int → long) is copied by the default transformer")
    func retypedField() throws {
        let r = try Self.plan(Self.acct, Self.acct.replacingOccurrences(of: "long balance", with: "double balance").replacingOccurrences(of: "+= 100", with: "+= 1.0"))
        #expect(r.typeChanges.map(\.type) == ["struct acct"] && r.typeChanges.first?.defaulted == ["id"], "\(r.typeChanges)")
        #expect(Self.errors(r, "PATCH-2").contains { $0.contains("field balance changed type in a way the default transformer cannot convert") && $0.contains("graft_transform_acct") }, "\(r.refusals)")
        let narrower = "struct acct { int id; int balance; };\nstatic struct acct a = { 7, 0 };\nint main(void) { for (;;) { graft_update_point(); a.balance += 100; } }"
        let w = try Self.plan(narrower, Self.acct)
        #expect(w.refusals.isEmpty && w.typeChanges.first?.defaulted.contains("balance") == true, "\(w.typeChanges) \(w.refusals)")
    }

    static let variadic = """
    #include <stdarg.h>
    int vprintf(const char *, va_list);
    int say(const char *fmt, ...) { va_list ap; va_start(ap, fmt); int n = vprintf(fmt, ap); va_end(ap); return n; }
    int main(void) { for (int i = 0;; i++) { graft_update_point(); say("%d\\n", i); } }
    """

    @Test("PATCH-4: a variadic function that changes while NEW's code takes its address is refused (that pointer would bypass its slot); changed with its address untaken, it applies")
    func variadicChangedAndTaken() throws {
        let changed = Self.variadic.replacingOccurrences(of: "return n;", with: "return n + 1;")
        let c = try Self.plan(Self.variadic, changed)
        #expect(c.refusals.isEmpty && c.changedFunctions == ["say"] && c.admissiblePoints == [1], "\(c.refusals) \(c.changedFunctions) \(c.verdicts)")
        let taken = try Self.plan(Self.variadic, changed.replacingOccurrences(of: "int main(void) {", with: "int (*hook)(const char *, ...) = say;\nint main(void) {"))
        #expect(Self.errors(taken, "PATCH-4").contains { $0.contains("function 'say' changed, but NEW's code takes its address (in the initializer of 'hook')") }, "\(taken.refusals)")
    }

    // MARK: B12 — statics across files (PATCH-1)

    /// Units lowered one by one (each in its own folder, so a static's identity is `NAME:…`) and merged.
    static func program(_ units: [(String, String)], folder: String? = nil) throws -> Program {
        var lowered = try units.map { name, text in try lower(text, name: name).0 }
        if let folder {
            // As if built from the parent folder: `v1/prog.c:…`.
            for u in lowered.indices {
                for i in lowered[u].functions.indices where lowered[u].functions[i].storage == .static {
                    lowered[u].functions[i].identity = folder + "/" + lowered[u].functions[i].identity
                }
                for i in lowered[u].globals.indices where lowered[u].globals[i].storage == .static {
                    lowered[u].globals[i].identity = folder + "/" + lowered[u].globals[i].identity
                }
            }
        }
        return try Merge.merge(lowered)
    }

    static let mainUnit = ("main.c", pre + "int f(void); int g(void);\nint main(void) { for (;;) { graft_update_point(); printf(\"%d %d\\n\", f(), g()); } }")

    @Test("PATCH-1: a static local, a static function and a renamed file are matched across files; a moved static that cannot be matched (retyped, or several of its name) is refused with the names")
    func staticsAcrossFiles() throws {
        let old = try Self.program([Self.mainUnit, ("a.c", "int f(void) { static int count; return ++count; }"), ("b.c", "int g(void) { return 7; }")])
        // f and its count move to b.c unchanged: count keeps its state.
        let moved = try Self.program([Self.mainUnit, ("a.c", "int a_unused;"), ("b.c", "int f(void) { static int count; return ++count; }\nint g(void) { return 8; }")])
        let m = PatchBuilder.plan(old: old, new: moved)
        #expect(m.moved == ["b.c:f:count": "a.c:f:count"], "\(m.moved)")
        #expect(!m.newGlobals.contains("b.c:f:count") && m.refusals.isEmpty && m.changedFunctions == ["g"], "\(m.newGlobals) \(m.refusals) \(m.changedFunctions)")
        // Moved and retyped: refused, with the names and both files.
        let retyped = try Self.program([Self.mainUnit, ("a.c", "int a_unused;"), ("b.c", "int f(void) { static long count; return ++count; }\nint g(void) { return 8; }")])
        let r = PatchBuilder.plan(old: old, new: retyped)
        #expect(Self.errors(r, "PATCH-1").contains { $0.hasPrefix("static local 'count' of 'f' moved from a.c to b.c: its state would restart, because its type changed") }, "\(r.refusals)")

        // A static function (and its static local) moves and changes: matched, a changed function whose slot is rebound.
        let sOld = try Self.program([("main.c", Self.pre + "int tick(void);\nint main(void) { for (;;) { graft_update_point(); printf(\"%d\\n\", tick()); } }"),
                                     ("a.c", "static int next_id(void) { static int n; return ++n; }\nint tick(void) { return next_id(); }")])
        let sNew = try Self.program([("main.c", Self.pre + "int tick(void);\nint main(void) { for (;;) { graft_update_point(); printf(\"%d\\n\", tick()); } }"),
                                     ("a.c", "int tick_b(void);\nint tick(void) { return tick_b(); }"),
                                     ("b.c", "static int next_id(void) { static int n; return 10 * ++n; }\nint tick_b(void) { return next_id(); }")])
        let s = PatchBuilder.plan(old: sOld, new: sNew)
        #expect(s.moved == ["b.c:next_id": "a.c:next_id", "b.c:next_id:n": "a.c:next_id:n"], "\(s.moved)")
        #expect(s.changedFunctions.contains("a.c:next_id") && s.deletedFunctions.isEmpty && s.refusals.isEmpty, "\(s.changedFunctions) \(s.deletedFunctions) \(s.refusals)")

        // Two statics of one name leave their files for two others: which is which cannot be told.
        let two = try Self.program([Self.mainUnit, ("a.c", "static int hits; int f(void) { return ++hits; }"), ("b.c", "static int hits; int g(void) { return ++hits; }")])
        let twoMoved = try Self.program([Self.mainUnit, ("c.c", "static int hits; int f(void) { return ++hits; }"), ("d.c", "static int hits; int g(void) { return ++hits; }")])
        let t = PatchBuilder.plan(old: two, new: twoMoved)
        #expect(Self.errors(t, "PATCH-1").count == 2 && Self.errors(t, "PATCH-1").allSatisfy { $0.contains("which one it continues cannot be told") }, "\(t.refusals)")

        // The whole file built from another folder (repro path-identity): one file renamed, everything matched.
        let unit = Self.pre + "static int next_id(void) { static int n; return ++n; }\nint main(void) { for (;;) { graft_update_point(); printf(\"%d\\n\", next_id()); } }"
        let v1 = try Self.program([("prog.c", unit)], folder: "v1"), v2 = try Self.program([("prog.c", unit.replacingOccurrences(of: "return ++n;", with: "return 10 * ++n;"))], folder: "v2")
        let f = PatchBuilder.plan(old: v1, new: v2)
        #expect(f.moved == ["v2/prog.c:next_id": "v1/prog.c:next_id", "v2/prog.c:next_id:n": "v1/prog.c:next_id:n"], "\(f.moved)")
        #expect(f.changedFunctions == ["v1/prog.c:next_id"] && f.newFunctions.isEmpty && f.newGlobals.isEmpty && f.deletedFunctions.isEmpty,
                "\(f.changedFunctions) \(f.newFunctions) \(f.newGlobals) \(f.deletedFunctions)")
    }

    // MARK: Live

    /// Fixture CASE/VERSION built by `graft cc -O1` as DIR/VERSION/prog (every .c but transformers.c);
    /// `fromParent`: built from DIR, naming the sources `VERSION/…` (identities then carry the folder).
    static func build(_ name: String, _ version: String, in dir: String, fromParent: Bool = false) throws -> String {
        let d = dir + "/" + version
        try? FileManager.default.removeItem(atPath: d)
        try FileManager.default.copyItem(atPath: fixtures + name + "/" + version, toPath: d)
        let sources = try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.hasSuffix(".c") && $0 != "transformers.c" }.sorted()
        let r = fromParent
            ? try run(Live.graft!, ["cc", "-O1", "-o", version + "/prog"] + sources.map { version + "/" + $0 }, cwd: dir)
            : try run(Live.graft!, ["cc", "-O1", "-o", "prog"] + sources, cwd: d)
        guard r.status == 0 else { throw Live.Failure("graft cc failed for \(name)/\(version): \(r.stderr)") }
        return d + "/prog"
    }

    static func patch(_ from: String, _ to: String, _ out: String) throws -> ProcessResult {
        try run(Live.graft!, ["patch", "--from", from, "--to", to, "-o", out])
    }

    /// Runs v1, applies the patch, lets v2 run: its output lines.
    static func applied(_ v1: String, _ patch: String, _ expect: String = "") throws -> [Substring] {
        let (prog, out) = try Live.launch(v1)
        defer { Live.stop(prog) }
        usleep(300_000)
        let r = try run(Live.graft!, ["apply", "--pid", String(prog.processIdentifier), patch, "--timeout", "5"])
        #expect(r.status == 0 && (expect.isEmpty || r.stdout.contains(expect)), "\(r.stdout) \(r.stderr)")
        usleep(400_000)
        Live.stop(prog)
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    }

    /// v1's lines, then v2's, every one of them "v2 ok".
    static func expectContinued(_ lines: [Substring], _ name: String) {
        let firstNew = lines.firstIndex { $0.hasPrefix("v2") } ?? lines.endIndex
        let after = lines[firstNew...]
        #expect(lines.first?.hasPrefix("v1") == true && after.count >= 3 && after.allSatisfy { $0.hasPrefix("v2 ok") },
                "\(name): \(lines.prefix(2)) … \(after.prefix(4)) … \(after.suffix(2))")
    }

    /// Builds CASE's v1 and VERSION, patches, applies: the continued state is right.
    func live(_ name: String, _ version: String = "v2", expect: String = "", fromParent: Bool = false) throws {
        let dir = tempDir()
        let v1 = try Self.build(name, "v1", in: dir, fromParent: fromParent), v2 = try Self.build(name, version, in: dir, fromParent: fromParent)
        let made = try Self.patch(v1, v2, dir + "/p.patch")
        #expect(made.status == 0, "\(name)/\(version): \(made.stdout) \(made.stderr)")
        guard made.status == 0 else { return }
        Self.expectContinued(try Self.applied(v1, dir + "/p.patch", expect), "\(name)/\(version)")
    }

    /// Builds CASE's v1 and VERSION: `graft patch` refuses, citing RULE, saying each of `says`.
    func refused(_ name: String, _ version: String = "v2", rule: String, says: [String]) throws {
        let dir = tempDir()
        let v1 = try Self.build(name, "v1", in: dir), v2 = try Self.build(name, version, in: dir)
        let made = try Self.patch(v1, v2, dir + "/p.patch")
        #expect(made.status != 0 && made.stderr.contains("[\(rule)]"), "\(name)/\(version): \(made.stderr)")
        for s in says { #expect(made.stderr.contains(s), "\(name)/\(version): \(made.stderr)") }
    }

    @Test("UPD-3 live: main's variables reordered keep their values; a new variable aliasing one is refused, a static in the body applies; a loop inserted before the running one is refused")
    func liveLoopVariables() throws {
        guard Live.graft != nil else { Issue.record("build graft first"); return }
        try live("b4-reorder")
        try refused("b4-new-variable", rule: "UPD-1", says: ["now uses main's variable 'seen'", "no longer uses main's variable 'hi'"])
        try live("b4-new-variable", "v2-static")
        try refused("b4-loop-inserted", rule: "UPD-1", says: ["cannot be matched to a loop of NEW's main"])
    }

    @Test("PATCH-1 live: a typedef widened under a field converts it, under a parameter blocks the point that would pass the old one [UPD-1], under a global is refused [PATCH-3]; a typedef'd pointer field is copied")
    func liveTypedefs() throws {
        guard Live.graft != nil else { Issue.record("build graft first"); return }
        try live("b5-field")
        try live("b5-param", expect: "at update point 2")
        try live("b5-pointer-field")
        try refused("b5-global", rule: "PATCH-3", says: ["global 'ring' changed type and is writable (count_t[2], that is int[2] → count_t[2], that is long long[2])"])
    }

    @Test("PATCH-8 live: an enum renumbered under a global or a field is refused, and applies with a state or type transformer that renumbers the stored values; constants appended apply as they are; in a local of main it blocks every point [UPD-2]")
    func liveEnums() throws {
        guard Live.graft != nil else { Issue.record("build graft first"); return }
        try refused("b11-global", rule: "PATCH-8", says: ["and the global 'ph' holds one"])
        try live("b11-global", "v2-transformed")
        try refused("b11-field", rule: "PATCH-8", says: ["field 'ph' of struct job holds one"])
        try live("b11-field", "v2-transformed")
        try live("b11-appended")
        try refused("b11-int", rule: "PATCH-8", says: ["the static 'state' is assigned its constants"])
        try refused("b11-local", rule: "UPD-2", says: ["main holds 'ph' of it"])
    }

    @Test("PATCH-2 live: a field retyped from long cents to double units is refused without a transformer, naming it; with graft_transform_acct the balance goes on")
    func liveRetypedField() throws {
        guard Live.graft != nil else { Issue.record("build graft first"); return }
        try refused("patch2-retyped-field", rule: "PATCH-2", says: ["field balance changed type in a way the default transformer cannot convert"])
        try live("patch2-retyped-field", "v2-transformed")
    }

    @Test("PATCH-1 live: a static local and a static function that move to another file, and a file built from another folder, keep their state; a moved static local that changed type is refused")
    func liveStatics() throws {
        guard Live.graft != nil else { Issue.record("build graft first"); return }
        try live("b12-moved-local")
        try live("b12-moved-function")
        // Built from the parent folder (repro path-identity): the counter goes on, ×10.
        let dir = tempDir()
        let v1 = try Self.build("b12-parent-folder", "v1", in: dir, fromParent: true), v2 = try Self.build("b12-parent-folder", "v2", in: dir, fromParent: true)
        let made = try Self.patch(v1, v2, dir + "/p.patch")
        #expect(made.status == 0 && made.stdout.contains("v2/prog.c:next_id:n is v1/prog.c:next_id:n"), "\(made.stdout) \(made.stderr)")
        let lines = try Self.applied(v1, dir + "/p.patch")
        let last1 = lines.last { $0.hasPrefix("v1 ") }.flatMap { Int($0.dropFirst(3)) }, first2 = lines.first { $0.hasPrefix("v2 ") }.flatMap { Int($0.dropFirst(3)) }
        #expect(last1 != nil && first2 == (last1 ?? 0) * 10 + 10, "\(lines)")
        try refused("b12-moved-retyped", rule: "PATCH-1", says: ["static local 'n' of 'next_id' moved from a.c to b.c: its state would restart"])
    }
}
