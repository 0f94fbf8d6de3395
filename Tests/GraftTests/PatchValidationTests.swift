// Translation validation of generated patches (Specs/validation.md,
// Sources/Checker/PatchValidation.swift): a correct patch validates clean;
// the generator's output corrupted the way a generator bug would corrupt
// it is caught, each by its own rule.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen

@Suite("Patch validation: the checker re-checks the generated patch (VAL-*)")
struct PatchValidationTests {
    /// What `graft patch` validates: the plan, the patch's code, and the running program as built.
    struct Fixture {
        var old: Program, new: Program, plan: PatchPlan
        var oldBuilt: Program, manifest: BuildManifest
        var code: PatchBuilder.PatchCode
        var input: PatchValidation.Input

        init(old: Program, new: Program, plan: PatchPlan? = nil) {
            self.old = old; self.new = new
            (oldBuilt, manifest) = Updatable.instrument(old)
            let plan = plan ?? PatchBuilder.plan(old: old, new: new, oldManifest: manifest)
            self.plan = plan
            code = PatchBuilder.patchProgram(old: old, new: new, plan: plan, oldManifest: manifest)
            input = code.validationInput(oldBuilt: oldBuilt)
        }

        func validate() -> [Diagnostic] {
            PatchValidation.validate(old: old, oldManifest: manifest, new: new, plan: plan, code: input)
        }
    }

    /// The validation `graft patch` runs, for a plan the generator made from `old` and `new`.
    static func validate(old: Program, new: Program, plan: PatchPlan) -> [Diagnostic] {
        Fixture(old: old, new: new, plan: plan).validate()
    }

    static let old = """
    #include <stdio.h>
    #include <stdlib.h>
    void graft_update_point(void);
    struct item { int a; int b; };
    int total;
    static const short unit = 1;
    struct item *make(int a) { struct item *it = malloc(sizeof *it); it->a = a; it->b = 2 * a; return it; }
    int helper(int x) { return x + unit; }
    int sig(int x) { return x * 2; }
    int score(struct item *it) { return it->a + it->b + helper(total); }
    int phase1(int n) {
        int s = 0;
        for (int i = 0; i < n; i++) { s += i; graft_update_point(); s += sig(i); }
        return s;
    }
    int phase2(struct item *it, int n) {
        for (int i = 0; i < n; i++) { graft_update_point(); total += score(it); printf("%d\\n", total); }
        return total;
    }
    int main(void) {
        struct item *it = make(3);
        printf("%d\\n", phase1(3));
        return phase2(it, 3) > 0 ? 0 : 1;
    }
    """

    /// A field added, score's body changed, sig's signature changed, a read-only global retyped, a new function and global.
    static let new = old
        .replacingOccurrences(of: "struct item { int a; int b; };", with: "struct item { int a; int b; long c; };\nint calls;\nint bonus(int x) { calls++; return x; }")
        .replacingOccurrences(of: "return it->a + it->b + helper(total);", with: "return it->a + it->b + (int)it->c + bonus(helper(total));")
        .replacingOccurrences(of: "int sig(int x)", with: "long sig(long x)")
        .replacingOccurrences(of: "static const short unit = 1;", with: "static const int unit = 1;")

    static func fixture() throws -> Fixture {
        Fixture(old: try lower(old).0, new: try lower(new).0)
    }

    @Test("the generated patch validates clean")
    func clean() throws {
        let f = try Self.fixture()
        print(f.plan.summary, f.plan.verdicts.map { "\($0.point) \($0.place) \($0.admissible) \($0.reasons)" }, f.plan.refusals)
        print(f.code.rebinds, f.code.typeUpdates)
        for g in f.code.program.globals { print("G", g.name, g.identity, g.storage, g.initializer != nil) }
        for g in f.code.program.functions { print("F", g.name, g.identity, g.storage, g.body != nil, g.isInline) }
        let findings = f.validate()
        #expect(findings.isEmpty, "\(findings.map { $0.rendered() })")
    }
}
