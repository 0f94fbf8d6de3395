// The updatable-build pass and the patch plan, on IR lowered from C.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen
import Frontend

@Suite("Updatable builds and patch plans")
struct UpdatableTests {
    static let program = """
    void graft_update_point(void);
    static int counter;
    static int add(int a, int b) { return a + b; }
    int (*op)(int, int) = add;
    int twice(int x) { return add(x, x); }
    int main(void) {
        for (int i = 0; i < 3; i++) { counter = op(counter, twice(i)); graft_update_point(); }
        return counter == 6 ? 0 : 1;
    }
    """

    @Test("functions are called through slots, addresses are trampolines, update points are numbered")
    func instrument() throws {
        let (p, _) = try lower(Self.program)
        let (q, manifest) = Updatable.instrument(p)
        #expect(Verifier.verify(q).isEmpty, "\(Verifier.verify(q))")
        #expect(manifest.points.map(\.id) == [1])
        #expect(Set(manifest.slots.keys).isSuperset(of: ["twice", "main"]))
        #expect(manifest.slots.keys.contains { $0.hasSuffix(":add") })
        // No direct call to an indirected function is left outside the trampolines.
        let slotted = Set(q.functions.filter { $0.name.hasPrefix(Updatable.implPrefix) }.map(\.identity))
        for f in q.functions where f.name.hasPrefix(Updatable.implPrefix) {
            var direct: [String] = []
            _ = Walk.mapInstructions(f.body!) { i in
                if case .call(_, .direct(let g), _, _) = i, slotted.contains(q[g].identity) { direct.append(q[g].name) }
                return i
            }
            #expect(direct.isEmpty, "\(f.name) calls \(direct) directly")
        }
        // The function pointer kept in data is the trampoline with add's (exported) name.
        let opVar = try #require(q.globals.first { $0.sourceName == "op" })
        guard case .expr(.function(let target))? = opVar.initializer else { Issue.record("op's initializer"); return }
        #expect(q[target].name == Updatable.staticPrefix + "add")
        // Statics are exported under a prefix.
        #expect(q.globals.contains { $0.name == Updatable.staticPrefix + "counter" && $0.storage == .none })
        // The same program gives the same version id; a changed one another.
        #expect(Updatable.versionID(of: p) == Updatable.versionID(of: p))
        let (p2, _) = try lower(Self.program.replacingOccurrences(of: "a + b", with: "b + a"))
        #expect(Updatable.versionID(of: p2) != Updatable.versionID(of: p))
    }

    @Test("a changed body is a changed function; a moved one is not; a signature change in Δ blocks the point [UPD-1]")
    func plan() throws {
        let (old, _) = try lower(Self.program)
        let (moved, _) = try lower("\n\n\n" + Self.program)
        #expect(PatchBuilder.plan(old: old, new: moved).changedFunctions.isEmpty)
        let (body, _) = try lower(Self.program.replacingOccurrences(of: "return add(x, x);", with: "return x + x;"))
        let p1 = PatchBuilder.plan(old: old, new: body)
        #expect(p1.changedFunctions == ["twice"])
        #expect(p1.admissiblePoints == [1])
        // twice gains a parameter: main, on the stack at point 1, calls it with one.
        let sig = Self.program.replacingOccurrences(of: "int twice(int x) { return add(x, x); }", with: "int twice(int x, int y) { return add(x, y); }")
            .replacingOccurrences(of: "twice(i)", with: "twice(i, i)")
        let p2 = PatchBuilder.plan(old: old, new: try lower(sig).0)
        #expect(p2.signatureChanges == ["twice"])
        #expect(p2.admissiblePoints.isEmpty)
        #expect(p2.verdicts.first?.reasons.first?.hasPrefix("UPD-1") == true)
    }

    @Test("refusals: an unwrapped struct that changes layout [PATCH-2], a writable global that changes type [PATCH-3], a changed function without a slot [PATCH-4], a wrapped struct NEW treats as bytes [PATCH-5]")
    func refusals() throws {
        // (char *) over a struct s keeps it out of wrapping (ALIAS-2): its layout cannot change.
        let base = "struct s { int a; }; struct s g; int get(void) { return ++g.a; } char *raw(struct s *p) { return (char *)p; } int main(void) { return get(); }"
        let (old, _) = try lower(base)
        let (grown, _) = try lower(base.replacingOccurrences(of: "int a; }", with: "int a; long b; }"))
        let r = PatchBuilder.plan(old: old, new: grown).refusals
        #expect(r.contains { $0.rule == "PATCH-2" && $0.loc.line == 1 && $0.message.contains("field b added") && $0.message.contains("not wrapped") })
        let (retyped, _) = try lower(base.replacingOccurrences(of: "struct s g;", with: "struct s g[2];").replacingOccurrences(of: "g.a", with: "g[0].a"))
        #expect(PatchBuilder.plan(old: old, new: retyped).refusals.contains { $0.rule == "PATCH-3" && $0.message.contains("writable") })
        // The same global never written by the running program still holds its initializer: NEW's replaces it.
        let unwritten = base.replacingOccurrences(of: "++g.a", with: "g.a")
        let (u1, _) = try lower(unwritten)
        let (u2, _) = try lower(unwritten.replacingOccurrences(of: "struct s g;", with: "struct s g[2];").replacingOccurrences(of: "g.a", with: "g[0].a"))
        let up = PatchBuilder.plan(old: u1, new: u2)
        #expect(!up.refusals.contains { $0.rule == "PATCH-3" } && up.replacedGlobals.count == 1, "\(up.refusals)")
        // A read-only table may change type: NEW's definition replaces it.
        let table = "static const int t[2] = {1, 2}; int at(int i) { return t[i]; } int main(void) { return at(0); }"
        let (t1, _) = try lower(table)
        let (t2, _) = try lower(table.replacingOccurrences(of: "t[2] = {1, 2}", with: "t[3] = {1, 2, 3}"))
        let tp = PatchBuilder.plan(old: t1, new: t2)
        #expect(tp.refusals.isEmpty, "\(tp.refusals)")
        #expect(tp.replacedGlobals.count == 1 && tp.recompiled.keys.contains { $0.hasSuffix("at") })
        // A variadic function whose address is taken has no slot: a change to it cannot be redirected [PATCH-4].
        let va = "#include <stdarg.h>\nint sum(int n, ...) { va_list ap; va_start(ap, n); int s = va_arg(ap, int); va_end(ap); return s; }\nint (*op)(int, ...) = sum;\nint main(void) { return sum(1, 0); }"
        let (v1, _) = try lower(va)
        let (v2, _) = try lower(va.replacingOccurrences(of: "return s;", with: "return s + 1;"))
        #expect(PatchBuilder.plan(old: v1, new: v2).refusals.contains {
            $0.rule == "PATCH-4" && $0.message.contains("variadic and its address is taken (in the initializer of 'op')") && $0.message.contains("va_list")
        })
        // Wrapped in the running program, handled as bytes by NEW [PATCH-5].
        let clean = "struct s { int a; }; struct s g; int get(void) { return g.a; } int main(void) { return get(); }"
        let (w1, _) = try lower(clean)
        let (w2, _) = try lower(base)
        #expect(PatchBuilder.plan(old: w1, new: w2).refusals.contains { $0.rule == "PATCH-5" && $0.message.contains("struct s") })
    }

    static let typed = """
    void graft_update_point(void);
    struct item { int id; long total; };
    struct item *item_new(void) { static struct item one; return &one; }
    long work(struct item *it, int n) { for (int i = 0; i < n; i++) { it->total += i; graft_update_point(); } return it->total; }
    int main(void) { struct item *it = item_new(); for (;;) { graft_update_point(); if (work(it, 3) > 100) return 0; } }
    """

    @Test("a changed wrapped type: converted by the default transformer, users recompiled, blocked where Δ holds it [UPD-2]")
    func typeChange() throws {
        let (old, _) = try lower(Self.typed)
        // A field in the middle: not an extension. work uses struct item at point 1; main (point 2) only passes a pointer.
        let (mid, _) = try lower(Self.typed.replacingOccurrences(of: "int id; long total;", with: "int id; long weight; long total;"))
        let p = PatchBuilder.plan(old: old, new: mid)
        #expect(p.refusals.isEmpty, "\(p.refusals)")
        let change = try #require(p.typeChanges.first)
        #expect(change.type == "struct item" && !change.extends && Set(change.defaulted) == ["id", "total"] && change.fromTag != change.toTag)
        #expect(p.changedFunctions.contains("work"))   // its field index moved: edited, not only recompiled
        #expect(p.admissiblePoints == [2])
        #expect(p.verdicts.first { $0.point == 1 }?.reasons.first?.hasPrefix("UPD-2") == true)
        // A field added at the end extends the layout: old code may keep using it, so no point is blocked.
        let (tail, _) = try lower(Self.typed.replacingOccurrences(of: "int id; long total;", with: "int id; long total; long extra;"))
        let q = PatchBuilder.plan(old: old, new: tail)
        #expect(q.typeChanges.first?.extends == true)
        #expect(q.admissiblePoints == [1, 2])
        // A field whose type changes beyond C's value-preserving conversions needs a hand-written transformer.
        let (retyped, _) = try lower(Self.typed.replacingOccurrences(of: "int id; long total;", with: "int id; char *total;").replacingOccurrences(of: "it->total += i; } return it->total;", with: "} return 0;"))
        #expect(PatchBuilder.plan(old: old, new: retyped).refusals.contains { $0.rule == "PATCH-2" && $0.message.contains("total") && $0.message.contains("transformers.c") })
    }

    @Test("a marked loop's body is not on the stack at its update point: a signature change its body needs is admissible there [UPD-3]")
    func extractedLoop() throws {
        let marked = Self.program.replacingOccurrences(of: "{ counter = op(counter, twice(i)); graft_update_point(); }",
                                                       with: "{ graft_update_point(); counter = op(counter, twice(i)); }")
        let (old, _) = try lower(marked)
        let sig = marked.replacingOccurrences(of: "int twice(int x) { return add(x, x); }", with: "int twice(int x, int y) { return add(x, y); }")
            .replacingOccurrences(of: "twice(i)", with: "twice(i, i)")
        let p = PatchBuilder.plan(old: old, new: try lower(sig).0)
        #expect(p.signatureChanges == ["twice"])
        #expect(p.changedFunctions.contains("main#loop1"), "\(p.changedFunctions)")
        #expect(p.admissiblePoints == [1], "\(p.verdicts)")
    }

    @Test("Δ is what runs after the point: a type main uses only before its loop does not block [UPD-2]")
    func flowSensitiveDelta() throws {
        let prog = """
        void graft_update_point(void);
        struct cfg { int port; int verbose; };
        struct cfg *cfg_new(void) { static struct cfg one; return &one; }
        int serve(int x) { return x + 1; }
        int main(void) {
            struct cfg *c = cfg_new();
            c->port = 7;
            int x = c->port;
            for (;;) { x = serve(x); graft_update_point(); if (x > 100) break; }
            return x;
        }
        """
        let (old, _) = try lower(prog)
        let (new, _) = try lower(prog.replacingOccurrences(of: "int port; int verbose;", with: "long id; int port; int verbose;"))
        let p = PatchBuilder.plan(old: old, new: new)
        #expect(p.refusals.isEmpty, "\(p.refusals)")
        #expect(p.typeChanges.first?.extends == false)
        #expect(p.admissiblePoints == [1], "\(p.verdicts)")
        // The same use after the loop is in Δ: main would read the converted struct through the old layout.
        let after = prog.replacingOccurrences(of: "return x;", with: "return x + c->verbose;")
        let (old2, _) = try lower(after)
        let (new2, _) = try lower(after.replacingOccurrences(of: "int port; int verbose;", with: "long id; int port; int verbose;"))
        let q = PatchBuilder.plan(old: old2, new: new2)
        #expect(q.admissiblePoints.isEmpty)
        #expect(q.verdicts.first?.reasons.first?.hasPrefix("UPD-2: struct cfg") == true, "\(q.verdicts)")
    }

    @Test("a global defined anew is in Δ where running code names it [UPD-4]")
    func replacedGlobalInDelta() throws {
        let prog = """
        void graft_update_point(void);
        static const int t[2] = {1, 2};
        int main(void) { int s = 0; for (int i = 0; i < 9; i++) { s += t[i % 2]; graft_update_point(); } return s; }
        """
        let (old, _) = try lower(prog)
        let (new, _) = try lower(prog.replacingOccurrences(of: "t[2] = {1, 2}", with: "t[3] = {1, 2, 3}"))
        let p = PatchBuilder.plan(old: old, new: new)
        #expect(p.admissiblePoints.isEmpty)
        #expect(p.verdicts.first?.reasons.contains { $0.hasPrefix("UPD-4") } == true)
    }
}

/// Refusals that help (issue 7 class C, item 10): each names the rule that
/// decided, speaks of what the programmer wrote, and says what would make
/// the patch admissible when something would.
@Suite("Refusals: the deciding rule, the programmer's names, what would help")
struct RefusalTests {
    /// Names of the updatable build that no diagnostic may show (the runtime API — graft_update_point,
    /// graft_transform_<tag>, graft_state_transform — is the programmer's own vocabulary).
    static func internalNames(in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: #"__graft\w*|\w*#loop\d*|graft_(impl|slot|s|loop\d*|ret|r|tf|con|old)_?\w*"#)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
    }

    /// Every word a plan would print: refusals, verdicts, hints, the summary.
    static func printed(_ p: PatchPlan) -> String {
        (p.refusals.map(\.description) + p.blockedEverywhere.map(\.description) + p.verdicts.flatMap { [$0.place] + $0.reasons + $0.hints }
            + [p.summary] + p.recompiled.keys.map(p.displayName) + p.recompiled.values).joined(separator: "\n")
    }

    static func plan(_ old: String, _ new: String) throws -> PatchPlan {
        PatchBuilder.plan(old: try lower(old).0, new: try lower(new).0)
    }

    /// work's update point is the only one, and work handles struct item after it.
    static let onlyInWork = """
    void graft_update_point(void);
    struct item { int id; long total; };
    struct item *item_new(void) { static struct item one; return &one; }
    long work(struct item *it, int n) { for (int i = 0; i < n; i++) { it->total += i; graft_update_point(); } return it->total; }
    int main(void) { struct item *it = item_new(); for (;;) { if (work(it, 3) > 100000) return 0; } }
    """
    static func midField(_ s: String) -> String { s.replacingOccurrences(of: "int id; long total;", with: "int id; long weight; long total;") }

    @Test("a patch blocked at every point by a type in Δ is refused under UPD-2, naming the use; by a global under UPD-4; by a signature under UPD-1 [UPD-2] [UPD-4] [UPD-1]")
    func decidingRule() throws {
        let p = try Self.plan(Self.onlyInWork, Self.midField(Self.onlyInWork))
        #expect(p.refusals.isEmpty, "\(p.refusals)")
        let errors = p.blockedEverywhere.filter { $0.severity == .error }
        #expect(!errors.isEmpty && errors.allSatisfy { $0.rule == "UPD-2" }, "\(p.blockedEverywhere)")
        #expect(p.decidingRules == ["UPD-2"])
        #expect(errors.first?.message.contains("update point 1 in work: struct item is in Δ here: work uses it at") == true, "\(errors)")
        // Admissible somewhere (main's loop is marked): nothing is refused.
        let typed = try Self.plan(UpdatableTests.typed, Self.midField(UpdatableTests.typed))
        #expect(typed.blockedEverywhere.isEmpty && typed.admissiblePoints == [2])
        // A global defined anew that the loop reads: UPD-4.
        let table = """
        void graft_update_point(void);
        static const int t[2] = {1, 2};
        int main(void) { int s = 0; for (int i = 0; i < 9; i++) { s += t[i % 2]; graft_update_point(); } return s; }
        """
        let g = try Self.plan(table, table.replacingOccurrences(of: "t[2] = {1, 2}", with: "t[3] = {1, 2, 3}"))
        #expect(g.decidingRules == ["UPD-4"], "\(g.verdicts)")
        #expect(g.blockedEverywhere.first?.message.contains("global 't' is in Δ here: main uses it at") == true, "\(g.blockedEverywhere)")
        // A callee's signature: UPD-1, with the caller that still calls it.
        let sig = UpdatableTests.program.replacingOccurrences(of: "int twice(int x) { return add(x, x); }", with: "int twice(int x, int y) { return add(x, y); }")
            .replacingOccurrences(of: "twice(i)", with: "twice(i, i)")
        let s = try Self.plan(UpdatableTests.program, sig)
        #expect(s.decidingRules == ["UPD-1"])
        #expect(s.blockedEverywhere.first?.message.contains("the signature of 'twice' changed, and main calls it at") == true, "\(s.blockedEverywhere)")
        // A by-value local of a caller that never returns: the code after the call is moved (UPD-8), so it is admitted;
        // where that code cannot be moved (a label), its use blocks, named.
        let session = """
        void graft_update_point(void);
        struct session { int fd; int count; };
        static int serve(void) { for (int i = 0;; i++) { graft_update_point(); if (i == 1000000) return i; } }
        int main(void) { struct session s = { -1, 0 }; s.count = serve(); return s.fd; }
        """
        let moved = try Self.plan(session, session.replacingOccurrences(of: "int fd; int count;", with: "int fd; int flags; int count;"))
        #expect(moved.blockedEverywhere.isEmpty && moved.admissiblePoints == [1], "\(moved.verdicts)")
        let labelled = session.replacingOccurrences(of: "return s.fd; }", with: "if (s.fd) goto out; out: return s.fd; }")
        let m = try Self.plan(labelled, labelled.replacingOccurrences(of: "int fd; int count;", with: "int fd; int flags; int count;"))
        #expect(m.decidingRules == ["UPD-2"])
        #expect(m.blockedEverywhere.first?.message.contains("main, which is on the stack here, uses it at") == true, "\(m.blockedEverywhere)")
    }

    static let loopProgram = """
    void graft_update_point(void);
    int printf(const char *, ...);
    int main(void) {
        int total = 0, limit = 5;
        for (int i = 0; i < 600; i++) {
            graft_update_point();
            total += i;
            printf("%d\\n", total);
        }
        return limit;
    }
    """

    @Test("a loop body that reads another of main's variables is refused as 'the loop at FILE:LINE in main', with the variable's name [UPD-1] [UPD-3]")
    func loopNames() throws {
        let reads = Self.loopProgram.replacingOccurrences(of: "total += i;", with: "total += i; if (total > limit) total = 0;")
        let p = try Self.plan(Self.loopProgram, reads)
        #expect(p.refusals.isEmpty && p.admissiblePoints.isEmpty)
        let b = try #require(p.verdicts.first?.blockers.first)
        #expect(b.rule == "UPD-1")
        #expect(b.message.hasPrefix("the loop at ") && b.message.hasSuffix("t.c:5 in main now uses main's variable 'limit', which the running main does not pass to it"), "\(b.message)")
        #expect(p.verdicts.first?.hints.contains { $0.contains("`static` variable declared in the loop body") } == true)
        #expect(Self.internalNames(in: Self.printed(p)).isEmpty, "\(Self.printed(p))")
        // Following the hint: the new state is a static in the body; the loop's signature stays, so it is admissible.
        let kept = Self.loopProgram.replacingOccurrences(of: "total += i;", with: "static int cap = 5; total += i; if (total > cap) total = 0;")
        let q = try Self.plan(Self.loopProgram, kept)
        #expect(q.refusals.isEmpty && q.admissiblePoints == [1], "\(q.verdicts)")
        #expect(q.changedFunctions == ["main#loop1"])
        #expect(q.summary.contains("1 changed function(s): the loop at ") && q.summary.contains("t.c:5 in main;"), "\(q.summary)")
        #expect(Self.internalNames(in: Self.printed(q)).isEmpty, "\(Self.printed(q))")
    }

    /// A handler that reaches an update point, registered by `signal` or (its type) by `sigaction`.
    static func handlerProgram(register: String, point: String) -> String {
        """
        #include <signal.h>
        void graft_update_point(void);
        struct item { int a; };
        static struct item *it;
        static volatile int ticks;
        static void tick(void) { \(point.contains("tick") ? "graft_update_point(); " : "")ticks++; }
        static void on_alarm(int sig) { (void)sig; tick(); }
        int main(void) {
            static struct item one;
            it = &one;
            \(register)
            for (int i = 0; i < 3; i++) { \(point.contains("main") ? "graft_update_point(); " : "")it->a += i; }
            return it->a;
        }
        """
    }

    @Test("a point a signal handler reaches is never admissible, by signal or by sigaction's handler type; one in main's loop is [UPD-7]")
    func signalHandlerPoint() throws {
        let bySignal = "signal(SIGALRM, on_alarm);"
        let bySigaction = "struct sigaction sa = {0}; sa.sa_handler = on_alarm; sigaction(SIGALRM, &sa, 0);"
        for register in [bySignal, bySigaction] {
            let old = Self.handlerProgram(register: register, point: "tick")
            let new = old.replacingOccurrences(of: "ticks++;", with: "ticks += 2;")
            let p = try Self.plan(old, new)
            #expect(p.admissiblePoints.isEmpty, "\(p.verdicts)")
            let why = p.verdicts.flatMap(\.blockers).filter { $0.rule == "UPD-7" }
            #expect(why.count == 1, "\(p.verdicts)")
            #expect(why.first?.message.contains("runs in the signal handler 'on_alarm', which calls 'tick'") == true, "\(why)")
            #expect(p.blockedEverywhere.last?.description.hasSuffix("[UPD-7]") == true, "\(p.blockedEverywhere)")
            // With a point in main's loop as well, the patch is admissible there and only there.
            let both = Self.handlerProgram(register: register, point: "tick main")
            let q = try Self.plan(both, both.replacingOccurrences(of: "ticks++;", with: "ticks += 2;"))
            #expect(q.verdicts.count == 2 && q.admissiblePoints.count == 1, "\(q.verdicts)")
            // main's loop follows its call of signal, which may call back: it is main's code after that call (UPD-8).
            let place = q.verdicts.first { $0.admissible }?.place ?? ""
            #expect(place == "main" || place.hasSuffix(" in main"), "\(q.verdicts)")
        }
        // The same function registered nowhere is no handler: its point is admissible.
        let plain = Self.handlerProgram(register: "(void)on_alarm;", point: "tick")
        let r = try Self.plan(plain, plain.replacingOccurrences(of: "ticks++;", with: "ticks += 2;"))
        #expect(r.admissiblePoints.count == 1, "\(r.verdicts)")
    }

    @Test("blocked everywhere: an update point first in a loop that comes round again is suggested only when Δ there admits the patch, and following it does [UPD-2] [UPD-3]")
    func pointHint() throws {
        let p = try Self.plan(Self.onlyInWork, Self.midField(Self.onlyInWork))
        let hints = p.verdicts.flatMap(\.hints)
        #expect(hints.count == 1, "\(hints)")
        // work's own loop would not do (work uses struct item after it); main's would.
        #expect(hints.first?.hasPrefix("graft_update_point() as the first statement of the loop at ") == true)
        #expect(hints.first?.contains("t.c:5 in main would make the patch admissible there") == true, "\(hints)")
        #expect(p.blockedEverywhere.contains { $0.severity == .note && $0.message == hints.first })
        // The same programs with the point where the hint says: admissible there.
        func moved(_ s: String) -> String { s.replacingOccurrences(of: "for (;;) { if", with: "for (;;) { graft_update_point(); if") }
        let q = try Self.plan(moved(Self.onlyInWork), moved(Self.midField(Self.onlyInWork)))
        #expect(q.admissiblePoints == [2], "\(q.verdicts)")
        // No loop helps when main holds the struct by value: no hint is made up.
        let session = """
        void graft_update_point(void);
        struct session { int fd; int count; };
        static int serve(void) { for (int i = 0;; i++) { graft_update_point(); if (i == 1000000) return i; } }
        int main(void) { struct session s = { -1, 0 }; for (;;) { s.count += serve(); if (s.count < 0) break; } return s.fd; }
        """
        let m = try Self.plan(session, session.replacingOccurrences(of: "int fd; int count;", with: "int fd; int flags; int count;"))
        #expect(m.admissiblePoints.isEmpty && m.verdicts.allSatisfy { $0.hints.isEmpty }, "\(m.verdicts)")
        // A writable global that changes type: the refusal says which transformer to write [PATCH-3].
        let counter = "static long n; int main(void) { return n++; }"
        let c = try Self.plan(counter, counter.replacingOccurrences(of: "static long n;", with: "static int n;"))
        #expect(c.refusals.contains { $0.rule == "PATCH-3" && $0.message.contains("write `void graft_state_transform(void)` in NEW's transformers.c") })
    }

    static let pair = """
    void graft_update_point(void);
    struct pair { int a; int b; };
    struct pair *pair_new(void) { static struct pair one; return &one; }
    int main(void) { struct pair *p = pair_new(); for (;;) { p->a++; graft_update_point(); if (p->a > 1000) return p->b; } }
    """

    @Test("a field appended that raises the alignment up to a pointer's extends the layout; past it, not [UPD-2]")
    func alignedAppend() throws {
        let p = try Self.plan(Self.pair, Self.pair.replacingOccurrences(of: "int a; int b; }", with: "int a; int b; long long c; }"))
        let change = try #require(p.typeChanges.first)
        #expect(change.extends, "\(change)")
        #expect(p.refusals.isEmpty && p.admissiblePoints == [1], "\(p.verdicts)")
        // A 16-byte alignment may move the payload in its wrapper: a full change, in Δ at main's point.
        let q = try Self.plan(Self.pair, Self.pair.replacingOccurrences(of: "int a; int b; }", with: "int a; int b; __int128 c; }"))
        #expect(q.typeChanges.first?.extends == false)
        #expect(q.admissiblePoints.isEmpty && q.decidingRules == ["UPD-2"])
    }

    @Test("blocked everywhere only because a hand-written transformer keeps an extending change from old code: the refusal says so [UPD-2]")
    func transformerHint() throws {
        let appended = Self.pair.replacingOccurrences(of: "int a; int b; }", with: "int a; int b; long long c; }")
        let (old, _) = try lower(Self.pair)
        let (new, _) = try lower(appended)
        let (tr, dir) = try lower("""
            struct pair { int a; int b; long long c; };
            struct pair_old { int a; int b; };
            void graft_transform_pair(struct pair_old *old, struct pair *new) { new->c = old->a; }
            """, name: "transformers.c")
        let p = PatchBuilder.plan(old: old, new: try Merge.merge([new, tr]), transformerFile: dir + "/transformers.c")
        #expect(p.refusals.isEmpty, "\(p.refusals)")
        #expect(p.typeChanges.first?.transformer == "graft_transform_pair" && p.typeChanges.first?.extends == false)
        #expect(p.decidingRules == ["UPD-2"])
        #expect(p.verdicts.first?.hints.contains { $0.hasPrefix("without the hand-written transformer, the new layout extends the old one") } == true, "\(p.verdicts)")
    }

    static let embedded = """
    void graft_update_point(void);
    struct login { int done; int tries; char *user; };
    struct session { int sock; struct login auth; };
    struct session cur;
    static void serve(int i) { cur.sock = i; cur.auth.done = i & 1; }
    int main(void) { for (int i = 0; i < 300; i++) { graft_update_point(); serve(i); } return 0; }
    """

    @Test("a struct embedded by value in a wrapped one grows: both convert, admitted (REP-7); an array of it is refused [PATCH-6]; one that keeps its size, or an embedding struct that grows, is admitted")
    func embeddedGrows() throws {
        let grown = try Self.plan(Self.embedded, Self.embedded.replacingOccurrences(of: "char *user; }", with: "char *user; long uid, gid; }"))
        #expect(grown.refusals.isEmpty, "\(grown.refusals)")
        #expect(Set(grown.typeChanges.map(\.type)) == ["struct login", "struct session"], "\(grown.typeChanges)")
        #expect(grown.admissiblePoints == [1])
        // An array of it in NEW's code relies on the wrapper's size too.
        let array = "void graft_update_point(void);\nstruct item { long a; };\nstatic struct item items[4];\nint main(void) { for (;;) { graft_update_point(); items[1].a++; } }"
        let a = try Self.plan(array, array.replacingOccurrences(of: "long a; }", with: "long a; long b; }"))
        #expect(a.refusals.contains { $0.rule == "PATCH-6" && $0.message.contains("the global 'items' is an array of struct item") }, "\(a.refusals)")
        // Same size (a field renamed in place): the wrappers agree.
        let same = try Self.plan(Self.embedded, Self.embedded.replacingOccurrences(of: "int tries;", with: "int locked;"))
        #expect(!same.refusals.contains { $0.rule == "PATCH-6" }, "\(same.refusals)")
        #expect(same.typeChanges.contains { $0.type == "struct login" })
        // The embedding struct grows, the embedded one does not: nothing relies on session's wrapper size.
        let outer = try Self.plan(Self.embedded, Self.embedded.replacingOccurrences(of: "struct login auth; }", with: "struct login auth; long since; }"))
        #expect(outer.refusals.isEmpty, "\(outer.refusals)")
        #expect(outer.admissiblePoints == [1])
    }

    static let variadic = """
    #include <stdarg.h>
    void graft_update_point(void);
    int vprintf(const char *, va_list);
    static void log_msg(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap); }
    int say(const char *fmt, ...) { va_list ap; va_start(ap, fmt); int n = vprintf(fmt, ap); va_end(ap); return n; }
    int main(void) { for (int i = 0; i < 9; i++) { graft_update_point(); log_msg("%d\\n", i); say("%d\\n", i); } return 0; }
    """

    @Test("a variadic function gets a slot its callers call through: a changed body is admissible; taking its address keeps it without one [PATCH-4]")
    func variadicSlots() throws {
        let (old, _) = try lower(Self.variadic)
        let (q, manifest) = Updatable.instrument(old)
        #expect(Verifier.verify(q).isEmpty, "\(Verifier.verify(q))")
        #expect(manifest.slots["t.c:log_msg"] != nil && manifest.slots["say"] != nil, "\(manifest.slots)")
        // Every call of a variadic function goes through its slot; `say` keeps its name for code outside the program.
        for f in q.functions where f.isDefinition {
            _ = Walk.mapInstructions(f.body!) { i in
                if case .call(_, .direct(let g), _, _) = i { #expect(!q[g].type.variadic || !q[g].isDefinition, "\(f.name) calls \(q[g].name) directly") }
                return i
            }
        }
        #expect(q.functions.contains { $0.name == "say" && $0.isDefinition && $0.storage != .static })
        for (name, edit) in [("t.c:log_msg", ("va_start(ap, fmt); vprintf", "va_start(ap, fmt); vprintf(fmt, ap); vprintf")),
                             ("say", ("return n;", "return n + 1;"))] {
            let p = PatchBuilder.plan(old: old, new: try lower(Self.variadic.replacingOccurrences(of: edit.0, with: edit.1)).0)
            #expect(p.refusals.isEmpty, "\(p.refusals)")
            #expect(p.changedFunctions == [name] && p.admissiblePoints == [1], "\(p.changedFunctions) \(p.verdicts)")
        }
        // NEW takes the address of a variadic function the running program calls through its slot.
        let taken = Self.variadic.replacingOccurrences(of: "int main(void) {", with: "int (*hook)(const char *, ...) = say;\nint main(void) {")
        let t = PatchBuilder.plan(old: old, new: try lower(taken).0)
        #expect(t.refusals.contains { $0.rule == "PATCH-4" && $0.message.contains("takes the address of the variadic function 'say' (in the initializer of 'hook')") }, "\(t.refusals)")
    }
}
