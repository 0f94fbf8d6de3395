// The reference interpreter applying patches (Interpreter+Patch.swift): each
// case is an OLD/NEW pair planned by PatchBuilder and applied at an update
// point. A safe update must run on as NEW; an unsafe one — applied here even
// where the checker refuses it, to show the oracle sees what the rule
// prevents — must end with the error that names the hazard.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen

@Suite("Interpreter: patches applied at update points")
struct InterpreterPatchTests {
    static let prelude = """
    int printf(const char *, ...);
    void *malloc(unsigned long);
    void free(void *);
    void graft_update_point(void);

    """

    /// OLD and NEW lowered and planned; the patch applied at the first
    /// update point in main, the `occurrence`-th time it is reached.
    static func apply(_ v1: String, _ v2: String, occurrence: Int = 2, requireAdmissible: Bool = true) throws -> (PatchOracle.Run, PatchPlan) {
        let old = try lower(prelude + v1).0, new = try lower(prelude + v2).0
        let plan = PatchBuilder.plan(old: old, new: new)
        guard let point = plan.verdicts.first(where: { $0.function == "main" }) else { throw Diagnostics([Diagnostic(.error, .unknown, "no update point in main")]) }
        if requireAdmissible && !point.admissible { throw Diagnostics([Diagnostic(.error, point.loc, "not admissible: \(point.reasons)")]) }
        return (PatchOracle.run(old: old, new: new, plan: plan, at: point, occurrence: occurrence), plan)
    }

    @Test("a struct that gains and reorders fields is converted when new code reaches it; values kept by name")
    func conversionKeepsValuesByName() throws {
        let v1 = """
        struct item { int a; long b; };
        struct item *heap[2];
        static void step(int i) { struct item *it = heap[i % 2]; it->a += i; it->b += it->a; }
        static void dump(int i) { printf("%d: %d %ld %d %ld\\n", i, heap[0]->a, heap[0]->b, heap[1]->a, heap[1]->b); }
        int main(void) {
            for (int k = 0; k < 2; k++) { heap[k] = malloc(sizeof(struct item)); heap[k]->a = k; heap[k]->b = 10 * k; }
            for (int i = 0; i < 5; i++) { graft_update_point(); step(i); dump(i); }
            return 0;
        }
        """
        let v2 = """
        struct item { long b; short extra; int a; };
        struct item *heap[2];
        static void step(int i) { struct item *it = heap[i % 2]; it->a += i; it->b += it->a; it->extra++; }
        static void dump(int i) { printf("%d: %d %ld %d %ld [%d %d]\\n", i, heap[0]->a, heap[0]->b, heap[1]->a, heap[1]->b, heap[0]->extra, heap[1]->extra); }
        int main(void) {
            for (int k = 0; k < 2; k++) { heap[k] = malloc(sizeof(struct item)); heap[k]->a = k; heap[k]->b = 10 * k; }
            for (int i = 0; i < 5; i++) { graft_update_point(); step(i); dump(i); }
            return 0;
        }
        """
        let (r, plan) = try Self.apply(v1, v2)
        #expect(r.result.error == nil, "\(r.result.error.map(String.init(describing:)) ?? "")")
        #expect(r.result.patched)
        #expect(r.result.conversions == 2, "\(plan.summary)")
        #expect(r.beforeText == "0: 0 0 1 10\n1: 0 0 2 12\n")
        #expect(r.after == "2: 2 2 2 12 [1 0]\n3: 2 2 5 17 [1 1]\n4: 6 8 5 17 [2 1]\n", "\(r.after)")
    }

    @Test("old code on the stack reaching a struct whose layout changed is a stale access")
    func oldCodeReachingChangedStruct() throws {
        let v1 = """
        struct item { int a; int b; };
        struct item g;
        static void work(void) { do { g.a++; graft_update_point(); g.b += g.a; } while (0); }  /* in a loop: not moved (UPD-8) */
        int main(void) { for (int i = 0; i < 3; i++) { graft_update_point(); work(); } printf("%d %d\\n", g.a, g.b); return 0; }
        """
        let v2 = v1.replacingOccurrences(of: "struct item { int a; int b; };", with: "struct item { int b; int a; };")
        let old = try lower(Self.prelude + v1).0, new = try lower(Self.prelude + v2).0
        let plan = PatchBuilder.plan(old: old, new: new)
        let inWork = try #require(plan.verdicts.first { $0.place.contains("work") }, "\(plan.verdicts.map(\.function))")
        #expect(!inWork.admissible, "the checker must refuse the point in work")
        let r = PatchOracle.run(old: old, new: new, plan: plan, at: inWork, occurrence: 0)
        #expect(r.result.error?.kind == .staleRepresentation, "\(String(describing: r.result.error))")
        #expect(r.result.error?.message.contains("'work'") == true)
    }

    @Test("a pointer to a field kept across the update, used after the field moved, is reported")
    func interiorPointerKept() throws {
        let v1 = """
        struct conn { int id; int count; };
        struct conn c;
        int *counter;
        int main(void) {
            counter = &c.count;
            for (int i = 0; i < 4; i++) { graft_update_point(); c.id = i; (*counter)++; }
            printf("%d\\n", c.count);
            return 0;
        }
        """
        let v2 = v1.replacingOccurrences(of: "struct conn { int id; int count; };", with: "struct conn { int count; int id; };")
        let (r, plan) = try Self.apply(v1, v2, requireAdmissible: false)
        _ = plan
        #expect(r.result.error?.kind == .staleRepresentation, "\(String(describing: r.result.error))")
    }

    @Test("a function rebound with a changed signature, called by old code, is reported; called by new code, it runs")
    func signatureAcrossVersions() throws {
        let v1 = """
        static int scale(int x) { return 2 * x; }
        static int total;
        int main(void) {
            for (int i = 0; i < 4; i++) { graft_update_point(); total += scale(i); }
            printf("%d\\n", total);
            return 0;
        }
        """
        let v2 = v1.replacingOccurrences(of: "static int scale(int x) { return 2 * x; }", with: "static int scale(int x, int y) { return 3 * x + y; }")
            .replacingOccurrences(of: "total += scale(i);", with: "total += scale(i, 1);")
        let (r, _) = try Self.apply(v1, v2, occurrence: 2)
        #expect(r.result.error == nil, "\(String(describing: r.result.error))")
        // 0 + 2 (old), then 3*2+1 + 3*3+1 (new).
        #expect(r.result.stdoutText == "19\n", "\(r.result.stdoutText)")
    }
}

extension InterpreterPatchTests {
    @Test("a struct embedded in a converted one is converted by name too, and a whole copy by new code into a fresh object keeps the new layout")
    func nestedConversion() throws {
        let v1 = """
        struct pos { int x; int y; };
        struct item { long b; struct pos p; int a; };
        struct item *heap[1];
        static void step(int i) {
            struct item *it = heap[0];
            it->b += i;
            if (i == 2) { struct item *fresh = malloc(sizeof *fresh); *fresh = *it; free(it); heap[0] = fresh; }
        }
        int main(void) {
            heap[0] = malloc(sizeof(struct item));
            heap[0]->p.x = 3; heap[0]->p.y = 4; heap[0]->a = 5;
            for (int i = 0; i < 4; i++) { graft_update_point(); step(i); printf("%ld %d %d %d\\n", heap[0]->b, heap[0]->p.x, heap[0]->p.y, heap[0]->a); }
            return 0;
        }
        """
        let v2 = v1.replacingOccurrences(of: "struct pos { int x; int y; };", with: "struct pos { int y; int x; };")
        let (r, plan) = try Self.apply(v1, v2, occurrence: 2)
        #expect(r.result.error == nil, "\(String(describing: r.result.error)) \(plan.summary)")
        #expect(r.result.stdoutText == "0 3 4 5\n1 3 4 5\n3 3 4 5\n6 3 4 5\n", "\(r.result.stdoutText)")
    }
}

extension InterpreterPatchTests {
    @Test("[UPD-1] a struct passed by value from old code to a function rebound over its extension: the checker refuses the point, and the interpreter applying it anyway sees the other version's shape")
    func byValueAcrossVersions() throws {
        let v1 = """
        struct item { long b; int a; };
        struct item g = { 1, 2 };
        long total;
        static long weigh(struct item v) { return v.a + v.b; }
        static void step(void) { do { g.b++; graft_update_point(); total += weigh(g); } while (0); }  /* in a loop: not moved (UPD-8) */
        int main(void) { for (int i = 0; i < 3; i++) { graft_update_point(); step(); } printf("%ld\\n", total); return 0; }
        """
        let v2 = v1.replacingOccurrences(of: "struct item { long b; int a; };", with: "struct item { long b; int a; long extra; };")
            .replacingOccurrences(of: "struct item g = { 1, 2 };", with: "struct item g = { 1, 2, 0 };")
        let old = try lower(Self.prelude + v1).0, new = try lower(Self.prelude + v2).0
        let plan = PatchBuilder.plan(old: old, new: new)
        let inStep = try #require(plan.verdicts.first { $0.place.contains("step") })
        #expect(!inStep.admissible && inStep.blockers.contains { $0.rule == "UPD-1" && $0.message.contains("by value") }, "\(inStep.reasons)")
        #expect(plan.verdicts.first { $0.function == "main" }?.admissible == true, "\(plan.verdicts.map(\.reasons))")
        let r = PatchOracle.run(old: old, new: new, plan: plan, at: inStep, occurrence: 1)
        #expect(r.result.error?.kind == .staleRepresentation && r.result.error?.message.contains("by value") == true, "\(String(describing: r.result.error))")
    }
}
