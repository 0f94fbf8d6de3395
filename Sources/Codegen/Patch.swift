// Patches: from the plan of a patch (Sources/Checker/PatchRules.swift, which
// applies the rules of Specs/patch.md and Specs/updatability.md) to the
// program of the patch shared object. The generator names the running
// program's entities, defines what changes anew under the target version's
// names, and lays out each converted type's old layout for its transformer;
// PatchValidation re-checks the result before any C is written. Where a
// patch is admissible nowhere, it also tries changes to OLD (a moved update
// point) that would make it admissible, each checked by computing Δ again.

import Checker
import Foundation
import IR
import Instrument

public enum PatchBuilder {
    // MARK: The plan
    /// The plan of the patch from OLD to NEW (PatchRules.plan), with OLD's
    /// manifest and NEW's version computed as the build computes them, and
    /// hints of moved update points where the patch is admissible nowhere.
    /// `oldManifest`: OLD's build manifest, when the caller already has it.
    /// `transformerFile`: the path of NEW's transformers.c when it is merged into `new`;
    /// `targetVersion`: then NEW's own version id (without the transformers).
    public static func plan(old: Program, new: Program, oldManifest: BuildManifest? = nil,
                            transformerFile: String? = nil, targetVersion: String? = nil) -> PatchPlan {
        let oldManifest = oldManifest ?? Updatable.instrument(old).1
        let planned = PatchRules.plan(old: old, new: new, oldManifest: oldManifest,
                                      targetVersion: targetVersion ?? Updatable.versionID(of: new),
                                      transformerFile: transformerFile, extract: { Instrumentation.extracted($0).0 })
        var plan = planned.plan
        guard !plan.verdicts.isEmpty && plan.admissiblePoints.isEmpty else { return plan }
        // Admissible nowhere: a moved point that would make it admissible, checked.
        let sigChanged = Set(plan.signatureChanges), replaced = Set(plan.replacedGlobals)
        let nonExtending = Set(plan.typeChanges.filter { !$0.extends }.map(\.type))
        let blocks: (Updatability.Delta) -> Bool = { d in
            !sigChanged.isDisjoint(with: d.callees) || !nonExtending.isDisjoint(with: d.types) || !replaced.isDisjoint(with: d.globals)
        }
        // Extracted loops renumber when one more is marked, so not with a loop's signature in play.
        guard !sigChanged.contains(where: { plan.loops[$0] != nil }) else { return plan }
        var budget = 12
        for i in plan.verdicts.indices where !planned.enumBlocked.contains(plan.verdicts[i].point) {
            guard let pt = oldManifest.points.first(where: { $0.id == plan.verdicts[i].point }),
                  let h = pointHint(pt, source: old, extracted: planned.old, blocks: blocks, budget: &budget) else { continue }
            plan.verdicts[i].hints.append(h)
        }
        return plan
    }

    /// A change to the running program that would make a blocked point's
    /// patch admissible, checked by computing Δ again: an update point as
    /// the first statement of a loop that will come round again to where
    /// the stack stands (marking it, UPD-3). nil: none found within `budget` tries.
    static func pointHint(_ pt: UpdatePoint, source: Program, extracted: Program,
                          blocks: (Updatability.Delta) -> Bool, budget: inout Int) -> String? {
        guard let marker = source.functions.first(where: { $0.name == Updatable.updatePointFunction && !$0.isDefinition }) else { return nil }
        let byIdentity = Dictionary(source.functions.enumerated().filter { $0.element.isDefinition }.map { ($0.element.identity, $0.offset) },
                                    uniquingKeysWith: { a, _ in a })
        var tried: Set<SourceLoc> = []
        for (function, loopLoc) in Updatability.loopsAround(pt, in: extracted) where !loopLoc.file.hasPrefix("/usr/") && tried.insert(loopLoc).inserted {
            guard budget > 0 else { return nil }
            let base = Extracted.source(function)
            guard let fi = byIdentity[base], let body = source.functions[fi].body else { continue }
            let here = SourceLoc(file: "graft-hint", line: loopLoc.line, column: loopLoc.column)
            var found = false, alreadyMarked = false
            func mark(_ s: Stmt) -> Stmt {
                guard !found else { return s }
                switch s {
                case .block(let ss): return .block(ss.map(mark))
                case .if(let c, let t, let e, let l): return .if(c, then: mark(t), else: e.map(mark), l)
                case .switch(let e, let b, let l): return .switch(e, body: mark(b), l)
                case .loop(let b, let n, let l):
                    if l == loopLoc {
                        found = true
                        alreadyMarked = LoopExtraction.split(b, source) != nil
                        return .loop(body: .block([.instr(.call(result: nil, callee: .direct(marker.id), args: [], here)), b]), next: n, l)
                    }
                    return .loop(body: mark(b), next: n.map(mark), l)
                default: return s
                }
            }
            var changed = source
            changed.functions[fi].body = mark(body)
            guard found, !alreadyMarked else { continue }
            budget -= 1
            let moved = Instrumentation.extracted(changed).0
            var owner: String? = nil
            for f in moved.functions where owner == nil {
                guard let b = f.body else { continue }
                _ = Walk.mapInstructions(b) { i in
                    if case .call(_, _, _, let l) = i, l == here { owner = f.identity }
                    return i
                }
            }
            guard let owner, let d = Updatability.deltas(moved, points: [UpdatePoint(id: 0, function: owner, loc: here)])[0], !blocks(d) else { continue }
            return "graft_update_point() as the first statement of the loop at \(loopLoc.file):\(loopLoc.line) in \(source.functions[fi].sourceName) would make the patch admissible there (UPD-3)"
        }
        return nil
    }

    // MARK: The patch program

    /// The patch's code: the program, the slots to rebind, its wrapping and
    /// the type conversions it installs.
    public struct PatchCode {
        public var program: Program
        public var rebinds: [(slot: String, function: String)]
        public var wrapping: TypeWrapping
        public var typeUpdates: [TypeUpdateSpec]
        /// The function the runtime runs once the patch is applied: the
        /// carry of PATCH-3's globals (which then calls NEW's state
        /// transformer), or the state transformer; nil: none.
        public var stateTransformer: String? = nil
        /// DEPLOY-8: whether the runtime may unload the patch once it is superseded (Unload.verdict on this code).
        public var unload: Unload.Verdict = .keptLoaded(reason: "the patch's code was not analysed [DEPLOY-8]")
        /// DEPLOY-8: nil when the patch's functions keep no pointer argument that OLD's did not (Unload.keepsNoCapture); else why.
        public var makesKeep: String? = "the patch's code was not analysed: the patches applied before it stay loaded [DEPLOY-8]"
    }

    /// The name of the function that carries the running program's values
    /// of the globals a patch defines anew into NEW's (PATCH-3).
    public static let carryPrefix = PatchValidation.commitPrefix

    /// The program of the patch: NEW instrumented, with what the running
    /// program already has turned into references to it by name.
    public static func patchProgram(old: Program, new: Program, plan: PatchPlan,
                                    oldManifest: BuildManifest? = nil, transformerFile: String? = nil) -> PatchCode {
        let oldManifest = oldManifest ?? Updatable.instrument(old).1
        let oldSource = old
        // PATCH-1: NEW's statics under the identities the plan matched them to.
        var (p, _) = Updatable.instrument(PatchRules.matchStatics(old: old, new: new, stateTransformer: plan.stateTransformer != nil).program)
        // DEPLOY-8: the whole NEW program, instrumented as the patch's code is, for the callees' nocapture.
        let wholeNew = p
        let old = Instrumentation.extracted(old).0
        let changed = Set(plan.changedFunctions), added = Set(plan.newFunctions), replaced = Set(plan.replacedGlobals)
        var rebinds: [(String, String)] = []
        let oldIdentities = Set(old.functions.filter { Slots.isIndirected($0) }.map(\.identity))
        let tag = String(plan.targetVersion.prefix(8))
        // The running program's own variables, which a patch names by their aliases (not a library's, not thread-local ones).
        let definedByOld = Set(old.globals.filter { ($0.storage != .extern || $0.initializer != nil) && !$0.isThreadLocal }.map(\.identity))
        for i in p.globals.indices {
            let id = p.globals[i].identity
            if replaced.contains(id) {
                p.globals[i].name += "__" + tag
            } else if let name = oldManifest.exported[id] ?? PatchValidation.runningIdentity(id).flatMap({ oldManifest.exported[$0] }) {
                // The running program's object (a transformer's GRAFT_OLD(x) at OLD's type, TRANS-6), by its alias:
                // the definition a patch that redefined it brought, if one did (GlobalAliases).
                let base = PatchValidation.runningIdentity(id) ?? id
                p.globals[i].name = definedByOld.contains(base) ? GlobalAliases.name(identity: base, type: p.globals[i].type, in: p) : name
                p.globals[i].storage = .extern
                p.globals[i].initializer = nil
            }
        }
        for i in p.functions.indices {
            let f = p.functions[i]
            guard f.isDefinition else { continue }
            if f.name.hasPrefix(Updatable.implPrefix) {
                if changed.contains(f.identity) || added.contains(f.identity) {
                    p.functions[i].name = f.name + "__" + tag
                    if changed.contains(f.identity), let slot = oldManifest.slots[f.identity] {
                        rebinds.append((slot, p.functions[i].name))
                    }
                } else {
                    p.functions[i].body = nil
                    p.functions[i].locals = p.functions[i].locals.filter { $0.isParam }
                }
            } else if oldIdentities.contains(f.identity) || (!added.contains(f.identity) && !changed.contains(f.identity)) {
                // The running program's trampoline (or unchanged function): referenced by name.
                if !(f.isInline && f.storage != .static) {
                    p.functions[i].body = nil
                    p.functions[i].locals = p.functions[i].locals.filter { $0.isParam }
                    p.functions[i].storage = .extern
                    p.functions[i].attributes = p.functions[i].attributes.filter { $0.name != "constructor" && $0.name != "destructor" }
                }
            }
        }

        // DEPLOY-5: loading the patch runs nothing. NEW's constructors ran, in OLD's form, when the process
        // started; a constructor or destructor the patch brings is an ordinary function of it.
        for i in p.functions.indices {
            p.functions[i].attributes.removeAll { ["constructor", "destructor"].contains(Attribute.bareName($0.name)) }
        }

        // The code's wrapping (records written in transformers.c describe old layouts and are never wrapped).
        var wrap = TypeWrapping.forBuild(new, excludingFile: transformerFile)

        // PATCH-3: the globals carried over. NEW's takes the running one's value by C's
        // conversion, which keeps it; then the elements of NEW's initializers that are addresses
        // of the running program's wrapped fields are set (ALIAS-7); then NEW's state transformer runs.
        var stateTransformer = plan.stateTransformer
        let fixups = commitTimeAddresses(&p, wrapping: wrap)
        if !plan.carriedGlobals.isEmpty || !fixups.isEmpty {
            var body: [Stmt] = []
            for id in plan.carriedGlobals {
                guard let gi = p.globals.firstIndex(where: { $0.identity == id && $0.storage != .extern }),
                      let running = oldManifest.exported[id], let og = old.globals.first(where: { $0.identity == id }),
                      let t = PatchRules.translate(og.type, from: old, to: p) else { continue }
                let oid = GlobalID(p.globals.count)
                let alias = definedByOld.contains(id) ? GlobalAliases.name(identity: id, type: t, in: p) : running
                p.globals.append(GlobalVar(id: oid, name: alias, sourceName: og.sourceName, type: t, storage: .extern, initializer: nil,
                                           identity: PatchValidation.runningGlobalPrefix + id, loc: og.loc))
                p.order.append(.global(oid))
                let g = p.globals[gi]
                body.append(.instr(.assign(LValue(.global(g.id)), .cast(g.type, .read(LValue(.global(oid)))), g.loc)))
            }
            body += fixups
            if let st = plan.stateTransformer, let f = p.functions.first(where: { $0.name == st && $0.isDefinition }) {
                body.append(.instr(.call(result: nil, callee: .direct(f.id), args: [], f.loc)))
            }
            let fid = FuncID(p.functions.count)
            let name = carryPrefix + tag
            p.functions.append(Function(id: fid, name: name, type: FunctionType(result: .void, params: []), storage: .none,
                                        params: [], locals: [], body: .block(body), identity: name, loc: .unknown))
            p.order.append(.function(fid))
            stateTransformer = name
        }

        // One old-layout record per converted type.
        let oldRecords = Dictionary(old.records.filter { $0.fields != nil }.map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        var updates: [TypeUpdateSpec] = []
        // The old layouts' ids first: a converted record held by value in another is laid out old there too (REP-7).
        let converted = plan.typeChanges.compactMap { c -> (TypeChange, Record, Record)? in
            guard let nr = p.records.first(where: { $0.identity == c.type && $0.fields != nil }), let or = oldRecords[c.type] else { return nil }
            return (c, nr, or)
        }
        var layouts: [String: RecordID] = [:]
        for (i, (c, _, _)) in converted.enumerated() { layouts[c.type] = RecordID(p.records.count + i) }
        func oldLayoutType(_ t: CType) -> CType? {
            switch old.unroll(t) {
            case .record(let id): return layouts[old[id].identity].map { .record($0) }
            case .array(let e, let n): return oldLayoutType(e).map { .array($0, length: n) }
            case .qualified(let e, let q): return oldLayoutType(e).map { .qualified($0, q) }
            default: return nil
            }
        }
        for (c, nr, or) in converted {
            let layout = RecordID(p.records.count)
            var fields: [Field] = []
            let anonymous = Set(PatchRules.anonymousMembers(or, in: old))
            for (j, f) in (or.fields ?? []).enumerated() {
                var g = f
                g.attributes = []
                if anonymous.contains(j) {
                    // Its bytes, named, where the member is: the default transformer copies it whole.
                    g.name = PatchValidation.anonymousLayoutName(j)
                    g.type = .array(.int(.uchar), length: max(1, old.size(of: f.type) ?? 1))
                    g.attributes = [Attribute("aligned", ["\(max(1, old.align(of: f.type) ?? 1))"])]
                } else {
                    g.type = oldLayoutType(f.type) ?? PatchRules.translate(f.type, from: old, to: p) ?? .array(.int(.uchar), length: max(1, (fieldSize(f, in: old) + 7) / 8))
                }
                fields.append(g)
            }
            p.records.append(Record(id: layout, kind: or.kind, tag: nr.tag + "__graft_old", fields: fields, size: or.size, align: or.align,
                                    attributes: or.attributes, identity: "graft-old-layout:" + c.type, loc: or.loc))
            // REP-7: a field holding wrapped records is converted through their representation, not copied.
            var copies: [(new: Int, old: Int)] = [], inner: [TypeUpdateSpec.Inner] = []
            // REP-8: pinned fields stay where each object has them (PATCH-2 keeps them the same in OLD and NEW).
            let pinnedNew = Set(wrap.pinned[nr.id] ?? [])
            let pinnedNames = Set(pinnedNew.compactMap { nr.fields?[$0].name })
            let pinnedOld = Set((or.fields ?? []).indices.filter { or.fields![$0].name.map(pinnedNames.contains) ?? false })
                .union([old.flexibleArray(of: or.id)?.index].compactMap { $0 })
            for cp in PatchRules.defaultCopies(old: or, oldProgram: old, new: nr, newProgram: p, pinned: (pinnedOld, pinnedNew)) {
                if let (r, n) = wrap.heldRecord(nr.fields![cp.new].type, in: p) {
                    inner.append(TypeUpdateSpec.Inner(new: cp.new, old: cp.old, record: r, count: n))
                } else {
                    copies.append(cp)
                }
            }
            let user = c.transformer.flatMap { n in p.functions.first { $0.name == n && $0.body != nil }?.id }
            let initials = c.initial.compactMap { i in
                (nr.fields ?? []).firstIndex { $0.name == i.field }.map { TypeUpdateSpec.Initial(field: $0, value: .const(i.value, i.type)) }
            }
            updates.append(TypeUpdateSpec(identity: c.type, newRecord: nr.id, oldLayout: layout, fromTag: c.fromTag, toTag: c.toTag,
                                          copies: copies.map { TypeUpdateSpec.Copy(new: $0.new, old: $0.old) },
                                          userTransformer: user, extends: c.extends, initials: initials, inner: inner))
        }
        wrap.existing = Set(wrap.tags.keys.filter { oldRecords[p[$0].identity] != nil })
        var code = PatchCode(program: p, rebinds: rebinds, wrapping: wrap, typeUpdates: updates, stateTransformer: stateTransformer)
        // DEPLOY-8: the transformers are the patch's code too, entered through the descriptor, not by name.
        let entries = Set([stateTransformer, plan.stateTransformer].compactMap { $0 }
                          + updates.compactMap { $0.userTransformer.map { p.functions[$0.index].name } })
        code.unload = Unload.verdict(patch: p, newProgram: wholeNew, runtimeEntries: entries, implPrefix: Updatable.implPrefix)
        code.makesKeep = Unload.keepsNoCapture(old: Updatable.instrument(oldSource).0, new: wholeNew, implPrefix: Updatable.implPrefix)
        return code
    }

    /// ALIAS-7 in a patch: each element of an initializer of a global the patch defines that is the
    /// address of a field of a wrapped record in the running program's object, left out of the
    /// initializer (the global made writable) and returned as the assignment that sets it when the
    /// patch is committed — through the record's representation, once the wrapping pass has run.
    static func commitTimeAddresses(_ p: inout Program, wrapping: TypeWrapping) -> [Stmt] {
        var out: [Stmt] = []
        guard Rules.enforced("ALIAS-7") else { return out }
        let declared = Set(p.globals.filter { $0.storage == .extern && $0.initializer == nil }.map(\.id))
        let running = { (g: GlobalID) in declared.contains(g) }
        for i in p.globals.indices where p.globals[i].storage != .extern {
            guard let ini = p.globals[i].initializer else { continue }
            let g = p.globals[i]
            let late = LoadTimeAddresses.leaves(ini, type: g.type, in: p).filter {
                LoadTimeAddresses.takesRunningField($0.value, wrapped: { wrapping.tags[$0] != nil }, running: running)
            }
            guard !late.isEmpty else { continue }
            p.globals[i].initializer = LoadTimeAddresses.removing(Set(late.map(\.path)), from: ini, type: g.type, in: p)
            p.globals[i].type = LoadTimeAddresses.writable(g.type, in: p)
            out += late.map { .instr(.assign(LValue(.global(g.id), $0.path), $0.value, g.loc)) }
        }
        return out
    }

    static func fieldSize(_ f: Field, in p: Program) -> Int {
        if let w = f.bitWidth { return w }
        return (p.size(of: f.type) ?? 1) * 8
    }

    /// The `graft_patch` descriptor appended to the patch's C; its
    /// description (what `graft status` lists for the update) is the plan's
    /// summary unless given.
    public static func descriptorC(plan: PatchPlan, code: PatchCode, description: String? = nil) -> String {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let rebinds = code.rebinds
        var c = "\n/* graft: the patch descriptor the runtime reads. */\n#include \"graft_runtime.h\"\n"
        // Linked without start files (DEPLOY-5): the handle atexit and __cxa_atexit name this object by.
        c += "__attribute__((visibility(\"hidden\"))) void *__dso_handle = &__dso_handle;\n"
        if !rebinds.isEmpty {
            c += "static const struct graft_rebind graft_rebinds[] = {\n"
            for r in rebinds { c += "    { \(q(r.slot)), (void *)\(r.function) },\n" }
            c += "};\n"
        }
        let points = plan.admissiblePoints
        if !points.isEmpty { c += "static const unsigned graft_points[] = { \(points.map(String.init).joined(separator: ", ")) };\n" }
        if let st = code.stateTransformer { c += "extern void \(st)(void);\n" }
        // The aliases this patch defines (GlobalAliases): the runtime checks that they are the ones a later patch finds.
        let aliases = CEmitter.globalAliases(code.program)
        if !aliases.isEmpty {
            c += "static const struct graft_global graft_globals[] = {\n"
            for a in aliases { c += "    { \(q(a.alias)), \(q(a.identity)) },\n" }
            c += "};\n"
        }
        // The plan itself, for `graft inspect`: what changes and the verdict at every update point.
        if let json = try? JSONEncoder().encode(plan) {
            c += "__attribute__((section(\".graft_plan\"), used)) static const char graft_plan_json[] = \(q(String(decoding: json, as: UTF8.self)));\n"
        }
        c += """
        const struct graft_patch_info graft_patch = {
            GRAFT_ABI, \(q(plan.baseVersion)), \(q(plan.targetVersion)),
            \(rebinds.count), \(rebinds.isEmpty ? "0" : "graft_rebinds"),
            \(code.typeUpdates.count), \(code.typeUpdates.isEmpty ? "0" : "graft_type_updates"),
            \(code.wrapping.isEmpty ? "0, 0, 0" : "graft_n_wrapped_types, graft_wrapped_types, graft_n_existing_wrapped_types"),
            \(code.stateTransformer ?? "0"),
            \(points.count), \(points.isEmpty ? "0" : "graft_points"),
            \(aliases.count), \(aliases.isEmpty ? "0" : "graft_globals"),
            \(q(description ?? plan.summary)),
            \(code.unload.isUnloadable ? 1 : 0), \(code.unload.reason.map(q) ?? "0"),
            \(code.makesKeep == nil ? 1 : 0)
        };

        """
        return c
    }
}
