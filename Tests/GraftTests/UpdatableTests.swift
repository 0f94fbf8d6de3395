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
        for (int i = 0; i < 3; i++) { graft_update_point(); counter = op(counter, twice(i)); }
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

    @Test("refusals: a struct that changes layout [PATCH-2], a global that changes type [PATCH-3], a changed function without a slot [PATCH-4]")
    func refusals() throws {
        let base = "struct s { int a; }; struct s g; int get(void) { return g.a; } int main(void) { return get(); }"
        let (old, _) = try lower(base)
        let (grown, _) = try lower(base.replacingOccurrences(of: "int a; }", with: "int a; long b; }"))
        let r = PatchBuilder.plan(old: old, new: grown).refusals
        #expect(r.contains { $0.rule == "PATCH-2" && $0.loc.line == 1 && $0.message.contains("field b added") })
        let (retyped, _) = try lower(base.replacingOccurrences(of: "struct s g;", with: "struct s g[2];").replacingOccurrences(of: "g.a", with: "g[0].a"))
        #expect(PatchBuilder.plan(old: old, new: retyped).refusals.contains { $0.rule == "PATCH-3" })
        // A variadic function has no slot: a change to it cannot be redirected [PATCH-4].
        let va = "#include <stdarg.h>\nint sum(int n, ...) { va_list ap; va_start(ap, n); int s = va_arg(ap, int); va_end(ap); return s; }\nint main(void) { return sum(1, 0); }"
        let (v1, _) = try lower(va)
        let (v2, _) = try lower(va.replacingOccurrences(of: "return s;", with: "return s + 1;"))
        #expect(PatchBuilder.plan(old: v1, new: v2).refusals.contains { $0.rule == "PATCH-4" && $0.message.contains("variadic") })
    }
}
