// Translation validation of a patch (Specs/validation.md, VAL-*): the
// patch generator (Sources/Codegen/Patch.swift) is clever and not trusted;
// this re-checks what it produced — the patch's program, and the plan
// (PatchRules.plan) it was made from —
// against OLD and NEW with small, direct code before anything is emitted
// (DESIGN.md "Trust"). It never calls the generator: what must change, what
// the running program defines and what blocks an update point are derived
// again here from the two programs, with Fingerprint, Uses, AliasAnalysis
// and Updatability.

import IR

public enum PatchValidation {
    /// A type conversion the patch installs (the generator's TypeUpdateSpec, in IR terms).
    public struct Conversion: Sendable {
        public var identity: String
        /// The NEW record, in the patch program.
        public var newRecord: RecordID
        /// The record of the patch program laid out as the running program's payload.
        public var oldLayout: RecordID
        /// The default transformer's copies: (field of newRecord, field of oldLayout).
        public var copies: [(new: Int, old: Int)]
        /// The hand-written transformer run after the default one, in the patch program.
        public var transformer: FuncID?
        /// The code claims the new layout extends the old: old code may go on reading converted values (UPD-2).
        public var extends: Bool
        /// New fields the default transformer sets to a constant (fields of newRecord).
        public var initials: [TypeUpdateSpec.Initial] = []
        /// Fields holding wrapped records, converted through their representation (REP-7).
        public var inner: [TypeUpdateSpec.Inner] = []
        public init(identity: String, newRecord: RecordID, oldLayout: RecordID, copies: [(new: Int, old: Int)],
                    transformer: FuncID? = nil, extends: Bool = false, initials: [TypeUpdateSpec.Initial] = [],
                    inner: [TypeUpdateSpec.Inner] = []) {
            self.identity = identity; self.newRecord = newRecord; self.oldLayout = oldLayout; self.copies = copies
            self.transformer = transformer; self.extends = extends; self.initials = initials; self.inner = inner
        }
    }

    /// What the generator produced, and the running program as it was built.
    public struct Input {
        /// The patch's program (NEW instrumented, the running program's entities declared by name).
        public var program: Program
        /// Slot name → the patch function it is rebound to.
        public var rebinds: [(slot: String, function: String)]
        public var conversions: [Conversion]
        /// OLD as the running program was built (instrumented): what it defines, under which names.
        public var oldBuilt: Program
        /// The loop-body extraction the build applies (UPD-3): OLD and NEW are compared as they run.
        public var extract: (Program) -> Program
        /// The function the runtime runs when the patch is applied (the carry of PATCH-3's globals, or the state transformer).
        public var stateTransformer: String?
        public init(program: Program, rebinds: [(slot: String, function: String)], conversions: [Conversion],
                    oldBuilt: Program, extract: @escaping (Program) -> Program, stateTransformer: String? = nil) {
            self.program = program; self.rebinds = rebinds; self.conversions = conversions
            self.oldBuilt = oldBuilt; self.extract = extract; self.stateTransformer = stateTransformer
        }
    }

    /// The name an old layout (the record a conversion reads the running
    /// program's value with) gives its j-th field when that is an anonymous
    /// member: its bytes, named, so that the conversion can copy them.
    public static func anonymousLayoutName(_ j: Int) -> String { "graft_anon\(j)" }

    /// NEW with the identities of statics the plan matched across files (PATCH-1) replaced by the running program's.
    public static func matched(_ new: Program, moved: [String: String]) -> Program {
        guard !moved.isEmpty else { return new }
        var p = new
        for i in p.functions.indices { if let m = moved[p.functions[i].identity] { p.functions[i].identity = m } }
        for i in p.globals.indices { if let m = moved[p.globals[i].identity] { p.globals[i].identity = m } }
        return p
    }

    public static func validate(old: Program, oldManifest: BuildManifest, new: Program, plan: PatchPlan, code: Input) -> [Diagnostic] {
        var v = Validator(old: old, manifest: oldManifest, new: new, plan: plan, code: code)
        v.linking()
        v.completeness()
        v.conversions()
        v.verdicts()
        return v.out
    }

    // MARK: Shared derivations

    static func typeKey(_ t: CType, in p: Program) -> String { String(describing: Fingerprint.identityMapper(p).map(t)) }

    /// A function's code as the programmer wrote it, for comparing the patch's
    /// implementation with NEW's function: a call through the slot of F is a
    /// call of F, a numbered update point is `graft_update_point()`, and what
    /// the instrumentation sets on a definition (name, linkage, inline,
    /// attributes) is left out.
    static func code(_ f: Function, in p: Program, undoInstrumentation: Bool) -> String {
        var g = f
        g.storage = .none
        g.isInline = false
        g.attributes = []
        if undoInstrumentation, let body = f.body {
            var byIdentity: [String: FuncID] = [:]
            for h in p.functions where byIdentity[h.identity] == nil { byIdentity[h.identity] = h.id }
            let point = p.functions.first { $0.name == BuildManifest.updatePointFunction }?.id
            g.body = Walk.mapInstructions(body) { i in
                guard case .call(let r, let callee, let args, let loc) = i else { return i }
                switch callee {
                case .indirect(.read(let lv)) where lv.offsets.isEmpty:
                    guard case .global(let s) = lv.host, p.globals.indices.contains(s.index),
                          p.globals[s.index].identity.hasPrefix("slot:"),
                          let target = byIdentity[String(p.globals[s.index].identity.dropFirst(5))] else { return i }
                    return .call(result: r, callee: .direct(target), args: args, loc)
                case .direct(let h) where p.functions.indices.contains(h.index) && p.functions[h.index].name == updatePointAt:
                    guard let point else { return i }
                    return .call(result: r, callee: .direct(point), args: [], loc)
                default: return i
                }
            }
        }
        return Fingerprint.of(g, in: p)
    }

    /// The name prefix of the function a patch has the runtime run when it is committed, when the patch
    /// brings one of its own: it carries globals over (PATCH-3), sets the addresses of running objects'
    /// fields in NEW's initializers (ALIAS-7), then calls NEW's state transformer.
    public static let commitPrefix = "graft_carry__"

    /// The identity prefix of the patch's declaration of a running program's global at OLD's type: one it carries
    /// over (PATCH-3), or one a transformer names (TRANS-6).
    public static let runningGlobalPrefix = "graft-running:"
    /// The identity of the running program's global that a patch's declaration with identity `id` names, if it is marked so.
    public static func runningIdentity(_ id: String) -> String? {
        id.hasPrefix(runningGlobalPrefix) ? String(id.dropFirst(runningGlobalPrefix.count)) : nil
    }

    /// The instrumented update point (Sources/Instrument/Updatable.swift).
    static let updatePointAt = BuildManifest.updatePointAtFunction


}

/// One validation: OLD and NEW as they run, and the findings.
struct Validator {
    let old: Program, manifest: BuildManifest, new: Program, plan: PatchPlan, code: PatchValidation.Input
    /// OLD and NEW (statics matched) with their loop bodies extracted, as they run.
    let oe: Program, ne: Program
    let patch: Program
    var out: [Diagnostic] = []

    let oldFuncs: [String: Function], newFuncs: [String: Function]
    let oldGlobals: [String: GlobalVar], newGlobals: [String: GlobalVar]
    let oldRecords: [String: Record], newRecords: [String: Record]
    /// Records whose layout changed (by identity), globals whose type changed, functions whose signature changed.
    var changedRecords: Set<String> = []
    var retypedGlobals: Set<String> = []
    /// Of those, the ones retyped to a type of the same representation: kept in place (PATCH-3).
    var inPlace: Set<String> = []
    var signatureChanged: Set<String> = []

    init(old: Program, manifest: BuildManifest, new: Program, plan: PatchPlan, code: PatchValidation.Input) {
        self.old = old; self.manifest = manifest; self.new = new; self.plan = plan; self.code = code
        oe = code.extract(old)
        ne = code.extract(PatchValidation.matched(new, moved: plan.moved))
        patch = code.program
        func defs<T>(_ xs: [T], _ id: (T) -> String, _ isDef: (T) -> Bool) -> [String: T] {
            var d: [String: T] = [:]
            for x in xs where isDef(x) && d[id(x)] == nil { d[id(x)] = x }
            return d
        }
        oldFuncs = defs(oe.functions, \.identity, \.isDefinition)
        newFuncs = defs(ne.functions, \.identity, \.isDefinition)
        oldGlobals = defs(oe.globals, \.identity) { $0.storage != .extern || $0.initializer != nil }
        newGlobals = defs(ne.globals, \.identity) { $0.storage != .extern || $0.initializer != nil }
        let named: (Record) -> Bool = { $0.fields != nil && !$0.tag.hasPrefix("__anon_") && !$0.isAnonymousMember }
        oldRecords = defs(oe.records, \.identity, named)
        newRecords = defs(ne.records, \.identity, named)
        for (id, r) in newRecords {
            guard let o = oldRecords[id] else { continue }
            if Fingerprint.of(o, in: oe, enumValues: false) != Fingerprint.of(r, in: ne, enumValues: false) { changedRecords.insert(id) }
        }
        for (id, g) in newGlobals {
            guard let o = oldGlobals[id] else { continue }
            if PatchValidation.typeKey(o.type, in: oe) != PatchValidation.typeKey(g.type, in: ne) {
                retypedGlobals.insert(id)
                if Conversions.sameRepresentation(oe.unroll(o.type), ne.unroll(g.type)) { inPlace.insert(id) }
            }
        }
        for (id, f) in newFuncs {
            guard let o = oldFuncs[id] else { continue }
            if PatchValidation.typeKey(.function(o.type), in: oe) != PatchValidation.typeKey(.function(f.type), in: ne) {
                signatureChanged.insert(id)
            }
        }
    }

    mutating func error(_ rule: String, _ loc: SourceLoc, _ message: String) {
        out.append(Diagnostic(.error, loc, "patch validation: " + message, rule: rule))
    }

    /// What the running program defines, by exported name: functions and globals with external linkage.
    func runningDefinitions() -> (functions: [String: Function], globals: [String: GlobalVar]) {
        var fs: [String: Function] = [:], gs: [String: GlobalVar] = [:]
        for f in code.oldBuilt.functions where f.isDefinition && f.storage != .static && !f.isInline && fs[f.name] == nil { fs[f.name] = f }
        for g in code.oldBuilt.globals where g.storage != .static && (g.storage != .extern || g.initializer != nil) && gs[g.name] == nil { gs[g.name] = g }
        // And every global by its alias (GlobalAliases), which is how a patch names it.
        for g in code.oldBuilt.globals where GlobalAliases.aliased(g) {
            let a = GlobalAliases.name(identity: g.identity, type: g.type, in: code.oldBuilt)
            if gs[a] == nil { gs[a] = g }
        }
        return (fs, gs)
    }

    /// The functions and globals the patch's code refers to (its definitions and initializers).
    func referenced() -> (functions: Set<Int>, globals: Set<Int>) {
        var fs: Set<Int> = [], gs: Set<Int> = []
        for f in patch.functions where f.isDefinition {
            let u = Uses.of(f, in: patch)
            fs.formUnion(u.directCallees.map(\.index)); fs.formUnion(u.functionsNamed.map(\.index)); gs.formUnion(u.globals.map(\.index))
        }
        for g in patch.globals {
            guard let i = g.initializer else { continue }
            let u = Uses.of(i, in: patch)
            fs.formUnion(u.functionsNamed.map(\.index)); gs.formUnion(u.globals.map(\.index))
        }
        return (fs, gs)
    }

    // MARK: VAL-1 Linking

    mutating func linking() {
        let running = runningDefinitions()
        let refs = referenced()
        let changed = Set(plan.changedFunctions), added = Set(plan.newFunctions)
        let slotOwner = Dictionary(manifest.slots.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        let rebound = Dictionary(code.rebinds.map { ($0.slot, $0.function) }, uniquingKeysWith: { a, _ in a })
        // VAL-1: each declaration the patch uses resolves to the running program's definition of that name, of that type.
        for f in patch.functions where !f.isDefinition && refs.functions.contains(f.id.index) && Rules.enforced("VAL-1", site: "function") {
            if let d = running.functions[f.name] {
                if d.identity != f.identity {
                    error("VAL-1", f.loc, "the patch refers to \(f.identity) as '\(f.name)', which is the running program's \(d.identity)")
                } else if PatchValidation.typeKey(.function(f.type), in: patch) != PatchValidation.typeKey(.function(d.type), in: code.oldBuilt) {
                    error("VAL-1", f.loc, "the patch declares function '\(f.name)' with another type than the running program defines it with")
                }
            } else if f.storage == .static {
                error("VAL-1", f.loc, "the patch calls the static function '\(f.name)' without defining it")
            } else if oldFuncs[f.identity] != nil || newFuncs[f.identity] != nil, f.name != PatchValidation.updatePointAt {
                error("VAL-1", f.loc, "the patch refers to '\(f.name)' (\(f.identity)) by name, but the running program defines no function of that name")
            }
        }
        for g in patch.globals where g.storage == .extern && g.initializer == nil && refs.globals.contains(g.id.index) && Rules.enforced("VAL-1", site: "global") {
            if let d = running.globals[g.name] {
                // The running program's value of a global the patch carries over (PATCH-3) is declared at its old type.
                let identity = PatchValidation.runningIdentity(g.identity) ?? g.identity
                if d.identity != identity {
                    error("VAL-1", g.loc, "the patch refers to global \(identity) as '\(g.name)', which is the running program's \(d.identity)")
                    continue
                }
                // A rebound slot holds NEW's implementation: its type is checked with the rebind, below.
                if let owner = slotOwner[g.name], changed.contains(owner) { continue }
                // A global retyped in place is declared at NEW's type, of the same representation as the running one.
                if inPlace.contains(g.identity) && plan.retypedInPlace.contains(g.identity)
                    && Conversions.sameRepresentation(patch.unroll(g.type), code.oldBuilt.unroll(d.type)) { continue }
                if PatchValidation.typeKey(g.type, in: patch) != PatchValidation.typeKey(d.type, in: code.oldBuilt) {
                    error("VAL-1", g.loc, "the patch declares global '\(g.name)' with another type than the running program defines it with")
                }
            } else if oldGlobals[g.identity] != nil || newGlobals[g.identity] != nil || g.identity.hasPrefix("slot:") {
                error("VAL-1", g.loc, "the patch refers to global '\(g.name)' (\(g.identity)) by name, but the running program defines no global of that name")
            }
        }
        // VAL-1: nothing the running program defines is defined a second time by the patch (its code would use its own
        // copy). Another entity that happens to have a running name is the patch's own (it binds its references itself).
        // A variadic function with external linkage keeps a copy under its own name for code outside the
        // program (it has no trampoline); the patch's copy of a changed one is NEW's, for code that loads it, never rebound.
        func outsideCopy(_ f: Function) -> Bool {
            f.type.variadic && (changed.contains(f.identity) || added.contains(f.identity)) && newFuncs[f.identity]?.name == f.name
        }
        for f in patch.functions where f.isDefinition && f.storage != .static && !f.isInline && running.functions[f.name]?.identity == f.identity && !outsideCopy(f) && Rules.enforced("VAL-1", site: "twice") {
            error("VAL-1", f.loc, "the patch defines function '\(f.name)', which the running program already defines")
        }
        for g in patch.globals where g.storage != .static && (g.storage != .extern || g.initializer != nil) && running.globals[g.name]?.identity == g.identity && Rules.enforced("VAL-1", site: "twice") {
            error("VAL-1", g.loc, "the patch defines global '\(g.name)', which the running program already defines: the patch's code would use a copy that starts from its initializer")
        }
        // VAL-1: each function the patch defines is new or changed in the plan; a changed one is what its slot is rebound to.
        let patchByName = Dictionary(patch.functions.filter(\.isDefinition).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for f in patch.functions where f.isDefinition && !f.isInline && Rules.enforced("VAL-1", site: "defined") {
            // The function the runtime runs once (the carry of PATCH-3's globals) is the patch's own, checked by `carries`.
            if added.contains(f.identity) || outsideCopy(f) || (f.name == code.stateTransformer && f.name.hasPrefix(PatchValidation.commitPrefix)) { continue }
            if changed.contains(f.identity) {
                if let slot = manifest.slots[f.identity], rebound[slot] == f.name { continue }
                error("VAL-1", f.loc, "the patch defines '\(f.name)' for the changed function \(f.identity), but its slot is not rebound to it: it would never run")
            } else {
                error("VAL-1", f.loc, "the patch defines '\(f.name)' (\(f.identity)), which the plan neither changes nor adds")
            }
        }
        var seenSlots: Set<String> = []
        for r in code.rebinds where Rules.enforced("VAL-1", site: "rebind") {
            guard seenSlots.insert(r.slot).inserted else { error("VAL-1", .unknown, "slot '\(r.slot)' is rebound twice"); continue }
            guard let owner = slotOwner[r.slot] else { error("VAL-1", .unknown, "the patch rebinds '\(r.slot)', which is no slot of the running program"); continue }
            guard let f = patchByName[r.function], f.identity == owner else {
                error("VAL-1", .unknown, "the patch rebinds the slot of \(owner) to '\(r.function)', which is not a function the patch defines for it"); continue
            }
            guard changed.contains(owner) else { error("VAL-1", f.loc, "the patch rebinds the slot of \(owner), which the plan does not change"); continue }
            // The slot's running type is OLD's; the code that calls through it is NEW's (UPD-1 keeps OLD's code from calling it).
            if let nf = newFuncs[owner], PatchValidation.typeKey(.function(f.type), in: patch) != PatchValidation.typeKey(.function(nf.type), in: ne) {
                error("VAL-1", f.loc, "the slot of \(owner) is rebound to '\(f.name)', whose type is not NEW's \(owner)'s")
            }
        }
        // VAL-1: a slot the patch defines is a new function's, and holds the patch's definition of it.
        for g in patch.globals where g.identity.hasPrefix("slot:") && (g.storage != .extern || g.initializer != nil) && Rules.enforced("VAL-1", site: "slot") {
            let owner = String(g.identity.dropFirst(5))
            guard added.contains(owner) else {
                error("VAL-1", g.loc, "the patch defines slot '\(g.name)' of \(plan.displayName(owner)), which is not new: calls through the running program's slot would not reach it"); continue
            }
            guard case .expr(.function(let target))? = g.initializer, patch.functions.indices.contains(target.index),
                  patch[target].identity == owner, patch[target].isDefinition else {
                error("VAL-1", g.loc, "the patch's slot '\(g.name)' does not hold the patch's definition of \(plan.displayName(owner))"); continue
            }
        }
        for id in plan.changedFunctions where newFuncs[id] != nil && Rules.enforced("VAL-1", site: "rebind") {
            guard let slot = manifest.slots[id] else {
                error("VAL-1", newFuncs[id]!.loc, "the plan changes \(plan.displayName(id)), which has no slot in the running program: calls to it cannot be redirected")
                continue
            }
            if rebound[slot] == nil { error("VAL-1", newFuncs[id]!.loc, "the plan changes \(plan.displayName(id)), but the patch does not rebind its slot '\(slot)'") }
        }
    }

    // MARK: VAL-2 Completeness

    mutating func completeness() {
        let changed = Set(plan.changedFunctions), added = Set(plan.newFunctions)
        for (id, f) in newFuncs.sorted(by: { $0.key < $1.key }) {
            guard let o = oldFuncs[id] else {
                if !added.contains(id), Rules.enforced("VAL-2", site: "new") {
                    error("VAL-2", f.loc, "\(plan.displayName(id)) is new in NEW, but the plan does not add it")
                }
                continue
            }
            var why: String? = nil
            if Fingerprint.of(o, in: oe) != Fingerprint.of(f, in: ne) {
                why = "its code changed"
            } else {
                let u = Uses.of(f, in: ne)
                if let r = u.records.map({ ne[$0].identity }).sorted().first(where: changedRecords.contains) {
                    why = "it uses \(r), whose layout changed"
                } else if let g = u.globals.map({ ne[$0].identity }).sorted().first(where: retypedGlobals.contains) {
                    why = "it uses global \(g), whose type changed"
                } else if let c = u.directCallees.map({ ne[$0].identity }).sorted().first(where: signatureChanged.contains) {
                    why = "it calls \(plan.displayName(c)), whose signature changed"
                }
            }
            guard let why else { continue }
            if !changed.contains(id), Rules.enforced("VAL-2", site: "changed") {
                error("VAL-2", f.loc, "\(plan.displayName(id)) must be replaced (\(why)), but the plan does not change it")
            }
        }
        for id in plan.newFunctions where oldFuncs[id] != nil && Rules.enforced("VAL-2", site: "new") {
            error("VAL-2", oldFuncs[id]!.loc, "the plan adds \(plan.displayName(id)) as new, but the running program has it: its slot would not be rebound")
        }
        // VAL-2: each function the patch brings is NEW's code: the rebound implementation of a changed one, a definition of a new one.
        let rebound = Dictionary(code.rebinds.map { ($0.function, $0.slot) }, uniquingKeysWith: { a, _ in a })
        for id in plan.changedFunctions + plan.newFunctions where Rules.enforced("VAL-2", site: "code") {
            guard let nf = newFuncs[id] else {
                error("VAL-2", .unknown, "the plan replaces or adds \(plan.displayName(id)), which NEW does not define")
                continue
            }
            let want = PatchValidation.code(nf, in: ne, undoInstrumentation: false)
            var candidates = patch.functions.filter { $0.isDefinition && $0.identity == id }
            if changed.contains(id) { candidates = candidates.filter { rebound[$0.name] != nil } }
            let matches = candidates.contains { c in
                if PatchValidation.code(c, in: patch, undoInstrumentation: true) == want { return true }
                // An implementation of main falls off its end with `return 0` (C11 5.1.2.2.3).
                guard nf.name == "main", case .block(let ss)? = c.body, ss.count == 2, case .return(.const(.int(0), _), _) = ss[1] else { return false }
                var d = c
                d.body = ss[0]
                return PatchValidation.code(d, in: patch, undoInstrumentation: true) == want
            }
            if !matches { error("VAL-2", nf.loc, "the patch's code for \(plan.displayName(id)) is not NEW's \(plan.displayName(id))") }
        }
        // VAL-2: globals. A new one is defined by the patch; one whose type changed is defined anew; any other is the running program's.
        let replaced = Set(plan.replacedGlobals)
        let commit = commitFunction()
        let wrappedNew = Set(AliasAnalysis.analyze(ne).wrapped.map { ne[$0].identity })
        var fixed: Set<String> = []
        func runningObject(_ g: GlobalID) -> Bool { patch[g].storage == .extern && patch[g].initializer == nil }
        func addressed(_ e: Expr) -> String {
            switch e {
            case .addrOf(let lv), .startOf(let lv): if case .global(let g) = lv.host { return patch[g].sourceName }; return "?"
            case .unary(_, let a, _), .cast(_, let a): return addressed(a)
            case .binary(_, let a, let b, _): let x = addressed(a); return x == "?" ? addressed(b) : x
            default: return "?"
            }
        }
        let patchGlobalDefs = patch.globals.filter { $0.storage != .extern || $0.initializer != nil }
        func initial(_ i: Initializer?, in p: Program) -> String { i.map { String(describing: Fingerprint.identityMapper(p).map($0)) } ?? "" }
        if Set(plan.retypedInPlace) != inPlace, Rules.enforced("VAL-2", site: "global") {
            let wrong = Set(plan.retypedInPlace).symmetricDifference(inPlace).sorted()
            error("VAL-2", .unknown, "the plan keeps in place the globals \(plan.retypedInPlace.sorted()), but those retyped to a type of the same representation are \(inPlace.sorted()) (differing: \(wrong))")
        }
        for (id, g) in newGlobals.sorted(by: { $0.key < $1.key }) where Rules.enforced("VAL-2", site: "global") {
            let isNew = oldGlobals[id] == nil
            if inPlace.contains(id) {
                if patchGlobalDefs.contains(where: { $0.identity == id }) {
                    error("VAL-2", g.loc, "global \(id) changed to a type of the same representation and is kept in place, but the patch defines it anew")
                }
                continue
            }
            guard isNew || retypedGlobals.contains(id) else { continue }
            guard (isNew || replaced.contains(id)), let d = patchGlobalDefs.first(where: { $0.identity == id }) else {
                error("VAL-2", g.loc, isNew ? "global \(id) is new in NEW, but the patch does not define it" : "global \(id) changed type, but the patch does not define it anew")
                continue
            }
            // Defined as NEW defines it: its type and its initializer — the elements the patch sets when it is
            // committed (ALIAS-7) with the rest, and then it is writable.
            if let late = commit.fixups[id] {
                fixed.insert(id)
                let mine = LoadTimeAddresses.leaves(d.initializer ?? .compound(d.type, []), type: d.type, in: patch).map { leafKey($0, in: patch) }
                let theirs = LoadTimeAddresses.leaves(g.initializer ?? .compound(g.type, []), type: g.type, in: ne).map { leafKey($0, in: ne) }
                if (mine + late.map { leafKey($0, in: patch) }).sorted() != theirs.sorted()
                    || PatchValidation.typeKey(d.type, in: patch) != PatchValidation.typeKey(LoadTimeAddresses.writable(g.type, in: ne), in: ne) {
                    error("VAL-2", d.loc, "the patch defines global \(id) otherwise than NEW does (its type, or its initializer with the elements it sets when it is committed)")
                }
            } else if PatchValidation.typeKey(d.type, in: patch) != PatchValidation.typeKey(g.type, in: ne) || initial(d.initializer, in: patch) != initial(g.initializer, in: ne) {
                error("VAL-2", d.loc, "the patch defines global \(id) otherwise than NEW does (its type or its initializer)")
            }
            // VAL-2 (ALIAS-7): no element left for the loader is the address of a field of the running program's wrapped object.
            if let i = d.initializer, Rules.enforced("VAL-2", site: "load-time") {
                for leaf in LoadTimeAddresses.leaves(i, type: d.type, in: patch)
                where LoadTimeAddresses.takesRunningField(leaf.value, wrapped: { wrappedNew.contains(patch[$0].identity) }, running: { runningObject($0) }) {
                    error("VAL-2", d.loc, "the initializer of global \(id) in the patch takes the address of a field of the running program's '\(addressed(leaf.value))', a wrapped struct's object: computed when the patch is loaded, it would not follow the object's representation")
                }
            }
        }
        for id in Set(commit.fixups.keys).subtracting(fixed).sorted() where Rules.enforced("VAL-2", site: "global") {
            error("VAL-2", .unknown, "the patch sets global \(id) when it is committed, but it is no global the patch defines as NEW does")
        }
        for g in patchGlobalDefs where (oldGlobals[g.identity] != nil || manifest.exported[g.identity] != nil) && !replaced.contains(g.identity) && Rules.enforced("VAL-2", site: "global") {
            error("VAL-2", g.loc, "the patch defines global '\(g.name)' (\(g.identity)), which the running program has and the plan does not redefine: its state would restart")
        }
        carries(commit)
    }

    /// The function the patch has the runtime run when it is committed, read back: the globals it
    /// carries (`identity = (type) running-name`), the elements of NEW's initializers it sets, by
    /// global identity (ALIAS-7), whether it then calls NEW's state transformer, and whether it does
    /// anything else. Empty when the patch brings no such function of its own.
    struct Commit {
        var carries: [String] = []
        var fixups: [String: [LoadTimeAddresses.Leaf]] = [:]
        var callsStateTransformer = false
        var other = false
    }

    func commitFunction() -> Commit {
        var c = Commit()
        guard let name = code.stateTransformer, name.hasPrefix(PatchValidation.commitPrefix),
              let f = patch.functions.first(where: { $0.name == name && $0.isDefinition }), case .block(let body) = f.body else { return c }
        var rest = body[...]
        while case .instr(.assign(let lv, .cast(let t, .read(let src)), _))? = rest.first, lv.offsets.isEmpty, src.offsets.isEmpty,
              case .global(let g) = lv.host, case .global(let r) = src.host,
              patch.globals[r.index].identity.hasPrefix(PatchValidation.runningGlobalPrefix), patch.globals[r.index].storage == .extern {
            c.carries.append("\(patch.globals[g.index].identity) = (\(PatchValidation.typeKey(t, in: patch))) \(patch.globals[r.index].name)")
            rest = rest.dropFirst()
        }
        while case .instr(.assign(let lv, let e, _))? = rest.first, case .global(let g) = lv.host, patch[g].storage != .extern {
            c.fixups[patch[g].identity, default: []].append(LoadTimeAddresses.Leaf(path: lv.offsets, value: e))
            rest = rest.dropFirst()
        }
        if let st = plan.stateTransformer, case .instr(.call(nil, .direct(let h), let args, _))? = rest.first, args.isEmpty, patch.functions[h.index].name == st {
            c.callsStateTransformer = true
            rest = rest.dropFirst()
        }
        c.other = !rest.isEmpty
        return c
    }

    /// An initializer element by identities: its path and its value.
    func leafKey(_ l: LoadTimeAddresses.Leaf, in p: Program) -> String {
        let m = Fingerprint.identityMapper(p)
        return "\(l.path.map { m.map($0) }) = \(m.map(l.value))"
    }

    /// VAL-2 (PATCH-3): a global the patch carries over is one it defines
    /// anew, that the running program writes, of a scalar type whose value
    /// C's conversion keeps; and the function the runtime runs first sets
    /// each such global, NEW's from the running program's, then the
    /// elements of NEW's initializers that are running objects' field
    /// addresses (checked with the globals), and nothing else before it
    /// calls NEW's state transformer. `commit` is that function, read back.
    mutating func carries(_ commit: Commit) {
        guard Rules.enforced("VAL-2", site: "carry") else { return }
        let carried = plan.carriedGlobals
        let written = PatchRules.writtenGlobals(oe)
        for id in carried {
            guard let o = oldGlobals[id], let n = newGlobals[id], Set(plan.replacedGlobals).contains(id),
                  written.contains(o.id), Conversions.keepsValue(oe.unroll(o.type), ne.unroll(n.type)) else {
                error("VAL-2", newGlobals[id]?.loc ?? .unknown, "the plan carries the running value of global \(id) into NEW's, but it is not a written global redefined at a type whose conversion keeps its value")
                continue
            }
        }
        let own = code.stateTransformer.map { $0.hasPrefix(PatchValidation.commitPrefix) } ?? false
        guard !carried.isEmpty || own else { return }
        guard own, let name = code.stateTransformer else {
            error("VAL-2", .unknown, "the plan carries globals \(carried.sorted()) over, but the patch runs no function that does")
            return
        }
        let want = carried.compactMap { id -> String? in
            guard let exported = manifest.exported[id], let o = oldGlobals[id] else { return nil }
            // The running object by its alias (GlobalAliases): the definition an earlier patch brought, if one did.
            let running = o.isThreadLocal ? exported : GlobalAliases.name(identity: id, type: o.type, in: oe)
            return "\(id) = (\(newGlobals[id].map { PatchValidation.typeKey($0.type, in: ne) } ?? "?")) \(running)"
        }
        var got = commit.carries
        if commit.other { got.append("other code") }
        if got.sorted() != want.sorted() || commit.callsStateTransformer != (plan.stateTransformer != nil) {
            error("VAL-2", .unknown, "the patch's \(name) does not carry exactly the plan's globals: it does \(got)\(commit.callsStateTransformer ? " and calls the state transformer" : ""), the plan asks for \(want)\(plan.stateTransformer.map { " and a call of \($0)" } ?? "")")
        }
    }

    // MARK: VAL-3 Conversions

    mutating func conversions() {
        let wrapped = Set(AliasAnalysis.analyze(oe).wrapped.map { oe[$0].identity })
        // REP-8: NEW's pinned fields, by record identity and field name.
        let pinnedNew = Dictionary(TypeWrapping.pinned(ne, among: AliasAnalysis.analyze(ne).wrapped).map { id, ks in
            (ne[id].identity, Set(ks.compactMap { ne[id].fields?[$0].name }))
        }, uniquingKeysWith: { a, b in a.union(b) })
        let planned = Dictionary(plan.typeChanges.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
        let converted = Dictionary(code.conversions.map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        // The records the patch's code handles concretely.
        var used: Set<String> = []
        for f in patch.functions where f.isDefinition { used.formUnion(Uses.of(f, in: patch).records.map { patch[$0].identity }) }
        let heldByOld = Set(Uses.heldRecords(oe).map { oe[$0].identity })
        for id in changedRecords.sorted() where Rules.enforced("VAL-3", site: "needed") {
            let r = newRecords[id]!
            if !wrapped.contains(id) {
                // No object of it in the running program: nothing to convert (PATCH-2).
                if !heldByOld.contains(id) { continue }
                error("VAL-3", r.loc, "\(id) changed layout but is not wrapped in the running program: its values cannot be converted")
                continue
            }
            guard used.contains(id) else { continue }
            if planned[id] == nil { error("VAL-3", r.loc, "\(id) changed layout and the patch's code uses it, but the plan does not convert it") }
            if converted[id] == nil { error("VAL-3", r.loc, "\(id) changed layout and the patch's code uses it, but the patch installs no conversion for it") }
        }
        for t in plan.typeChanges where converted[t.type] == nil && Rules.enforced("VAL-3", site: "needed") {
            error("VAL-3", .unknown, "the plan converts \(t.type), but the patch installs no conversion for it")
        }
        var seen: Set<String> = []
        for c in code.conversions where Rules.enforced("VAL-3", site: "layout") {
            guard seen.insert(c.identity).inserted else { error("VAL-3", .unknown, "the patch converts \(c.identity) twice"); continue }
            guard planned[c.identity] != nil else { error("VAL-3", .unknown, "the patch converts \(c.identity), which the plan does not"); continue }
            guard let o = oldRecords[c.identity], let n = newRecords[c.identity],
                  patch.records.indices.contains(c.newRecord.index), patch.records.indices.contains(c.oldLayout.index) else {
                error("VAL-3", .unknown, "the conversion of \(c.identity) names records that OLD, NEW or the patch do not have"); continue
            }
            let pn = patch[c.newRecord], pl = patch[c.oldLayout]
            if pn.identity != c.identity || Fingerprint.of(pn, in: patch) != Fingerprint.of(n, in: ne) {
                error("VAL-3", pn.loc, "the conversion of \(c.identity) converts into a record that is not NEW's \(c.identity)")
            }
            // The hand-written transformer the plan names, and no other.
            let named = c.transformer.flatMap { patch.functions.indices.contains($0.index) && patch[$0].isDefinition ? patch[$0].name : "?" }
            if named != planned[c.identity]!.transformer {
                error("VAL-3", pn.loc, "the conversion of \(c.identity) runs \(named.map { "'\($0)'" } ?? "no hand-written transformer"), but the plan says \(planned[c.identity]!.transformer.map { "'\($0)'" } ?? "none")")
            }
            // The old layout is the running program's, field by field.
            let of = o.fields ?? [], lf = pl.fields ?? []
            var same = pl.size == o.size && pl.align == o.align && of.count == lf.count
            if same {
                let op = oe
                func anonymous(_ f: Field) -> Bool {
                    if f.name == nil, f.bitWidth == nil, case .record(let x) = op.unroll(f.type) { return op[x].isAnonymousMember } else { return false }
                }
                for (j, (a, b)) in zip(of, lf).enumerated() where (anonymous(a) ? PatchValidation.anonymousLayoutName(j) : a.name) != b.name || a.offsetBits != b.offsetBits || a.bitWidth != b.bitWidth
                    || (a.bitWidth == nil && oe.size(of: a.type) != patch.size(of: b.type)) { same = false }
            }
            if !same { error("VAL-3", o.loc, "the conversion of \(c.identity) reads old values with a layout that is not the running program's") }
            // Each default copy: a field of one name, whose value C's conversion keeps.
            let nf = pn.fields ?? []
            // The wrapped record a field holds by value, and how many (REP-7).
            func held(_ t: CType, in q: Program) -> (String, Int)? {
                var u = q.unroll(t), n = 1
                while true {
                    if case .qualified(let e, _) = u { u = q.unroll(e); continue }
                    if case .array(let e, let len?) = u { n *= len; u = q.unroll(e); continue }
                    break
                }
                if case .record(let r) = u, !q[r].isAnonymousMember { return (q[r].identity, n) }
                return nil
            }
            for cp in c.copies {
                guard nf.indices.contains(cp.new), of.indices.contains(cp.old), lf.indices.contains(cp.old) else {
                    error("VAL-3", o.loc, "the default transformer of \(c.identity) copies a field that does not exist"); continue
                }
                let to = nf[cp.new], from = of[cp.old]
                if to.name == nil, from.name == nil, to.bitWidth == nil, from.bitWidth == nil,
                   case .record(let a) = oe.unroll(from.type), oe[a].isAnonymousMember,
                   case .record(let b) = patch.unroll(to.type), patch[b].isAnonymousMember {
                    // An anonymous member copied whole: the k-th of OLD's into the k-th of NEW's, laid out the same.
                    let rank = { (r: Record, i: Int, q: Program) in (r.fields ?? [])[..<i].filter { f in
                        if f.name == nil, case .record(let x) = q.unroll(f.type) { return q[x].isAnonymousMember } else { return false } }.count }
                    if rank(o, cp.old, oe) != rank(pn, cp.new, patch) || Fingerprint.structure(ofAnonymous: a, in: oe) != Fingerprint.structure(ofAnonymous: b, in: patch)
                        || oe.size(of: from.type) != patch.size(of: lf[cp.old].type) {
                        error("VAL-3", o.loc, "the default transformer of \(c.identity) copies an anonymous member into one that is not laid out the same")
                    }
                    if (oe[a].fields ?? []).contains(where: { f in held(f.type, in: oe).map { wrapped.contains($0.0) } ?? false }) {
                        error("VAL-3", o.loc, "the default transformer of \(c.identity) copies an anonymous member holding a wrapped record byte by byte (REP-7)")
                    }
                    continue
                }
                guard let name = to.name, name == from.name, lf[cp.old].name == name else {
                    error("VAL-3", o.loc, "the default transformer of \(c.identity) copies old field '\(from.name ?? "_")' into new field '\(to.name ?? "_")'")
                    continue
                }
                let sameType = PatchValidation.typeKey(from.type, in: oe) == PatchValidation.typeKey(to.type, in: patch) && from.bitWidth == to.bitWidth
                let widened = to.bitWidth == nil && Conversions.keepsValue(oe.unroll(from.type), patch.unroll(to.type))
                if !sameType && !widened {
                    error("VAL-3", o.loc, "the default transformer of \(c.identity) copies field '\(name)' into a type that does not keep its value")
                }
            }
            // REP-7: a field holding records the running program wraps converts through their
            // representation (their entries move into the new value), never byte by byte.
            for cp in c.copies where nf.indices.contains(cp.new) {
                if patch.flexibleArray(of: pn.id)?.index == cp.new || (nf[cp.new].name.map { pinnedNew[c.identity]?.contains($0) } ?? nil) == true {
                    error("VAL-3", o.loc, "the default transformer of \(c.identity) copies its pinned field '\(nf[cp.new].name ?? "_")', whose bytes stay where the object has them (REP-8)")
                }
                if let (id, _) = held(nf[cp.new].type, in: patch), wrapped.contains(id) {
                    error("VAL-3", o.loc, "the default transformer of \(c.identity) copies field '\(nf[cp.new].name ?? "_")', which holds \(id), byte by byte: what the process knows of that object would not move with it")
                }
            }
            for e in c.inner {
                guard nf.indices.contains(e.new), of.indices.contains(e.old), lf.indices.contains(e.old), patch.records.indices.contains(e.record.index),
                      let name = nf[e.new].name, name == of[e.old].name, name == lf[e.old].name,
                      let a = held(of[e.old].type, in: oe), let b = held(nf[e.new].type, in: patch),
                      a == b, b == (patch[e.record].identity, e.count) else {
                    error("VAL-3", o.loc, "the default transformer of \(c.identity) converts a held record into a field that does not hold it"); continue
                }
            }
            // Each constant it sets: a new field it does not copy, an arithmetic constant.
            let copied = Set(c.copies.map(\.new) + c.inner.map(\.new)), oldNames = Set(of.compactMap(\.name))
            for i in c.initials {
                guard nf.indices.contains(i.field), let name = nf[i.field].name, !copied.contains(i.field), !oldNames.contains(name) else {
                    error("VAL-3", o.loc, "the default transformer of \(c.identity) sets a constant into a field that is not new"); continue
                }
                switch i.value {
                case .const(.int, .int), .const(.float, .float): break
                default: error("VAL-3", o.loc, "the default transformer of \(c.identity) sets field '\(name)' to a value that is not an arithmetic constant")
                }
            }
        }
    }

    // MARK: VAL-4 Verdicts

    /// Every old field keeps its name, offset, width and type, and the new layout is at least as big (UPD-2).
    func extends(_ o: Record, _ n: Record) -> Bool {
        guard n.size >= o.size, n.align == o.align || (n.align > o.align && n.align <= 8) else { return false }
        for of in o.fields ?? [] {
            guard let name = of.name, let nf = (n.fields ?? []).first(where: { $0.name == name }),
                  nf.offsetBits == of.offsetBits, nf.bitWidth == of.bitWidth,
                  PatchValidation.typeKey(of.type, in: oe) == PatchValidation.typeKey(nf.type, in: ne) else { return false }
            if case .record = ne.unroll(nf.type) { return false }
            // An enum it holds keeps the values of its constants (PATCH-8).
            if let a = Fingerprint.heldEnum(of.type, in: oe), let b = Fingerprint.heldEnum(nf.type, in: ne) {
                let values = Dictionary(ne[b].items.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x })
                if oe[a].items.contains(where: { values[$0.name] != $0.value }) { return false }
            }
        }
        return true
    }

    mutating func verdicts() {
        let admitted = plan.verdicts.filter(\.admissible)
        guard !admitted.isEmpty else { return }
        // What the patch changes under code still running: signatures (a struct passed by value whose layout changes is one),
        // converted types old code cannot go on using, globals defined anew.
        var signatures = signatureChanged.union(plan.signatureChanges)
        for (id, f) in newFuncs where oldFuncs[id] != nil {
            let byValue = ([f.type.result] + f.type.params).contains { t in
                if case .record(let r) = ne.unroll(t) { return changedRecords.contains(ne[r].identity) } else { return false }
            }
            if byValue { signatures.insert(id) }
        }
        // UPD-3: the running function passes an extracted loop body its variables by position.
        func loops(_ p: Program) -> [String: Int] {
            var n: [String: Int] = [:]
            for f in p.functions where f.isDefinition { if let g = Extracted.group(f.identity) { n[g, default: 0] += 1 } }
            return n
        }
        let oldLoops = loops(oe), newLoops = loops(ne)
        for (id, o) in oldFuncs {
            guard let parent = Extracted.group(id), let n = newFuncs[id] else { continue }
            // By name (a compiler temporary and the return slot by their kind), and type.
            func vars(_ f: Function, _ p: Program) -> [String] {
                f.params.map { id in
                    let l = f.locals[id.index], t = PatchValidation.typeKey(l.type, in: p)
                    return l.name.hasPrefix("graft_ret") ? "return:\(t)" : l.isTemp ? "temporary:\(t)" : "\(l.sourceName):\(t)"
                }
            }
            if vars(o, oe) != vars(n, ne) || (oldLoops[parent] != newLoops[parent] && Fingerprint.of(o, in: oe) != Fingerprint.of(n, in: ne)) {
                signatures.insert(id)
            }
        }
        let planned = Dictionary(plan.typeChanges.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
        var blockingTypes: Set<String> = []
        for id in changedRecords.union(planned.keys) {
            guard let o = oldRecords[id], let n = newRecords[id] else { continue }
            if planned[id]?.transformer != nil || !extends(o, n) { blockingTypes.insert(id) }
        }
        // UPD-2: a layout the plan or the code says extends the old one must (the runtime then lets old code read converted values).
        let claimed = Set(plan.typeChanges.filter(\.extends).map(\.type) + code.conversions.filter(\.extends).map(\.identity))
        for id in claimed.sorted() where blockingTypes.contains(id) || oldRecords[id] == nil || newRecords[id] == nil {
            if Rules.enforced("VAL-4", site: "extends") {
                error("VAL-4", newRecords[id]?.loc ?? .unknown, "the patch says the new layout of \(id) extends the old one, but it does not (or a hand-written transformer converts it): old code would read converted values")
            }
        }
        // UPD-1 through data (PATCH-9): a pointer to a function is its trampoline, compiled with the prototype of the
        // version that made it; one whose signature changes may be reached through no pointer, old or new.
        func addressTaken(_ p: Program) -> Set<String> {
            var out: Set<String> = []
            for f in p.functions where f.isDefinition { out.formUnion(Uses.of(f, in: p).functionsNamed.map { p[$0].identity }) }
            for g in p.globals { if let i = g.initializer { out.formUnion(Uses.of(i, in: p).functionsNamed.map { p[$0].identity }) } }
            return out
        }
        let pointed = addressTaken(oe).union(addressTaken(ne))
        for id in signatures.intersection(pointed).sorted() where Extracted.origin(id) == nil && Rules.enforced("VAL-4", site: "pointer") {
            error("VAL-4", newFuncs[id]?.loc ?? .unknown, "the plan admits the patch at update point\(admitted.count > 1 ? "s" : "") \(admitted.map { String($0.point) }.joined(separator: ", ")), but the signature of \(plan.displayName(id)) changes and its address is taken: calls through a pointer to it would pass the arguments of the other version")
        }
        let globals = retypedGlobals.subtracting(inPlace).union(plan.replacedGlobals)
        let points = Dictionary(manifest.points.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let deltas = Updatability.deltas(oe, points: manifest.points)
        for v in admitted where Rules.enforced("VAL-4", site: "point") {
            guard let pt = points[v.point], pt.function == v.function else {
                error("VAL-4", v.loc, "the plan admits update point \(v.point), which the running program does not have there"); continue
            }
            guard let d = deltas[pt.id] else {
                error("VAL-4", v.loc, "the plan admits update point \(v.point) in \(v.place), where Δ cannot be computed"); continue
            }
            var uses: [String] = []
            uses += d.callees.intersection(signatures).sorted().map { "calls \(plan.displayName($0)), whose signature changes (UPD-1)" }
            uses += d.types.intersection(blockingTypes).sorted().map { "uses \($0), which the patch converts (UPD-2)" }
            uses += d.globals.intersection(globals).sorted().map { "uses global \($0), which the patch defines anew (UPD-4)" }
            if !uses.isEmpty {
                error("VAL-4", v.loc, "the plan admits update point \(v.point) in \(v.place), but code still running there " + uses.joined(separator: "; "))
            }
        }
    }
}
