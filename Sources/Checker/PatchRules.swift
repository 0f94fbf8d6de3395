// The patch rules: from the IR of two builds (OLD, NEW) to the plan of a
// patch and its verdicts (Specs/patch.md, Specs/updatability.md).
//
// Entities are matched by stable identity (PATCH-1), statics across files
// too (PatchRules+Statics.swift), and compared by fingerprints that see through
// typedefs; an enum whose constants change value under stored values is
// refused without a transformer (PATCH-8, PatchRules+Enums.swift). A function whose body
// changed — or that depends on a type, global or signature that changed —
// gets a new implementation in the patch and its slot is rebound; a new
// function or global is defined by the patch; everything else is the
// running program's, reached by name. A wrapped struct whose layout changed
// is converted lazily by a default transformer plus NEW's hand-written one
// (PATCH-2, PatchRules+Types.swift, checked by Specs/transformers.md); a global
// whose type changed is defined anew (PATCH-3); a wrapper whose size NEW's
// code relies on keeps it (PATCH-6). What cannot be done safely is refused
// with its rule. Each update point of OLD gets a verdict from Δ there
// (Updatability.swift: UPD-1, UPD-2, UPD-4): the uses that block it, each
// with its rule, and — when the patch is admissible nowhere — the changes
// that would make it admissible, checked. Diagnostics name what the
// programmer wrote: "the loop at prog.c:12 in main", never an extracted
// body's or a slot's name.


import IR

public enum PatchRules {
    /// PATCH-6: the use that relies on a wrapped type's size: an array or an
    /// embedding (`spacedUse`), else a hand-written size or a by-value use
    /// (`TypeWrapping.sizeUses`).
    static func sizeUse(_ id: RecordID, in p: Program, _ w: TypeWrapping, loops: [String: String]) -> String {
        let use = spacedUse(id, in: p)
        guard use.hasSuffix("relies on the size of its wrapper") || use.hasSuffix("copies one whole") else { return use }
        return TypeWrapping.sizeUses(p, among: Set(w.tags.keys), name: { loops[$0.identity] ?? "'\($0.sourceName)'" })[id] ?? use
    }

    /// A plan, and what its hints need: OLD as compared (its loop bodies
    /// extracted), and the points an enum's changed values block.
    public struct Planned {
        public var plan: PatchPlan
        public var old: Program
        public var enumBlocked: Set<Int>
    }

    /// The plan of a patch from OLD to NEW (the source programs, as lowered):
    /// what changes, what is refused and why, and the verdict at each of
    /// OLD's update points. `oldManifest`: OLD's build manifest;
    /// `targetVersion`: NEW's version id (without the transformers);
    /// `transformerFile`: the path of NEW's transformers.c when it is merged
    /// into `new`; `extract`: the build's loop-body extraction (UPD-3), so
    /// that OLD and NEW are compared as they run.
    public static func plan(old: Program, new: Program, oldManifest: BuildManifest, targetVersion: String,
                            transformerFile: String? = nil, extract: (Program) -> Program) -> Planned {
        var plan = PatchPlan(baseVersion: oldManifest.version, targetVersion: targetVersion)
        // PATCH-1: statics that moved to another file (or whose file is named otherwise) keep their identity.
        let hasStateTransformer = new.functions.contains { $0.isDefinition && $0.name == TransformerCheck.stateTransformerName && transformerFile != nil && $0.loc.file == transformerFile }
        let matched = matchStatics(old: old, new: new, stateTransformer: hasStateTransformer)
        plan.refusals += matched.refusals
        plan.moved = matched.moved
        // Compared as they run: extracted loop bodies are functions of their own (UPD-3).
        let old = extract(old), new = extract(matched.program)
        // Diagnostics speak of an extracted loop body as the loop it is.
        for prog in [new, old] {
            for f in prog.functions where f.isDefinition {
                if let name = loopName(f, in: prog) { plan.loops[f.identity] = name }
            }
        }
        let oldFuncs = Dictionary(old.functions.map { ($0.identity, $0) }, uniquingKeysWith: { a, b in a.isDefinition ? a : b })
        let oldGlobals = Dictionary(old.globals.map { ($0.identity, $0) }, uniquingKeysWith: { a, b in a.initializer != nil ? a : b })
        let oldRecords = Dictionary(old.records.map { ($0.identity, $0) }, uniquingKeysWith: { a, b in a.fields != nil ? a : b })
        let oldWrap = TypeWrapping.forBuild(old), newWrap = TypeWrapping.forBuild(new, excludingFile: transformerFile)
        let (interior, keptGlobals) = InteriorPointers.kept(in: old, onStack: Updatability.functionsOnStackAtPoints(old))
        let viewedByNew = InteriorPointers.views(in: new)
        let newFuncByName = Dictionary(new.functions.filter(\.isDefinition).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let fromTransformerFile: (SourceLoc) -> Bool = { loc in transformerFile != nil && loc.file == transformerFile }
        if let st = newFuncByName[TransformerCheck.stateTransformerName], fromTransformerFile(st.loc) { plan.stateTransformer = st.name }

        // NEW's functions that run only at start-up: none of what may run once a patch is applied at one of OLD's points.
        let newUses = new.functions.map { $0.isDefinition ? Uses.of($0, in: new) : Uses() }
        let delta = Updatability.deltas(old, points: oldManifest.points)
        let runsAfterPoint = runAfter(oldManifest.points, deltas: delta, in: new, uses: newUses)
        let runsAfter = runsAfterPoint.values.reduce(into: Set<Int>()) { $0.formUnion($1) }
        let startupFunctions = Set(new.functions.indices.filter { new.functions[$0].isDefinition && !runsAfter.contains($0) })
        // Types: a wrapped type may change (converted lazily, PATCH-2); any other may not.
        let heldByOld = Uses.heldRecords(old)
        var changedRecords: Set<RecordID> = []      // NEW's ids
        var extendsButForTransformer: Set<String> = []
        for r in new.records where r.fields != nil && !r.tag.hasPrefix("__anon_") && !r.isAnonymousMember && !fromTransformerFile(r.loc) {
            guard let o = oldRecords[r.identity], o.fields != nil else { continue }
            let oldTag = oldWrap.tags[o.id], newTag = newWrap.tags[r.id]
            if oldTag != nil && newTag == nil {
                if Rules.enforced("PATCH-5") { plan.refusals.append(Diagnostic(.error, r.loc,
                    "\(r.identity) is wrapped in the running program but NEW's code uses it as plain memory (see `graft cc --explain-types`); its objects carry a version tag NEW's code would not expect",
                    rule: "PATCH-5")) }
                continue
            }
            let changed = oldTag != nil ? oldTag != newTag : Fingerprint.of(o, in: old, enumValues: false) != Fingerprint.of(r, in: new, enumValues: false)
            guard changed else { continue }
            guard let oldTag, let newTag else {
                // No object of it in the running program (only declared, or used only by code elsewhere): nothing to convert.
                if !heldByOld.contains(o.id) { continue }
                if Rules.enforced("PATCH-2", site: "unwrapped") { plan.refusals.append(Diagnostic(.error, r.loc,
                    "\(r.identity) changed representation (\(describeChange(o, r, old: old, new: new))) but is not wrapped in the running program, so its values cannot be converted (see `graft cc --explain-types`)",
                    rule: "PATCH-2")) }
                continue
            }
            changedRecords.insert(r.id)
            // REP-8: an object's pinned fields stay where it has them; its room ends at the first.
            let oldPins = oldWrap.pinned[o.id] ?? [], newPins = newWrap.pinned[r.id] ?? []
            let room = oldPins.compactMap { o.fields?[$0].offsetBits }.map { $0 / 8 }.min().map { min($0, o.size) } ?? o.size
            let pinnedNames = { (rec: Record, ks: [Int]) in ks.compactMap { rec.fields?[$0].name } }
            if Rules.enforced("PATCH-2", site: "pinned"), !oldPins.isEmpty || !newPins.isEmpty {
                let on = pinnedNames(o, oldPins), nn = pinnedNames(r, newPins)
                let sameTypes = zip(oldPins, newPins).allSatisfy { j, i in
                    translate(o.fields![j].type, from: old, to: new).map { fingerprintType($0, in: new) == fingerprintType(r.fields![i].type, in: new) } == true
                }
                let list = { (ns: [String]) in ns.isEmpty ? "none" : ns.map { "'\($0)'" }.joined(separator: ", ") }
                if on != nn || !sameTypes {
                    plan.refusals.append(Diagnostic(.error, r.loc,
                        "\(r.identity): its pinned fields (a flexible array member, or a field whose address the program hands to a library) are \(list(on)) in the running program and \(list(nn)) in NEW\(on == nn ? ", with another type" : ""): their bytes stay where each object has them and are never converted (REP-8); keep the same fields pinned, with their names and types",
                        rule: "PATCH-2"))
                }
                if let (at, _) = TypeWrapping.wholeCopy(r.id, in: new), newPins.contains(where: { $0 != new.flexibleArray(of: r.id)?.index }) {
                    plan.refusals.append(Diagnostic(.error, at,
                        "NEW's code copies a whole \(r.identity), whose pinned field\(nn.count > 1 ? "s" : "") \(list(nn)) stay\(nn.count > 1 ? "" : "s") where each object has \(nn.count > 1 ? "them" : "it"), not in the value a copy reads once the patch converts it (REP-8); copy the fields you need",
                        rule: "PATCH-2"))
                }
            }
            let famIndex = (old: Set(oldPins), new: Set(newPins))
            let oldTail = old.flexibleArray(of: o.id)
            // PATCH-6: an object's size is fixed when it is made; code that spaces objects by it cannot meet a new one.
            let inNew = newWrap.spaced.contains(r.id), inOld = oldWrap.spaced.contains(o.id)
            if inNew || inOld, o.size != r.size || o.align != r.align || (room < o.size && r.size > room), Rules.enforced("PATCH-6") {
                let what = o.size != r.size ? "changes size (\(o.size) → \(r.size) bytes)"
                    : o.align != r.align ? "changes alignment (\(o.align) → \(r.align))"
                    : "no longer fits before its first pinned field (\(r.size) bytes, \(oldTail != nil ? "the tail begins" : "the pinned field is") at byte \(room)), so its objects' values move to the heap"
                let use = inNew ? sizeUse(r.id, in: new, newWrap, loops: plan.loops) : "in the running program, " + sizeUse(o.id, in: old, oldWrap, loops: plan.loops)
                plan.refusals.append(Diagnostic(.error, r.loc,
                    "\(r.identity) \(what), but \(use): objects already in the process keep the size they were made with, so the elements or fields after one would be misplaced",
                    rule: "PATCH-6"))
            }
            // PATCH-7: a field whose address the running program takes keeps its place.
            let sameFieldType = { (a: CType, b: CType) in translate(a, from: old, to: new).map { fingerprintType($0, in: new) == fingerprintType(b, in: new) } ?? false }
            if Rules.enforced("PATCH-7", site: "kept") {
                // The flexible array member never moves (REP-8): pointers into it stay valid.
                let taken = (interior[o.id] ?? [:]).filter { !famIndex.old.contains($0.key) }
                plan.refusals += InteriorPointers.movedFields(
                    old: o, new: r, taken: taken, movesToHeap: r.size > room && !taken.isEmpty,
                    sameType: sameFieldType)
            }
            // PATCH-7: a field NEW's code reaches around con sees an old object's bytes as they are.
            if !fromTransformerFile(r.loc), Rules.enforced("PATCH-7", site: "viewed") {
                plan.refusals += InteriorPointers.viewedFields(
                    old: o, new: r, views: (viewedByNew[r.id] ?? [:]).filter { !fromTransformerFile($0.value.loc) && !famIndex.new.contains($0.key) },
                    movesToHeap: r.size > room, sameType: sameFieldType)
            }
            let defaults = defaultCopies(old: o, oldProgram: old, new: r, newProgram: new, pinned: (famIndex.old, famIndex.new))
            let user = newFuncByName[TransformerCheck.transformerPrefix + r.tag].flatMap { fromTransformerFile($0.loc) ? $0 : nil }
            let layoutExtends = extendsLayout(old: o, oldProgram: old, new: r, newProgram: new)
            let ext = user == nil && layoutExtends
            if user != nil && layoutExtends { extendsButForTransformer.insert(r.identity) }
            let names = (r.fields ?? []).map { $0.name }
            let defaulted = defaults.map { names[$0.new] ?? "_" }
            plan.typeChanges.append(TypeChange(type: r.identity, fromTag: oldTag, toTag: newTag, extends: ext,
                                               defaulted: defaulted, transformer: user?.name,
                                               change: describeChange(o, r, old: old, new: new)))
            if let user {
                // The hand-written transformer is checked against both layouts (Specs/transformers.md).
                plan.refusals += TransformerCheck.check(user, in: new, newRecord: r.id, oldLayout: o, oldProgram: old,
                                                        defaultable: Set(defaulted))
            } else {
                // PATCH-2: a new field starts as NEW's code starts it.
                let (initial, needsValue) = initialValues(old: o, new: r, in: new, defaults: defaults, startup: startupFunctions,
                                                          excluded: fromTransformerFile)
                plan.typeChanges[plan.typeChanges.count - 1].initial = initial
                if let (field, why) = needsValue, Rules.enforced("PATCH-2", site: "initial") {
                    plan.refusals.append(Diagnostic(.error, r.loc,
                        "\(r.identity): new field '\(field)' needs a value in the objects the running program made: \(why), which the default transformer cannot know; write `void \(TransformerCheck.transformerPrefix)\(r.tag)(struct \(r.tag)_old *old, struct \(r.tag) *new)` in NEW's transformers.c to set it",
                        rule: "PATCH-2"))
                }
                // PATCH-2: every field the default cannot fill needs a hand-written transformer.
                // (A field holding an enum whose constants change value is PATCH-8's, below.)
                let anonymous = Set(anonymousMembers(r, in: new))
                let missing = (r.fields ?? []).enumerated().compactMap { i, f -> String? in
                    // (One holding a wrapped record is not copied: its entry would not move with it, REP-7.)
                    if anonymous.contains(i), !defaults.contains(where: { $0.new == i }) || newWrap.holdsWrapped(f.type, in: new),
                       case .record(let a) = new.unroll(f.type) {
                        return "(the anonymous member holding " + (new[a].fields ?? []).compactMap(\.name).map { "'\($0)'" }.joined(separator: ", ") + ")"
                    }
                    guard let n = f.name, !defaults.contains(where: { $0.new == i }), !famIndex.new.contains(i) else { return nil }
                    guard let of = (o.fields ?? []).first(where: { $0.name == n }) else { return nil }
                    return keepsEnumValues(of.type, from: old, f.type, to: new) ? n : nil
                }
                if !missing.isEmpty, Rules.enforced("PATCH-2", site: "no-default") {
                    plan.refusals.append(Diagnostic(.error, r.loc,
                        "\(r.identity): field\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) changed type in a way the default transformer cannot convert; write `void \(TransformerCheck.transformerPrefix)\(r.tag)(struct \(r.tag)_old *old, struct \(r.tag) *new)` in NEW's transformers.c",
                        rule: "PATCH-2"))
                }
            }
        }

        // PATCH-8: an enum whose constants change value, where the running program stores its values.
        let enumChanges = changedEnums(old: old, new: new)
        let oldStatics = Dictionary(statics(of: old).filter { $0.kind == .variable }.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        let typeChangeOf = Dictionary(plan.typeChanges.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
        let newRecordIDs = Set(new.records.filter { $0.fields != nil }.map(\.identity))
        for c in enumChanges {
            let storage = enumStorage(c, in: old)
            let what = "\(c.name) changes the values of its constants (\(c.change))"
            let keep = "keep the old values (add new constants at the end, or give them explicit values)"
            for (g, typed) in storage.globals where !hasStateTransformer && Rules.enforced("PATCH-8", site: "global") {
                let v = old[g]
                let name = oldStatics[g.index].map(describe) ?? "global '\(v.sourceName)'"
                let holds = typed ? "holds one" : "is assigned its constants"
                plan.refusals.append(Diagnostic(.error, v.loc,
                    "\(what), and the \(name) \(holds): the value the running program stored there would be read with the new meaning; \(keep), or convert it in `void \(TransformerCheck.stateTransformerName)(void)` in NEW's transformers.c",
                    rule: "PATCH-8"))
            }
            for (rid, i, typed) in storage.fields where Rules.enforced("PATCH-8", site: "field") {
                let r = old[rid]
                guard newRecordIDs.contains(r.identity) || r.isAnonymousMember else { continue }
                if let t = typeChangeOf[r.identity], t.transformer != nil { continue }
                let field = r.fields![i].name ?? "_"
                let holds = typed ? "holds one" : "is assigned its constants"
                let wrapped = oldWrap.tags[rid] != nil && typed
                let how = wrapped
                    ? "write `void \(TransformerCheck.transformerPrefix)\(r.tag)(struct \(r.tag)_old *old, struct \(r.tag) *new)` in NEW's transformers.c to convert it"
                    : (oldWrap.tags[rid] != nil ? "declare it with the enum's type and convert it in `void \(TransformerCheck.transformerPrefix)\(r.tag)(…)`" : "\(r.identity) is not wrapped in the running program, so its values cannot be converted (see `graft cc --explain-types`)")
                plan.refusals.append(Diagnostic(.error, r.loc,
                    "\(what), and field '\(field)' of \(r.isAnonymousMember ? "an anonymous member" : r.identity) \(holds): the values in objects the running program made would be read with the new meaning; \(keep), or \(how)",
                    rule: "PATCH-8"))
            }
        }

        // Globals: new ones join; one whose type changed is defined anew (PATCH-3).
        var replaced: Set<String> = [], retypedInPlace: Set<String> = []
        let writtenByOld = writtenGlobals(old)
        for g in new.globals where !fromTransformerFile(g.loc) {
            guard let o = oldGlobals[g.identity] else {
                if g.storage != .extern { plan.newGlobals.append(g.identity) }
                continue
            }
            guard fingerprintType(o.type, in: old) != fingerprintType(g.type, in: new) else { continue }
            if g.storage == .extern && g.initializer == nil { continue }
            // PATCH-3: a type of the same representation keeps the running program's object, and its value.
            if Conversions.sameRepresentation(old.unroll(o.type), new.unroll(g.type)) {
                retypedInPlace.insert(g.identity)
                plan.retypedInPlace.append(g.identity)
                continue
            }
            replaced.insert(g.identity)
            plan.replacedGlobals.append(g.identity)
            // PATCH-3: pointers to the running program's object stay in its data.
            if let use = keptGlobals[o.id], Rules.enforced("PATCH-3", site: "kept") {
                plan.refusals.append(Diagnostic(.error, g.loc,
                    "global '\(g.sourceName)' changed type (\(typeChangeText(o.type, old, g.type, new))), so the patch defines it anew, but the running program keeps its address (at \(use.loc.file):\(use.loc.line)): those pointers would still lead to the old '\(g.sourceName)', which NEW's code would read at its new type; keep its type, or give the new one a name of its own",
                    rule: "PATCH-3"))
            }
            // PATCH-3: a written scalar whose value C's conversion keeps is carried over (NEW's = (T)OLD's) when the patch is applied.
            if writtenByOld.contains(o.id), Conversions.keepsValue(old.unroll(o.type), new.unroll(g.type)), isScalar(g.type, in: new) {
                plan.carriedGlobals.append(g.identity)
                continue
            }
            // PATCH-3: a global no code of the running program writes still holds OLD's initializer: NEW's is its value.
            if !isReadOnly(g.type, in: new) && writtenByOld.contains(o.id) && plan.stateTransformer == nil && Rules.enforced("PATCH-3") {
                plan.refusals.append(Diagnostic(.error, g.loc,
                    "global '\(g.sourceName)' changed type and is writable (\(typeChangeText(o.type, old, g.type, new))): its new definition would start from its initializer and lose the running program's state; write `void \(TransformerCheck.stateTransformerName)(void)` in NEW's transformers.c to carry it over",
                    rule: "PATCH-3"))
            }
        }

        // Functions: changed bodies, new functions, changed signatures.
        let unprovenLoops = loopMatching(old: old, new: new, loops: plan.loops)
        var byValueSignature: [String: String] = [:]  // function → the changed struct it passes by value
        var edited: Set<String> = []
        for f in new.functions where f.isDefinition {
            guard let o = oldFuncs[f.identity], o.isDefinition else {
                plan.newFunctions.append(f.identity)
                if f.loc.file.hasPrefix("/usr/") { plan.fromSystemHeaders.insert(f.identity) }
                continue
            }
            if Fingerprint.of(o, in: old) != Fingerprint.of(f, in: new) { edited.insert(f.identity) }
            let ot = FunctionType(result: old.unroll(o.type.result), params: o.type.params, variadic: o.type.variadic, hasPrototype: o.type.hasPrototype)
            let nt = FunctionType(result: new.unroll(f.type.result), params: f.type.params, variadic: f.type.variadic, hasPrototype: f.type.hasPrototype)
            if fingerprintType(.function(ot), in: old) != fingerprintType(.function(nt), in: new) {
                plan.signatureChanges.append(f.identity)
            } else if Rules.enforced("UPD-1", site: "by-value"), let r = ([f.type.result] + f.type.params).lazy.compactMap({ t -> RecordID? in
                          if case .record(let id) = new.unroll(t), changedRecords.contains(id) { return id } else { return nil } }).first {
                // UPD-1: a struct passed or returned by value whose layout changes (an extension too) is another shape of call.
                plan.signatureChanges.append(f.identity)
                byValueSignature[f.identity] = new[r].identity
            } else if unprovenLoops[f.identity] != nil {
                // UPD-3: the running F passes its variables by position; the new body must take the same ones there.
                plan.signatureChanges.append(f.identity)
            }
        }
        // PATCH-9: a function whose signature changes is not reachable through a pointer.
        if Rules.enforced("PATCH-9") {
            plan.refusals += pointedToSignatureChanges(old: old, new: new, changed: plan.signatureChanges.filter { plan.loops[$0] == nil },
                                                       byValue: byValueSignature)
        }
        let newDefined = Set(new.functions.filter(\.isDefinition).map(\.identity))
        plan.deletedFunctions = old.functions.filter { $0.isDefinition && !newDefined.contains($0.identity) && !$0.loc.file.hasPrefix("/usr/") }.map(\.identity)
        if Rules.enforced("UPD-6") {
            plan.refusals += reachableDeleted(old: old, deleted: Set(plan.deletedFunctions), typeChanges: plan.typeChanges,
                                              replaced: replaced, signatureChanges: Set(plan.signatureChanges))
        }
        // A function whose text is unchanged is recompiled when what it
        // depends on changed: a type it handles concretely, a global defined
        // anew, a callee's signature.
        let sigChanged = Set(plan.signatureChanges)
        for f in new.functions where f.isDefinition {
            guard let o = oldFuncs[f.identity], o.isDefinition else { continue }
            var reason: String? = nil
            if !edited.contains(f.identity) {
                let u = Uses.of(f, in: new)
                // The first by identity, so that the plan is the same in every run (the uses are sets).
                if let r = u.records.filter({ changedRecords.contains($0) }).min(by: { new[$0].identity < new[$1].identity }) {
                    reason = "uses \(new[r].identity), which changed"
                } else if let g = u.globals.filter({ replaced.contains(new[$0].identity) }).min(by: { new[$0].identity < new[$1].identity }) {
                    reason = "uses global '\(new[g].sourceName)', which is defined anew"
                } else if let g = u.globals.filter({ retypedInPlace.contains(new[$0].identity) }).min(by: { new[$0].identity < new[$1].identity }) {
                    reason = "uses global '\(new[g].sourceName)', whose type changed"
                } else if let c = u.directCallees.filter({ sigChanged.contains(new[$0].identity) }).min(by: { new[$0].identity < new[$1].identity }) {
                    reason = "calls \(plan.loops[new[c].identity] ?? "'\(new[c].sourceName)'"), whose signature changed"
                }
                guard let reason else { continue }
                plan.recompiled[f.identity] = reason
            }
            plan.changedFunctions.append(f.identity)
            // PATCH-4: the running program calls it through a slot, and so does NEW's code.
            let variadicHint = "; a variadic function that only passes a va_list to a function of its own (as printf does to vprintf) keeps its changes in that one, which has a slot"
            if oldManifest.slots[f.identity] == nil {
                guard Rules.enforced("PATCH-4", site: "no-slot") else { continue }
                let why = Slots.whyNoSlot(o, in: old) ?? "it has none"
                plan.refusals.append(Diagnostic(.error, f.loc,
                    "function '\(f.sourceName)' changed\(reason.map { " (it \($0))" } ?? "") but has no slot in the running program, so calls to it cannot be redirected: \(why)\(o.type.variadic ? variadicHint : "")",
                    rule: "PATCH-4"))
            } else if f.type.variadic, Slots.whyNoSlot(f, in: new) != nil, Rules.enforced("PATCH-4", site: "variadic-changed") {
                plan.refusals.append(Diagnostic(.error, f.loc,
                    "function '\(f.sourceName)' changed, but NEW's code takes its address (\(Slots.whereAddressTaken(f.id, in: new))): it is variadic, and C cannot pass a `...` on through a trampoline, so that pointer would bypass its slot\(variadicHint)",
                    rule: "PATCH-4"))
            }
        }
        // PATCH-4: a variadic function the running program calls through a slot keeps it in NEW.
        for f in new.functions where f.isDefinition && f.type.variadic && !plan.changedFunctions.contains(f.identity) && Rules.enforced("PATCH-4", site: "variadic-kept") {
            guard oldManifest.slots[f.identity] != nil, Slots.whyNoSlot(f, in: new) != nil else { continue }
            plan.refusals.append(Diagnostic(.error, f.loc,
                "NEW's code takes the address of the variadic function '\(f.sourceName)' (\(Slots.whereAddressTaken(f.id, in: new))), which the running program calls through a slot; C cannot pass a `...` on through a trampoline, so that pointer would bypass the slot; take the address of a function that is not variadic",
                rule: "PATCH-4"))
        }

        // Δ per update point of the running program, and for each point the uses that block it.
        let changedOld: [String: TypeChange] = Dictionary(plan.typeChanges.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
        let oldByIdentity = Dictionary(old.functions.filter(\.isDefinition).map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        let newByIdentity = Dictionary(new.functions.filter(\.isDefinition).map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        let stacks = Updatability.Stacks(old)
        let signalReach = Updatability.signalReach(old)
        // PATCH-10: new zero-initialized globals NEW's code sets, and which functions set them (none the state transformer).
        var newGlobalSetters: [Int: Set<Int>] = [:]
        do {
            let added = Set(plan.newGlobals)
            let writers = new.functions.map { writes($0) }
            let byState = plan.stateTransformer.flatMap { st in new.functions.firstIndex { $0.name == st && $0.isDefinition } }
            for (gi, g) in new.globals.enumerated() where added.contains(g.identity) && isZero(g.initializer) && !fromTransformerFile(g.loc) {
                let setters = Set(writers.indices.filter { writers[$0].contains(g.id) && !fromTransformerFile(new.functions[$0].loc) })
                if let st = byState, writers[st].contains(g.id) { continue }
                if !setters.isEmpty { newGlobalSetters[gi] = setters }
            }
        }
        func speak(_ identity: String) -> String { plan.loops[identity] ?? oldByIdentity[identity]?.sourceName ?? identity }
        func at(_ l: SourceLoc) -> String { "\(l.file):\(l.line)" }
        /// "work uses it at prog.c:4 after this point".
        func described(_ u: Updatability.Use?) -> String {
            guard let u else { return "code still running at this point uses it" }
            return u.atPoint ? "\(speak(u.function)) uses it at \(at(u.loc)) after this point"
                             : "\(speak(u.function)), which is on the stack here, uses it at \(at(u.loc))"
        }
        let loopHint = "keeping what the new loop body needs in a global, or in a `static` variable declared in the loop body, would make it admissible"
        var loopBlocked: Set<Int> = []        // points a loop body's signature blocks
        var transformerBlocked: Set<Int> = []  // points blocked only by types that would extend but for their transformer
        var enumBlocked: Set<Int> = []         // points an enum's changed values block (no hint is checked against them)
        for pt in oldManifest.points {
            let d = delta[pt.id] ?? Updatability.Delta()
            var blockers: [Blocker] = []
            for g in plan.signatureChanges.filter({ d.callees.contains($0) }).sorted() where Rules.enforced("UPD-1") {
                if let loop = plan.loops[g], let of = oldByIdentity[g], let nf = newByIdentity[g] {
                    blockers.append(Blocker("UPD-1", unprovenLoops[g]?.message ?? loopSignatureChange(loop, owner: Extracted.ownerName(g, in: old), old: of, new: nf, in: old, new),
                                            subject: loop, use: of.loc))
                    if unprovenLoops[g]?.variables ?? true { loopBlocked.insert(pt.id) }
                    continue
                }
                let use = Updatability.use(of: .callee(g), at: pt, in: stacks)
                let who = use.map { u in u.atPoint ? "\(speak(u.function)) calls it at \(at(u.loc)) after this point"
                                                   : "\(speak(u.function)), which is on the stack here, calls it at \(at(u.loc))" }
                let what = byValueSignature[g].map { "'\(newByIdentity[g]?.sourceName ?? g)' passes \($0) by value, whose layout changes" }
                    ?? "the signature of '\(newByIdentity[g]?.sourceName ?? g)' changed"
                blockers.append(Blocker("UPD-1", "\(what), and \(who ?? "code still running at this point calls it"), with the old one",
                                        subject: newByIdentity[g]?.sourceName ?? g, user: use.map { speak($0.function) }, use: use?.loc))
            }
            let blockingTypes = d.types.sorted().filter { changedOld[$0].map { !$0.extends } ?? false && Rules.enforced("UPD-2", site: "type") }
            if !blockingTypes.isEmpty && blockers.isEmpty && blockingTypes.allSatisfy(extendsButForTransformer.contains)
                && !d.globals.contains(where: replaced.contains) {
                transformerBlocked.insert(pt.id)
            }
            for t in blockingTypes {
                let use = Updatability.use(of: .type(t), at: pt, in: stacks)
                blockers.append(Blocker("UPD-2", "\(t) is in Δ here: \(described(use)), in its old representation",
                                        subject: t, user: use.map { speak($0.function) }, use: use?.loc))
            }
            // UPD-2 (PATCH-8): the stack's old code holds or compares values of an enum whose constants change value.
            if !enumChanges.isEmpty, Rules.enforced("UPD-2", site: "enum"), let frames = stacks.frames(pt) {
                for c in enumChanges {
                    var found: (text: String, user: String, loc: SourceLoc)? = nil
                    for (g, cont, _) in frames where found == nil {
                        let fn = old.functions[g]
                        if let l = fn.locals.first(where: { !$0.isTemp && Fingerprint.heldEnum($0.type, in: old) == c.oldID }) {
                            found = ("\(speak(fn.identity)) holds '\(l.sourceName)' of it (\(at(l.loc))), which NEW's code would read with the new meaning", speak(fn.identity), l.loc)
                        } else if let loc = cont.lazy.compactMap({ usesEnum(c, $0, in: fn, old) }).first {
                            found = ("\(speak(fn.identity))\(fn.identity == pt.function ? "" : ", which is on the stack here,") uses it at \(at(loc)) with the old values", speak(fn.identity), loc)
                        }
                    }
                    if let found {
                        blockers.append(Blocker("UPD-2", "\(c.name) changes the values of its constants (\(c.change)), and \(found.text) (PATCH-8)",
                                                subject: c.name, user: found.user, use: found.loc))
                        enumBlocked.insert(pt.id)
                    }
                }
            }
            // UPD-7: a point a signal handler reaches may interrupt any code, and loading a patch there is not async-signal-safe.
            if let fi = old.functions.firstIndex(where: { $0.isDefinition && $0.identity == pt.function }), let h = signalReach[fi],
               Rules.enforced("UPD-7") {
                let handler = old.functions[h]
                let via = h == fi ? "" : ", which calls " + (plan.loops[pt.function] ?? "'\(old.functions[fi].sourceName)'")
                blockers.append(Blocker("UPD-7", "the point at \(at(pt.loc)) runs in the signal handler '\(handler.sourceName)'\(via): a handler interrupts the program at any instruction, so what is on the stack below it is not known, and loading a patch inside a handler is not async-signal-safe; set a flag in the handler and call graft_update_point() where the program's loop sees it",
                                        subject: handler.sourceName, use: handler.loc))
            }
            // PATCH-10: a new global NEW's code reads after this point, which only code that will not run again sets.
            if !newGlobalSetters.isEmpty, Rules.enforced("PATCH-10") {
                let after = runsAfterPoint[pt.id] ?? []
                for (gi, setters) in newGlobalSetters.sorted(by: { $0.key < $1.key }) where !setters.contains(where: after.contains) {
                    guard let reader = after.sorted().first(where: { newUses[$0].globals.contains(GlobalID(gi)) }) else { continue }
                    let g = new.globals[gi]
                    let who = setters.sorted().prefix(2).map { "'\(new.functions[$0].sourceName)'" }.joined(separator: " and ")
                    blockers.append(Blocker("PATCH-10", "global '\(g.sourceName)' is new, and NEW's '\(new.functions[reader].sourceName)' reads it after this point, but only \(who) set\(setters.count == 1 ? "s" : "") it, which the running program does not run again from here: it would read zero; set it in `void \(TransformerCheck.stateTransformerName)(void)` in NEW's transformers.c (an extern declaration there names either program's statics, TRANS-6)",
                                            subject: g.sourceName, user: new.functions[reader].sourceName, use: new.functions[reader].loc))
                }
            }
            for g in d.globals.sorted() where replaced.contains(g) && Rules.enforced("UPD-4") {
                let name = oldGlobals[g]?.sourceName ?? g
                let use = Updatability.use(of: .global(g), at: pt, in: stacks)
                blockers.append(Blocker("UPD-4", "global '\(name)' is in Δ here: \(described(use)), and the patch defines it anew",
                                        subject: name, user: use.map { speak($0.function) }, use: use?.loc))
            }
            plan.verdicts.append(PointVerdict(point: pt.id, function: pt.function, place: plan.displayName(pt.function), loc: pt.loc,
                                              admissible: blockers.isEmpty, blockers: blockers,
                                              stack: stacks.frames(pt)?.map { speak(old.functions[$0.function].identity) }))
        }

        // Admissible nowhere: what would make it admissible (a moved update point is the generator's, PatchBuilder.plan).
        if !plan.verdicts.isEmpty && plan.admissiblePoints.isEmpty {
            for i in plan.verdicts.indices {
                let v = plan.verdicts[i]
                if transformerBlocked.contains(v.point) {
                    plan.verdicts[i].hints.append("without the hand-written transformer, the new layout extends the old one and old code could go on using it here (UPD-2)")
                }
                if loopBlocked.contains(v.point) { plan.verdicts[i].hints.append(loopHint) }
            }
        }
        return Planned(plan: plan, old: old, enumBlocked: enumBlocked)
    }

    /// PATCH-9: the functions of `changed` (their signatures change) whose
    /// address is taken. A pointer the running program made — in a table,
    /// a registered signal handler, a library's callback — is its
    /// trampoline, compiled with the old prototype: it would pass the old
    /// arguments to the new function through the rebound slot. A pointer
    /// NEW's code makes is the same trampoline (the patch names the running
    /// program's functions), so new code calling it would pass the new
    /// arguments through the old prototype.
    static func pointedToSignatureChanges(old: Program, new: Program, changed: [String], byValue: [String: String]) -> [Diagnostic] {
        let oldTaken = Slots.addressTaken(old), newTaken = Slots.addressTaken(new)
        let oldByIdentity = Dictionary(old.functions.filter(\.isDefinition).map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        let newByIdentity = Dictionary(new.functions.filter(\.isDefinition).map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Diagnostic] = []
        for g in changed.sorted() {
            guard let o = oldByIdentity[g], let n = newByIdentity[g] else { continue }
            let what = byValue[g].map { "'\(n.sourceName)' passes \($0) by value, whose layout changes" } ?? "the signature of '\(n.sourceName)' changes"
            let fix = "keep '\(n.sourceName)' with its old signature and give the new one a name of its own (a new function, which NEW's code calls and points to)"
            if oldTaken.contains(o.id) {
                out.append(Diagnostic(.error, n.loc,
                    "\(what), but the running program takes its address (\(Slots.whereAddressTaken(o.id, in: old))): a pointer it keeps in data (a table, a registered signal handler, a callback) would call the new function with the old arguments; \(fix)",
                    rule: "PATCH-9"))
            } else if newTaken.contains(n.id) {
                out.append(Diagnostic(.error, n.loc,
                    "\(what), and NEW's code takes its address (\(Slots.whereAddressTaken(n.id, in: new))): that address is the running program's entry to it, compiled with the old signature, so calls through the pointer would pass the new arguments the old way; \(fix)",
                    rule: "PATCH-9"))
            }
        }
        return out
    }

    // MARK: Speaking of what the programmer wrote

    /// "the loop at prog.c:12 in main" for a loop body extracted from a function (UPD-3), "the code after the call at
    /// prog.c:15 in main" for a continuation (UPD-8); nil for any other function.
    static func loopName(_ f: Function, in p: Program) -> String? { Extracted.name(f, in: p) }

    /// The variables an extracted loop body takes from its function, in
    /// parameter order, as the programmer knows them: `name: type` for a
    /// variable (types seen through typedefs), the type alone for a compiler
    /// temporary, and the return slot. nil: two parameters have one name,
    /// so a name does not say which is which.
    static func loopVariables(_ f: Function, in p: Program) -> [String]? {
        var out: [String] = [], names: Set<String> = []
        for id in f.params {
            let l = f.locals[id.index]
            var t = l.type
            if case .pointer(let e) = p.unroll(t) { t = e }
            let type = fingerprintType(t, in: p)
            if l.name.hasPrefix("graft_ret") { out.append("return: \(type)"); continue }
            if l.isTemp { out.append("temporary: \(type)"); continue }
            guard names.insert(l.sourceName).inserted else { return nil }
            out.append("\(l.sourceName): \(type)")
        }
        return out
    }

    /// UPD-3: the extracted loop bodies present in OLD and NEW whose match
    /// to the running function's frame is not proven, with the reason in
    /// the programmer's terms. The running F passes its variables to the
    /// body by position; NEW's body must take the same variables (by name
    /// and declaration, `loopVariables`) at the same positions. Loops are
    /// known by their rank among F's marked loops; when F has another
    /// number of them in NEW, a loop at a rank is the same only if its body
    /// is unchanged (a loop inserted before it would otherwise inherit its
    /// slot).
    static func loopMatching(old: Program, new: Program, loops: [String: String]) -> [String: (message: String, variables: Bool)] {
        // Ranked among the parent's extracted functions of one kind (loops, continuations).
        func parent(_ identity: String) -> String? {
            Extracted.group(identity)
        }
        let oldLoops = old.functions.filter { $0.isDefinition && parent($0.identity) != nil }
        let newLoops = Dictionary(new.functions.filter { $0.isDefinition && parent($0.identity) != nil }.map { ($0.identity, $0) },
                                  uniquingKeysWith: { a, _ in a })
        var count: [String: (old: Int, new: Int)] = [:]
        for f in oldLoops { count[parent(f.identity)!, default: (0, 0)].old += 1 }
        for f in newLoops.values { count[parent(f.identity)!, default: (0, 0)].new += 1 }
        var out: [String: (message: String, variables: Bool)] = [:]
        for o in oldLoops {
            guard let n = newLoops[o.identity], let fn = parent(o.identity), let origin = Extracted.origin(o.identity) else { continue }
            let name = loops[o.identity] ?? o.identity
            let owner = Extracted.ownerName(origin.parent, in: old)
            let rule = origin.kind == .loop ? "UPD-3" : "UPD-8"
            if let c = count[fn], c.old != c.new, Fingerprint.of(o, in: old) != Fingerprint.of(n, in: new), Rules.enforced(rule, site: "rank") {
                let what = origin.kind == .loop
                    ? ("loop", "loop\(c.old == 1 ? "" : "s") with an update point at its head", "another loop's body", "add or remove such loops")
                    : ("continuation", "call\(c.old == 1 ? "" : "s") into the stack followed by code of its own", "the code after another call", "add or remove calls of functions that reach an update point")
                out[o.identity] = ("\(name) cannot be matched to a \(what.0) of NEW's \(owner): the running \(owner) has \(c.old) \(what.1), NEW's has \(c.new), and the code in its place changed, so the running \(owner) would call \(what.2) (\(rule)); \(what.3) in one patch and change the code around them in another", false)
                continue
            }
            guard Rules.enforced(rule, site: "variables") else { continue }
            let ov = loopVariables(o, in: old), nv = loopVariables(n, in: new)
            if ov == nil || nv == nil {
                out[o.identity] = ("\(name) takes two of \(owner)'s variables of one name, so which the running \(owner) passes where cannot be proven (\(rule))", true)
            } else if ov != nv {
                out[o.identity] = (loopSignatureChange(name, owner: owner, old: o, new: n, in: old, new), true)
            }
        }
        return out
    }

    /// Why an extracted loop body's new signature is in Δ (UPD-1): the
    /// variables of its function it takes by address are not the ones the
    /// running function passes.
    static func loopSignatureChange(_ loop: String, owner parent: String, old: Function, new: Function, in oldProgram: Program, _ newProgram: Program) -> String {
        func outer(_ f: Function, _ p: Program) -> [(name: String, type: String)] {
            f.params.map { f.locals[$0.index] }.filter { !$0.name.hasPrefix("graft_ret") }.map { l in
                var t = l.type
                if case .pointer(let e) = p.unroll(t) { t = e }
                return (l.sourceName, fingerprintType(t, in: p))
            }
        }
        let o = outer(old, oldProgram), n = outer(new, newProgram)
        func list(_ xs: [String]) -> String { (xs.count > 1 ? "variables " : "variable ") + xs.map { "'\($0)'" }.joined(separator: ", ") }
        let added = n.map(\.name).filter { x in !o.contains { $0.name == x } }
        let removed = o.map(\.name).filter { x in !n.contains { $0.name == x } }
        let retyped = n.filter { x in o.contains { $0.name == x.name && $0.type != x.type } }.map(\.name)
        var parts: [String] = []
        if !added.isEmpty { parts.append("now uses \(parent)'s \(list(added)), which the running \(parent) does not pass to it") }
        if !removed.isEmpty { parts.append("no longer uses \(parent)'s \(list(removed)), which the running \(parent) still passes to it") }
        if !retyped.isEmpty { parts.append("uses \(parent)'s \(list(retyped)) at a new type") }
        let oldRet = old.params.contains { old.locals[$0.index].name.hasPrefix("graft_ret") }
        let newRet = new.params.contains { new.locals[$0.index].name.hasPrefix("graft_ret") }
        if oldRet != newRet { parts.append(newRet ? "now returns from \(parent), which the running \(parent) does not expect" : "no longer returns from \(parent)") }
        if parts.isEmpty, o.map(\.name) != n.map(\.name), Set(o.map(\.name)) == Set(n.map(\.name)) {
            parts.append("takes \(parent)'s \(list(n.map(\.name))) in another order than the running \(parent) passes them")
        }
        if parts.isEmpty { parts.append("exchanges other variables with \(parent) than the running \(parent) passes to it") }
        return "\(loop) " + parts.joined(separator: ", and ")
    }

    /// PATCH-3: the globals `p`'s code may write: assigned (at any path
    /// into them), a call's or `va_arg`'s result, an asm output, or whose
    /// address is taken (by code or by a global's initializer), after which
    /// anything may write them. The others hold their initializer for as
    /// long as the program runs.
    static func writtenGlobals(_ p: Program) -> Set<GlobalID> {
        var out: Set<GlobalID> = []
        for f in p.functions { out.formUnion(writes(f)) }
        for g in p.globals { if let i = g.initializer { Walk.initializer(i, g.loc) { e, _ in out.formUnion(addressed(e)) } } }
        return out
    }

    /// The globals function `f` writes, or whose address it takes (PATCH-3, PATCH-10).
    static func writes(_ f: Function) -> Set<GlobalID> {
        guard let b = f.body else { return [] }
        var out: Set<GlobalID> = []
        func target(_ lv: LValue?) { if let lv, case .global(let g) = lv.host { out.insert(g) } }
        Walk.instructions(in: b) { i in
            switch i {
            case .assign(let lv, _, _): target(lv)
            case .call(let lv, _, _, _): target(lv)
            case .vaArg(let lv, _, _): target(lv)
            case .asm(let a, _): a.outputs.forEach { target($0.lvalue) }
            case .note: break
            }
        }
        Walk.expressions(in: b, at: f.loc) { e, _ in out.formUnion(addressed(e)) }
        return out
    }

    /// No initializer, or one whose every value is zero (`= 0`, `= {0}`, a null pointer).
    static func isZero(_ i: Initializer?) -> Bool {
        guard let i else { return true }
        func zero(_ e: Expr) -> Bool {
            switch e {
            case .cast(_, let a): return zero(a)
            case .const(.int(0), _): return true
            case .const(.float(let d, _), _): return d == 0
            default: return false
            }
        }
        switch i {
        case .expr(let e): return zero(e)
        case .compound(_, let es): return es.allSatisfy { isZero($0.value) }
        }
    }

    /// A global whose address `e` takes: anything may write it through that.
    static func addressed(_ e: Expr) -> Set<GlobalID> {
        switch e {
        case .addrOf(let lv), .startOf(let lv): if case .global(let g) = lv.host { return [g] }
        default: break
        }
        return []
    }

    /// PATCH-10: the functions of NEW (by index) that may run once the patch
    /// is applied at each of OLD's update points: the running code's callees
    /// there (their slots lead to NEW's code), every function whose address
    /// is taken, and what they call.
    static func runAfter(_ points: [UpdatePoint], deltas: [Int: Updatability.Delta], in new: Program, uses: [Uses]) -> [Int: Set<Int>] {
        let taken = Slots.addressTaken(new).map(\.index).sorted()
        return Dictionary(points.map { pt in
            let callees = deltas[pt.id]?.callees ?? []
            let roots = new.functions.indices.filter { new.functions[$0].isDefinition && callees.contains(new.functions[$0].identity) }
            return (pt.id, Updatability.reach(from: roots + taken, uses: uses, addressTaken: taken))
        }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether nothing can write an object of type `t` (const, or an array of const).
    /// An integer, floating or pointer type (through typedefs and qualifiers): one value C converts.
    static func isScalar(_ t: CType, in p: Program) -> Bool {
        switch p.unroll(t) {
        case .int, .float, .pointer, .enumeration: return true
        case .qualified(let e, _): return isScalar(e, in: p)
        default: return false
        }
    }

    static func isReadOnly(_ t: CType, in p: Program) -> Bool {
        if p.qualifiers(t).contains(.const) { return true }
        if case .array(let e, _) = p.unroll(t) { return isReadOnly(e, in: p) }
        return false
    }

    static func fingerprintType(_ t: CType, in p: Program) -> String {
        String(describing: Fingerprint.identityMapper(p).map(t))
    }

    /// A type as written and, when a typedef hides it, as it is: "count_t[2], that is int[2]".
    static func spelled(_ t: CType, in p: Program) -> String {
        var m = IDMapper()
        m.typedefType = { p.typedefs.indices.contains($0.index) ? p[$0].type : .void }
        let written = cSpelling(t, in: p), real = cSpelling(m.map(t), in: p)
        return written == real ? written : "\(written), that is \(real)"
    }

    /// A type in C words, for diagnostics: `unsigned int *`, `count_t[2]`, `struct job`.
    static func cSpelling(_ t: CType, in p: Program, depth: Int = 0) -> String {
        guard depth < 32 else { return "…" }
        func s(_ u: CType) -> String { cSpelling(u, in: p, depth: depth + 1) }
        switch t {
        case .void: return "void"
        case .int(let k): return k.spelling
        case .float(let k): return k.spelling
        case .complex(let k): return "_Complex " + k.spelling
        case .pointer(let x): return s(x) + " *"
        case .array(let x, let n): return s(x) + "[\(n.map(String.init) ?? "")]"
        case .vla(let x, _): return s(x) + "[*]"
        case .function(let ft): return "\(s(ft.result))(\(ft.params.map(s).joined(separator: ", ")))"
        case .record(let r): return p.records.indices.contains(r.index) ? "\(p[r].kind.rawValue) \(p[r].tag)" : "struct ?"
        case .enumeration(let e): return p.enums.indices.contains(e.index) ? "enum \(p[e].tag)" : "enum ?"
        case .typedef(let d): return p.typedefs.indices.contains(d.index) ? p[d].name : "?"
        case .qualified(let x, let q): return (q.contains(.const) ? "const " : "") + (q.contains(.volatile) ? "volatile " : "") + s(x)
        case .atomic(let x): return "_Atomic(\(s(x)))"
        case .vector(let x, let n): return "\(s(x)) vector[\(n)]"
        case .vaList: return "va_list"
        }
    }

    /// "count_t, that is int → count_t, that is long long" (PATCH-1: through typedefs).
    static func typeChangeText(_ a: CType, _ old: Program, _ b: CType, _ new: Program) -> String {
        "\(spelled(a, in: old)) → \(spelled(b, in: new))"
    }

    static func describeChange(_ o: Record, _ n: Record, old: Program, new: Program) -> String {
        let on = Set((o.fields ?? []).compactMap(\.name)), nn = Set((n.fields ?? []).compactMap(\.name))
        var parts: [String] = []
        let added = nn.subtracting(on).sorted(), removed = on.subtracting(nn).sorted()
        if !added.isEmpty { parts.append("field\(added.count > 1 ? "s" : "") \(added.joined(separator: ", ")) added") }
        if !removed.isEmpty { parts.append("field\(removed.count > 1 ? "s" : "") \(removed.joined(separator: ", ")) removed") }
        let retyped = (n.fields ?? []).compactMap { f -> String? in
            guard let name = f.name, let of = (o.fields ?? []).first(where: { $0.name == name }),
                  let t = translate(of.type, from: old, to: new) else { return nil }
            return fingerprintType(t, in: new) == fingerprintType(f.type, in: new) && of.bitWidth == f.bitWidth ? nil : name
        }
        if !retyped.isEmpty { parts.append("field\(retyped.count > 1 ? "s" : "") \(retyped.joined(separator: ", ")) retyped") }
        // PATCH-8: the enum a field holds gains constants, or changes their values.
        for f in n.fields ?? [] {
            guard let name = f.name, let of = (o.fields ?? []).first(where: { $0.name == name }),
                  let oe = Fingerprint.heldEnum(of.type, in: old), let ne = Fingerprint.heldEnum(f.type, in: new), old[oe].items.map(\.name) != new[ne].items.map(\.name) || old[oe].values != new[ne].values else { continue }
            parts.append(valueChange(old[oe], new[ne]).map { "field \(name)'s \(new[ne].identity) changes values (\($0))" } ?? "field \(name)'s \(new[ne].identity) gains constants")
        }
        if parts.isEmpty { parts.append("layout \(o.size) → \(n.size) bytes") }
        return parts.joined(separator: ", ")
    }

    /// UPD-6: deleted functions whose address the running program takes
    /// (and the deleted functions they call) may still run after the update,
    /// through pointers in data; they may not use what the patch changes.
    static func reachableDeleted(old: Program, deleted: Set<String>, typeChanges: [TypeChange],
                                 replaced: Set<String>, signatureChanges: Set<String>) -> [Diagnostic] {
        let taken = Slots.addressTaken(old)
        var reach: [FuncID] = old.functions.filter { $0.isDefinition && deleted.contains($0.identity) && taken.contains($0.id) }.map(\.id)
        var seen = Set(reach), out: [Diagnostic] = []
        let changing = Dictionary(typeChanges.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
        while let id = reach.popLast() {
            let f = old[id], u = Uses.of(f, in: old)
            for c in u.directCallees where old[c].isDefinition && deleted.contains(old[c].identity) && seen.insert(c).inserted { reach.append(c) }
            var uses: [String] = []
            for r in u.records.sorted() { if let c = changing[old[r].identity], !c.extends { uses.append("\(c.type), which the patch converts (\(c.change))") } }
            for g in u.globals.sorted() where replaced.contains(old[g].identity) { uses.append("global '\(old[g].sourceName)', which the patch defines anew") }
            for c in u.directCallees.sorted() where signatureChanges.contains(old[c].identity) { uses.append("'\(old[c].sourceName)', whose signature changed") }
            guard !uses.isEmpty else { continue }
            out.append(Diagnostic(.error, f.loc,
                "function '\(f.sourceName)' is deleted by the patch, but the running program takes its address (\(Slots.whereAddressTaken(id, in: old))): calls through pointers to it in data keep running its old code, which uses \(uses.joined(separator: ", ")); keeping '\(f.sourceName)' in NEW (it is then rebound to a version compiled against the new types) would make the patch admissible",
                rule: "UPD-6"))
        }
        return out
    }
}
