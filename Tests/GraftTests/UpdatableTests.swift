// The updatable-build pass and the patch plan, on IR lowered from C.

import Testing
import IR
import Checker
import Codegen

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
            _ = Updatable.mapInstrs(f.body!) { i in
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
        let base = "struct s { int a; }; struct s g; int get(void) { return g.a; } char *raw(struct s *p) { return (char *)p; } int main(void) { return get(); }"
        let (old, _) = try lower(base)
        let (grown, _) = try lower(base.replacingOccurrences(of: "int a; }", with: "int a; long b; }"))
        let r = PatchBuilder.plan(old: old, new: grown).refusals
        #expect(r.contains { $0.rule == "PATCH-2" && $0.loc.line == 1 && $0.message.contains("field b added") && $0.message.contains("not wrapped") })
        let (retyped, _) = try lower(base.replacingOccurrences(of: "struct s g;", with: "struct s g[2];").replacingOccurrences(of: "g.a", with: "g[0].a"))
        #expect(PatchBuilder.plan(old: old, new: retyped).refusals.contains { $0.rule == "PATCH-3" && $0.message.contains("writable") })
        // A read-only table may change type: NEW's definition replaces it.
        let table = "static const int t[2] = {1, 2}; int at(int i) { return t[i]; } int main(void) { return at(0); }"
        let (t1, _) = try lower(table)
        let (t2, _) = try lower(table.replacingOccurrences(of: "t[2] = {1, 2}", with: "t[3] = {1, 2, 3}"))
        let tp = PatchBuilder.plan(old: t1, new: t2)
        #expect(tp.refusals.isEmpty, "\(tp.refusals)")
        #expect(tp.replacedGlobals.count == 1 && tp.recompiled.keys.contains { $0.hasSuffix("at") })
        // A variadic function has no slot: a change to it cannot be redirected [PATCH-4].
        let va = "#include <stdarg.h>\nint sum(int n, ...) { va_list ap; va_start(ap, n); int s = va_arg(ap, int); va_end(ap); return s; }\nint main(void) { return sum(1, 0); }"
        let (v1, _) = try lower(va)
        let (v2, _) = try lower(va.replacingOccurrences(of: "return s;", with: "return s + 1;"))
        #expect(PatchBuilder.plan(old: v1, new: v2).refusals.contains { $0.rule == "PATCH-4" && $0.message.contains("variadic") })
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
