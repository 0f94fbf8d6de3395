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
    int first(struct item *it) { return it->a; }
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

    /// A field added, score's body changed, a new global holding helper's address, sig's signature changed, a read-only global retyped, a new function and global.
    static let new = old
        .replacingOccurrences(of: "struct item { int a; int b; };", with: "struct item { int a; int b; long c; };\nint calls;\nint bonus(int x) { calls++; return x; }")
        .replacingOccurrences(of: "return it->a + it->b + helper(total);", with: "return it->a + it->b + (int)it->c + bonus(helper(total));")
        .replacingOccurrences(of: "int sig(int x)", with: "long sig(long x)")
        .replacingOccurrences(of: "int first(", with: "int (*pick)(int) = helper;\nint first(")
        .replacingOccurrences(of: "static const short unit = 1;", with: "static const int unit = 1;")

    static func fixture() throws -> Fixture {
        Fixture(old: try lower(old).0, new: try lower(new).0)
    }

    @Test("the generated patch validates clean")
    func clean() throws {
        let f = try Self.fixture()
        // The fixture exercises every part: a conversion, changed, recompiled and new functions, a new and a redefined global, a blocked point.
        #expect(f.plan.refusals.isEmpty && f.plan.admissiblePoints == [2] && f.plan.verdicts.count == 2)
        #expect(f.plan.typeChanges.map(\.type) == ["struct item"] && f.plan.replacedGlobals.count == 1 && f.plan.newFunctions == ["bonus"])
        #expect(f.code.rebinds.count == f.plan.changedFunctions.count && f.input.conversions.count == 1)
        let findings = f.validate()
        #expect(findings.isEmpty, "\(findings.map { $0.rendered() })")
    }

    @Test("a pointer to a struct NEW no longer has, now `void *`, beside an appended field: a conversion by both the plan and VAL-4, so the patch validates clean")
    func pointerToGoneStruct() throws {
        let old = """
        #include <stdlib.h>
        void graft_update_point(void);
        struct gone { int x; };
        struct node { struct gone *g; int n; };
        struct node *make(void) { struct node *p = calloc(1, sizeof *p); return p; }
        int use(struct node *p) { return p->n; }
        int main(void) { struct node *p = make(); for (int i = 0; i < 3; i++) { graft_update_point(); p->n += use(p); } return 0; }
        """
        let new = old.replacingOccurrences(of: "struct gone { int x; };\n", with: "")
            .replacingOccurrences(of: "struct node { struct gone *g; int n; };", with: "struct node { void *g; int n; long added; };")
        let f = Fixture(old: try lower(old).0, new: try lower(new).0)
        #expect(f.plan.refusals.isEmpty, "\(f.plan.refusals)")
        #expect(f.plan.typeChanges.map { "\($0.type) \($0.extends)" } == ["struct node false"], "\(f.plan.typeChanges)")
        let findings = f.validate()
        #expect(findings.isEmpty, "\(findings.map { $0.rendered() })")
    }

    /// The rules of `findings`, for the expectations; each corruption is caught by (at least) its own.
    static func rules(_ findings: [Diagnostic]) -> Set<String> { Set(findings.compactMap(\.rule)) }

    static func function(_ f: Fixture, identity: String, rebound: Bool) -> Int? {
        let slots = Set(f.code.rebinds.map(\.function))
        return f.input.program.functions.firstIndex { $0.identity == identity && $0.isDefinition && slots.contains($0.name) == rebound }
    }

    @Test("VAL-1: an extern declaration retyped in the patch program")
    func retypedDeclaration() throws {
        var f = try Self.fixture()
        let i = try #require(f.input.program.globals.firstIndex { $0.identity == "total" && $0.storage == .extern })
        f.input.program.globals[i].type = .int(.long)
        #expect(Self.rules(f.validate()).contains("VAL-1"), "\(f.validate())")
    }

    @Test("VAL-1: a function's declaration retyped in the patch program")
    func retypedFunctionDeclaration() throws {
        var f = try Self.fixture()
        // The new global pick holds the running program's helper (its trampoline), declared by name.
        let i = try #require(f.input.program.functions.firstIndex { $0.name == "helper" && !$0.isDefinition })
        f.input.program.functions[i].type.result = .int(.long)
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-1" && $0.message.contains("function 'helper' with another type") }, "\(findings)")
    }

    @Test("VAL-1: a declaration that names another entity of the running program")
    func misnamedDeclaration() throws {
        var f = try Self.fixture()
        // score's implementation reads total; its declaration now names the running program's slot of main.
        let i = try #require(f.input.program.globals.firstIndex { $0.identity == "total" && $0.storage == .extern })
        f.input.program.globals[i].name = try #require(f.manifest.slots["main"])
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-1" && $0.message.contains("which is the running program's slot:main") }, "\(findings)")
    }

    @Test("VAL-1: a rebind dropped")
    func droppedRebind() throws {
        var f = try Self.fixture()
        f.input.rebinds.removeAll { $0.slot == f.manifest.slots["score"] }
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-1" && $0.message.contains("its slot is not rebound to it") }, "\(findings)")
        #expect(findings.contains { $0.rule == "VAL-1" && $0.message.contains("does not rebind its slot") }, "\(findings)")
    }

    @Test("VAL-1: a slot rebound to another function's implementation")
    func wrongRebind() throws {
        var f = try Self.fixture()
        let helper = try #require(f.code.rebinds.first { $0.slot == f.manifest.slots["helper"] }?.function)
        let i = try #require(f.input.rebinds.firstIndex { $0.slot == f.manifest.slots["score"] })
        f.input.rebinds[i].function = helper
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-1" && $0.message.contains("not a function the patch defines for it") }, "\(findings)")
    }

    @Test("VAL-1: a global of the running program defined again by the patch")
    func definedTwice() throws {
        var f = try Self.fixture()
        let i = try #require(f.input.program.globals.firstIndex { $0.identity == "total" && $0.storage == .extern })
        f.input.program.globals[i].storage = .none
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-1" && $0.message.contains("already defines") }, "\(findings)")
    }

    @Test("VAL-1: a new function's slot holding another function")
    func wrongSlot() throws {
        var f = try Self.fixture()
        let i = try #require(f.input.program.globals.firstIndex { $0.identity == "slot:bonus" })
        let other = try #require(Self.function(f, identity: "score", rebound: true))
        f.input.program.globals[i].initializer = .expr(.function(FuncID(other)))
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-1" && $0.message.contains("does not hold the patch's definition of bonus") }, "\(findings)")
    }

    @Test("VAL-2: a new global defined with another initializer than NEW's")
    func wrongInitializer() throws {
        var f = try Self.fixture()
        let i = try #require(f.input.program.globals.firstIndex { $0.name == "calls" })
        f.input.program.globals[i].initializer = .expr(.const(.int(5), .int(.int)))
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-2" && $0.message.contains("otherwise than NEW does") }, "\(findings)")
    }

    /// A running object of a wrapped struct that grows, and NEW's new table of its fields' addresses (ALIAS-7).
    static func settingsFixture() throws -> Fixture {
        let old = """
        #include <stdio.h>
        void graft_update_point(void);
        struct settings { int port; int max; };
        struct settings cfg = { 2121, 0 };
        int main(void) { for (int i = 0; i < 3; i++) { graft_update_point(); cfg.max++; printf("%d\\n", cfg.max); } return 0; }
        """
        let new = """
        #include <stdio.h>
        void graft_update_point(void);
        struct settings { int port; int max; long spare[8]; };
        struct settings cfg = { 2121, 0, { 0 } };
        static int *const table[] = { &cfg.port, &cfg.max };
        int main(void) { for (int i = 0; i < 3; i++) { graft_update_point(); (*table[1])++; printf("%d\\n", cfg.max); } return 0; }
        """
        return Fixture(old: try lower(old).0, new: try lower(new).0)
    }

    @Test("[ALIAS-7] VAL-2: the addresses of the running cfg's fields in NEW's new table are set when the patch is committed; the patch validates clean")
    func commitTimeAddresses() throws {
        let f = try Self.settingsFixture()
        #expect(f.plan.refusals.isEmpty && f.plan.typeChanges.map(\.type) == ["struct settings"], "\(f.plan.refusals)")
        let t = try #require(f.input.program.globals.first { $0.sourceName == "table" && $0.storage != .extern })
        #expect(t.initializer.map { LoadTimeAddresses.leaves($0, type: t.type, in: f.input.program) }?.isEmpty ?? true, "the loader sets no element")
        #expect(f.validate().isEmpty, "\(f.validate().map { $0.rendered() })")
    }

    @Test("[ALIAS-7] VAL-2: the commit's assignments dropped, or put back into the initializer for the loader, are caught")
    func commitTimeAddressesCorrupted() throws {
        var dropped = try Self.settingsFixture()
        let name = try #require(dropped.input.stateTransformer)
        let k = try #require(dropped.input.program.functions.firstIndex { $0.name == name && $0.isDefinition })
        guard case .block(let body)? = dropped.input.program.functions[k].body else { Issue.record("no commit body"); return }
        var assigned: [(Offset, Expr)] = []
        for case .instr(.assign(let lv, let e, _)) in body { if let o = lv.offsets.first { assigned.append((o, e)) } }
        #expect(assigned.count == 2)
        dropped.input.program.functions[k].body = .block([])
        let a = dropped.validate()
        #expect(a.contains { $0.rule == "VAL-2" && $0.message.contains("otherwise than NEW does") }, "\(a)")

        var loader = try Self.settingsFixture()
        let g = try #require(loader.input.program.globals.firstIndex { $0.sourceName == "table" && $0.storage != .extern })
        let t = loader.input.program.globals[g].type
        loader.input.program.globals[g].initializer = .compound(t, assigned.enumerated().map { InitEntry(.index($0.offset), .expr($0.element.1)) })
        loader.input.program.functions[k].body = .block([])
        let b = loader.validate()
        #expect(b.contains { $0.rule == "VAL-2" && $0.message.contains("takes the address of a field of the running program's 'cfg'") }, "\(b)")
    }

    @Test("VAL-2: a changed function dropped from the plan")
    func droppedChangedFunction() throws {
        let base = try Self.fixture()
        var plan = base.plan
        plan.changedFunctions.removeAll { $0 == "score" }
        let f = Fixture(old: base.old, new: base.new, plan: plan)
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-2" && $0.message.contains("score must be replaced") }, "\(findings)")
    }

    @Test("VAL-2: a recompiled function dropped from the plan")
    func droppedRecompiledFunction() throws {
        let base = try Self.fixture()
        // first's text is unchanged; it is recompiled because it handles struct item, whose layout changed.
        #expect(base.plan.recompiled["first"] != nil)
        var plan = base.plan
        plan.changedFunctions.removeAll { $0 == "first" }
        plan.recompiled["first"] = nil
        let findings = Fixture(old: base.old, new: base.new, plan: plan).validate()
        #expect(findings.contains { $0.rule == "VAL-2" && $0.message.contains("first") && $0.message.contains("struct item") }, "\(findings)")
    }

    @Test("VAL-2: a new function dropped from the plan")
    func droppedNewFunction() throws {
        let base = try Self.fixture()
        var plan = base.plan
        plan.newFunctions.removeAll { $0 == "bonus" }
        let findings = Fixture(old: base.old, new: base.new, plan: plan).validate()
        #expect(findings.contains { $0.rule == "VAL-2" && $0.message.contains("bonus is new in NEW") }, "\(findings)")
    }

    @Test("VAL-2: the patch's implementation is not NEW's code")
    func wrongBody() throws {
        var f = try Self.fixture()
        let i = try #require(Self.function(f, identity: "score", rebound: true))
        f.input.program.functions[i].body = .return(.const(.int(0), .int(.int)), .unknown)
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-2" && $0.message.contains("score") }, "\(findings)")
    }

    @Test("VAL-2: a new global left undefined")
    func undefinedNewGlobal() throws {
        var f = try Self.fixture()
        let i = try #require(f.input.program.globals.firstIndex { $0.name == "calls" })
        f.input.program.globals[i].storage = .extern
        f.input.program.globals[i].initializer = nil
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-2" && $0.message.contains("global calls is new in NEW") }, "\(findings)")
    }

    @Test("VAL-3: a type change dropped from the plan")
    func droppedTypeChange() throws {
        let base = try Self.fixture()
        var plan = base.plan
        plan.typeChanges = []
        let f = Fixture(old: base.old, new: base.new, plan: plan)
        #expect(f.input.conversions.isEmpty)
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-3" && $0.message.contains("struct item") }, "\(findings)")
    }

    @Test("VAL-3: a conversion dropped from the patch")
    func droppedConversion() throws {
        var f = try Self.fixture()
        f.input.conversions = []
        #expect(Self.rules(f.validate()).contains("VAL-3"))
    }

    @Test("VAL-3: a default copy from a differently named field")
    func swappedCopy() throws {
        var f = try Self.fixture()
        let c = try #require(f.input.conversions.first)
        let a = try #require(f.input.program[c.newRecord].fields?.firstIndex { $0.name == "a" })
        let b = try #require(f.input.program[c.oldLayout].fields?.firstIndex { $0.name == "b" })
        let k = try #require(c.copies.firstIndex { $0.new == a })
        f.input.conversions[0].copies[k].old = b
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-3" && $0.message.contains("'b'") }, "\(findings)")
    }

    @Test("VAL-3: an old layout with a shifted offset")
    func shiftedOldLayout() throws {
        var f = try Self.fixture()
        let c = try #require(f.input.conversions.first)
        f.input.program.records[c.oldLayout.index].fields![1].offsetBits += 8
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-3" && $0.message.contains("layout") }, "\(findings)")
    }

    @Test("VAL-3: a conversion running a hand-written transformer the plan does not name")
    func strayTransformer() throws {
        var f = try Self.fixture()
        f.input.conversions[0].transformer = FuncID(try #require(Self.function(f, identity: "score", rebound: true)))
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-3" && $0.message.contains("but the plan says none") }, "\(findings)")
    }

    @Test("VAL-3: a struct the running program does not wrap may not change")
    func unwrappedChange() throws {
        // Punned through char *: not wrapped (ALIAS-2); the generator refuses (PATCH-2), and the checker agrees.
        let old = Self.old.replacingOccurrences(of: "int helper(int x) { return x + unit; }",
                                                with: "int helper(int x) { struct item it = { x, x }; char *p = (char *)&it; return p[0] + unit; }")
        let new = Self.new.replacingOccurrences(of: "int helper(int x) { return x + unit; }",
                                                with: "int helper(int x) { struct item it = { x, x }; char *p = (char *)&it; return p[0] + unit; }")
        let f = Fixture(old: try lower(old).0, new: try lower(new).0)
        #expect(f.plan.refusals.contains { $0.rule == "PATCH-2" })
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-3" && $0.message.contains("not wrapped") }, "\(findings)")
    }

    @Test("VAL-4: a blocked update point admitted")
    func admittedBlockedPoint() throws {
        let base = try Self.fixture()
        var plan = base.plan
        let i = try #require(plan.verdicts.firstIndex { !$0.admissible })
        plan.verdicts[i].admissible = true
        plan.verdicts[i].blockers = []
        // Even with the signature change dropped from the plan, the checker sees it in OLD and NEW.
        plan.signatureChanges = []
        let findings = Fixture(old: base.old, new: base.new, plan: plan).validate()
        #expect(findings.contains { $0.rule == "VAL-4" && $0.message.contains("sig") }, "\(findings)")
    }

    @Test("VAL-4: a layout said to extend the old one that does not")
    func falseExtension() throws {
        // A field inserted in front: every old field moves, so old code may not read a converted value.
        let new = Self.new.replacingOccurrences(of: "struct item { int a; int b; long c; };", with: "struct item { long c; int a; int b; };")
        let base = Fixture(old: try lower(Self.old).0, new: try lower(new).0)
        #expect(base.plan.refusals.isEmpty && base.plan.typeChanges.count == 1 && !base.plan.typeChanges[0].extends)
        #expect(base.validate().isEmpty, "\(base.validate())")
        var f = base
        f.plan.typeChanges[0].extends = true
        f.input.conversions[0].extends = true
        let findings = f.validate()
        #expect(findings.contains { $0.rule == "VAL-4" && $0.message.contains("extends the old one, but it does not") }, "\(findings)")
    }

    @Test("VAL-4: a function whose signature changes, reached through a pointer the running program keeps")
    func pointedSignatureChange() throws {
        // The running program keeps sig's address in a global: the generator refuses (PATCH-9); were a
        // generator to admit it, the checker does not confirm it.
        let old = Self.old.replacingOccurrences(of: "int score(", with: "int (*keep)(int) = sig;\nint score(")
        let new = Self.new.replacingOccurrences(of: "int score(", with: "long (*keep)(long) = sig;\nint score(")
        let base = Fixture(old: try lower(old).0, new: try lower(new).0)
        #expect(base.plan.refusals.contains { $0.rule == "PATCH-9" } && !base.plan.admissiblePoints.isEmpty)
        let findings = base.validate()
        #expect(findings.contains { $0.rule == "VAL-4" && $0.message.contains("signature of sig changes and its address is taken") }, "\(findings)")
    }

    @Test("VAL-4: an update point the running program does not have")
    func unknownPoint() throws {
        let base = try Self.fixture()
        var plan = base.plan
        plan.verdicts.append(PointVerdict(point: 99, function: "main", place: "main", loc: .unknown, admissible: true, blockers: []))
        let findings = Fixture(old: base.old, new: base.new, plan: plan).validate()
        #expect(findings.contains { $0.rule == "VAL-4" && $0.message.contains("99") }, "\(findings)")
    }

    /// Correct patches of shapes the fixture does not have validate clean too.
    @Test("a changed variadic function (static, and with external linkage) validates clean")
    func variadic() throws {
        let v1 = LiveUpdateTests.logProgram
        let v2 = v1.replacingOccurrences(of: "\"[info] \"", with: "\"[log] \"").replacingOccurrences(of: "\"note \"", with: "\"NOTE \"")
        let f = Fixture(old: try lower(v1, flags: ["-D__GRAFT__"]).0, new: try lower(v2, flags: ["-D__GRAFT__"]).0)
        #expect(f.plan.refusals.isEmpty && !f.plan.admissiblePoints.isEmpty)
        let findings = f.validate()
        #expect(findings.isEmpty, "\(findings.map { $0.rendered() })")
    }
}
