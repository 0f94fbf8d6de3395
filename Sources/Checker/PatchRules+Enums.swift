// Enums whose constants change value (Specs/patch.md PATCH-8): an
// enumerator inserted in the middle renumbers the ones after it, and every
// value the running program stored — in a global, a static local, a field,
// a local of a function on the stack, or an `int` it assigned a constant to
// — would be read by the new code with the new meaning. New code is
// consistent by itself (a function that names a constant is changed, its
// value is in the IR); what is not is the state. Appending enumerators
// (every old constant keeps its value) changes nothing that exists.

import IR

extension PatchRules {
    /// An enum of OLD some of whose constants NEW gives another value (or drops).
    struct EnumChange {
        var oldID: EnumID
        var newID: EnumID
        /// "enum phase" or, for an anonymous one, "the enum of IDLE, RUN, DONE".
        var name: String
        /// "RUN 1 → 2, DONE 2 → 3".
        var change: String
        /// OLD's constant names.
        var names: Set<String>
    }

    /// The enums of OLD whose constants do not all keep their values in NEW.
    /// An anonymous enum is matched by its constants' names (they are
    /// ordinary identifiers, unique in the program).
    static func changedEnums(old: Program, new: Program) -> [EnumChange] {
        var newByName: [String: EnumID] = [:]
        for e in new.enums where e.isComplete { for n in e.names { newByName[n] = e.id } }
        let newByIdentity = Dictionary(new.enums.filter(\.isComplete).map { ($0.identity, $0.id) }, uniquingKeysWith: { a, _ in a })
        var out: [EnumChange] = []
        for o in old.enums where o.isComplete && !o.names.isEmpty {
            let anonymous = o.tag.hasPrefix("__anon_")
            guard let nid = anonymous ? o.names.lazy.compactMap({ newByName[$0] }).first : newByIdentity[o.identity] else { continue }
            guard let change = valueChange(o, new[nid]) else { continue }
            let name = anonymous ? "the enum of " + o.names.prefix(4).joined(separator: ", ") + (o.names.count > 4 ? ", …" : "") : o.identity
            out.append(EnumChange(oldID: o.id, newID: nid, name: name, change: change, names: Set(o.names)))
        }
        return out
    }

    /// "RUN 1 → 2, DONE 2 → 3, OFF (= 4) removed"; nil when every old constant keeps its value.
    static func valueChange(_ o: EnumDef, _ n: EnumDef) -> String? {
        let now = Dictionary(n.items.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        var parts: [String] = []
        for (name, v) in o.items {
            if let w = now[name] {
                if w != v { parts.append("\(name) \(v) → \(w)") }
            } else {
                parts.append("\(name) (= \(v)) removed")
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// Whether a field of OLD's type `a` keeps its values as NEW's `b`:
    /// false when it holds an enum whose constants change value.
    static func keepsEnumValues(_ a: CType, from old: Program, _ b: CType, to new: Program) -> Bool {
        guard let oe = Fingerprint.heldEnum(a, in: old) else { return true }
        guard let ne = Fingerprint.heldEnum(b, in: new) else { return true }
        return valueChange(old[oe], new[ne]) == nil
    }

    /// Where the running program keeps values of a changed enum: globals
    /// and static locals, fields of records (typed as the enum, or an
    /// integer it assigns one of the enum's constants to).
    struct EnumStorage {
        var globals: [(global: GlobalID, typed: Bool)] = []
        var fields: [(record: RecordID, field: Int, typed: Bool)] = []
    }

    static func enumStorage(_ c: EnumChange, in p: Program) -> EnumStorage {
        var s = EnumStorage()
        var seenGlobals: Set<GlobalID> = [], seenFields: Set<[Int]> = []
        for g in p.globals where g.storage != .extern || g.initializer != nil {
            if Fingerprint.heldEnum(g.type, in: p) == c.oldID, seenGlobals.insert(g.id).inserted { s.globals.append((g.id, true)) }
        }
        for r in p.records {
            for (i, f) in (r.fields ?? []).enumerated() where Fingerprint.heldEnum(f.type, in: p) == c.oldID {
                if seenFields.insert([r.id.index, i]).inserted { s.fields.append((r.id, i, true)) }
            }
        }
        // An integer that is assigned one of the constants stores the enum too.
        func constant(_ e: Expr) -> Bool {
            switch e {
            case .const(.enumerator(let name, _), _): return c.names.contains(name)
            case .cast(_, let a): return constant(a)
            case .cond(_, let a, let b, _): return constant(a) || constant(b)
            default: return false
            }
        }
        func stored(into lv: LValue, in f: Function?) {
            if case .field(let rid, let i)? = lv.offsets.last {
                if Fingerprint.heldEnum(p.typeOf(lv, in: f), in: p) == nil, seenFields.insert([rid.index, i]).inserted { s.fields.append((rid, i, false)) }
            } else if case .global(let g) = lv.host, lv.offsets.allSatisfy({ if case .index = $0 { return true }; return false }) {
                if Fingerprint.heldEnum(p[g].type, in: p) == nil, seenGlobals.insert(g).inserted { s.globals.append((g, false)) }
            }
        }
        for g in p.globals {
            if case .expr(let e)? = g.initializer, constant(e) { stored(into: LValue(.global(g.id), []), in: nil) }
        }
        for f in p.functions where f.isDefinition {
            _ = Walk.mapInstructions(f.body!) { i in
                if case .assign(let lv, let e, _) = i, constant(e) { stored(into: lv, in: f) }
                return i
            }
        }
        return s
    }

    /// Whether `s` (code still to run) uses a changed enum as compiled: names
    /// one of its constants, or reads a value of it. The first such place.
    static func usesEnum(_ c: EnumChange, _ s: Stmt, in f: Function, _ p: Program) -> SourceLoc? {
        var at: SourceLoc? = nil
        Walk.expressions(in: s, at: f.loc) { e, loc in
            guard at == nil else { return }
            switch e {
            case .const(.enumerator(let name, _), _) where c.names.contains(name): at = loc
            case .read(let lv) where Fingerprint.heldEnum(p.typeOf(lv, in: f), in: p) == c.oldID: at = loc
            default: break
            }
        }
        return at
    }
}
