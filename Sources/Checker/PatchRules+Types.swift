// How a wrapped type's old representation maps onto its new one
// (Specs/patch.md PATCH-2): ids translated across versions, the fields the
// default transformer copies, and whether the new layout extends the old
// (Specs/updatability.md UPD-2).

import IR

extension PatchRules {
    /// `t` of `from` written with `to`'s ids (matched by identity); nil when
    /// something it holds by value has no counterpart.
    public static func translate(_ t: CType, from: Program, to: Program) -> CType? {
        switch t {
        case .void, .int, .float, .complex, .vaList: return t
        case .typedef(let id): return translate(from[id].type, from: from, to: to)
        case .qualified(let e, let q): return translate(e, from: from, to: to).map { .qualified($0, q) }
        case .atomic(let e): return translate(e, from: from, to: to).map { .atomic($0) }
        case .vector(let e, let n): return translate(e, from: from, to: to).map { .vector($0, count: n) }
        case .array(let e, let n): return translate(e, from: from, to: to).map { .array($0, length: n) }
        case .vla: return nil
        case .pointer(let e): return .pointer(translate(e, from: from, to: to) ?? .void)
        case .function(let ft):
            guard let r = translate(ft.result, from: from, to: to) else { return nil }
            let ps = ft.params.compactMap { translate($0, from: from, to: to) }
            guard ps.count == ft.params.count else { return nil }
            return .function(FunctionType(result: r, params: ps, variadic: ft.variadic, hasPrototype: ft.hasPrototype))
        case .enumeration(let id):
            if let n = to.enums.first(where: { $0.identity == from[id].identity }) { return .enumeration(n.id) }
            return .int(from[id].underlying)
        case .record(let id):
            let r = from[id]
            guard !r.isAnonymousMember, let n = to.records.first(where: { $0.identity == r.identity && ($0.fields != nil || r.fields == nil) }) else { return nil }
            return .record(n.id)
        }
    }

    /// Field pairs (new index, old index) the default transformer copies: the
    /// same name, and the old type converts to the new one without loss.
    public static func defaultCopies(old o: Record, oldProgram: Program, new r: Record, newProgram: Program) -> [(new: Int, old: Int)] {
        var out: [(Int, Int)] = []
        for (i, f) in (r.fields ?? []).enumerated() {
            guard let n = f.name, let j = (o.fields ?? []).firstIndex(where: { $0.name == n }) else { continue }
            let of = o.fields![j]
            guard (of.bitWidth == nil) == (f.bitWidth == nil) || Conversions.keepsValue(oldProgram.unroll(of.type), newProgram.unroll(f.type)),
                  let t = translate(of.type, from: oldProgram, to: newProgram) else { continue }
            // PATCH-8: an enum whose constants change value has no default.
            guard keepsEnumValues(of.type, from: oldProgram, f.type, to: newProgram) else { continue }
            if fingerprintType(t, in: newProgram) == fingerprintType(f.type, in: newProgram) && of.bitWidth == f.bitWidth {
                out.append((i, j))
            } else if Conversions.keepsValue(oldProgram.unroll(of.type), newProgram.unroll(f.type)) && (f.bitWidth ?? 64) >= (of.bitWidth ?? 0) && f.bitWidth == nil {
                out.append((i, j))
            }
        }
        return out
    }

    /// The strictest alignment a representation may grow to and still be
    /// an extension: a pointer's. (The runtime converts in place only at an
    /// address aligned for the new representation, REP-4, and otherwise on
    /// the heap, which is; the old fields keep their offsets either way.)
    static let payloadAlignmentKept = 8

    /// Every old field keeps its name, offset and type in the new layout,
    /// which is at least as big (UPD-2). The alignment may grow (a `long
    /// long` appended to ints): old code then finds every old field where
    /// it was, in place or on the heap.
    static func extendsLayout(old o: Record, oldProgram: Program, new r: Record, newProgram: Program) -> Bool {
        guard r.size >= o.size, r.align == o.align || (r.align > o.align && r.align <= payloadAlignmentKept) else { return false }
        for of in o.fields ?? [] {
            guard let n = of.name, let f = (r.fields ?? []).first(where: { $0.name == n }),
                  f.offsetBits == of.offsetBits, f.bitWidth == of.bitWidth,
                  // By identity, as VAL-4 compares: `struct gone *` → `void *` is a conversion, not an extension.
                  fingerprintType(of.type, in: oldProgram) == fingerprintType(f.type, in: newProgram),
                  keepsEnumValues(of.type, from: oldProgram, f.type, to: newProgram) else { return false }
            if case .record = newProgram.unroll(f.type) { return false }   // a nested record may itself change
        }
        return true
    }

    /// PATCH-2: the value the default transformer gives each new field of
    /// `new` (absent from `old`, not copied): zero, unless NEW's code gives
    /// it constants none of which is zero and all the same — then that one
    /// (a window size NEW's start-up code sets). Different nonzero
    /// constants, and no zero among them: `ambiguous`, refused.
    static func initialValues(old o: Record, new r: Record, in p: Program, defaults: [(new: Int, old: Int)],
                              excluded: (SourceLoc) -> Bool) -> (initial: [TypeChange.Initial], ambiguous: (String, [FieldConstant])?) {
        let oldNames = Set((o.fields ?? []).compactMap(\.name))
        let copied = Set(defaults.map(\.new))
        let fresh = Set((r.fields ?? []).indices.filter { i in
            guard let n = r.fields![i].name, !oldNames.contains(n), !copied.contains(i), r.fields![i].bitWidth == nil else { return false }
            switch p.unroll(r.fields![i].type) { case .int, .float, .enumeration: return true; default: return false }
        })
        guard !fresh.isEmpty else { return ([], nil) }
        let found = fieldConstants(r.id, fields: fresh, in: p, excluded: excluded)
        func isZero(_ c: Constant) -> Bool {
            switch c { case .int(let v): return v == 0; case .float(let d, _): return d == 0; default: return false }
        }
        var initial: [TypeChange.Initial] = []
        for i in fresh.sorted() {
            guard let cs = found[i], !cs.contains(where: { isZero($0.value) }) else { continue }
            let name = r.fields![i].name!
            guard Set(cs.map(\.value)).count == 1 else { return (initial, (name, cs)) }
            let c = cs[0]
            initial.append(TypeChange.Initial(field: name, value: c.value, type: c.type, loc: c.loc, function: c.function))
        }
        return (initial, nil)
    }

    /// A constant NEW's code gives a field: where, and in which function.
    public struct FieldConstant: Hashable, Sendable {
        public var value: Constant
        public var type: CType
        public var loc: SourceLoc
        public var function: String?
    }

    /// PATCH-2: the numeric constants NEW's code (outside `excluded`)
    /// stores into each of `fields` of record `r` — by assignment, or in an
    /// initializer (a global's, a local's, a compound literal's).
    static func fieldConstants(_ r: RecordID, fields: Set<Int>, in p: Program,
                               excluded: (SourceLoc) -> Bool) -> [Int: [FieldConstant]] {
        var out: [Int: [FieldConstant]] = [:]
        func constant(_ e: Expr) -> (Constant, CType)? {
            switch e {
            case .cast(_, let a): return constant(a)
            case .const(let c, let t):
                switch (c, p.unroll(t)) {
                case (.int, .int), (.float, .float): return (c, p.unroll(t))
                case (.int, .enumeration(let id)): return (c, .int(p[id].underlying))
                default: return nil
                }
            default: return nil
            }
        }
        func note(_ i: Int, _ e: Expr, _ loc: SourceLoc, _ f: Function?) {
            guard fields.contains(i), !excluded(loc), let (c, t) = constant(e) else { return }
            out[i, default: []].append(FieldConstant(value: c, type: t, loc: loc, function: f?.sourceName))
        }
        func initializer(_ ini: Initializer, _ loc: SourceLoc, _ f: Function?) {
            guard case .compound(let t, let entries) = ini else { return }
            for en in entries {
                if case .record(let id) = p.unroll(t), id == r, case .field(let i) = en.designator, case .expr(let e) = en.value {
                    note(i, e, loc, f)
                }
                initializer(en.value, loc, f)
            }
        }
        func stmt(_ st: Stmt, _ f: Function) {
            switch st {
            case .instr(.assign(let lv, let e, let loc)):
                if case .field(let id, let i)? = lv.offsets.last, id == r { note(i, e, loc, f) }
            case .local(_, let ini, let loc): if let ini { initializer(ini, loc, f) }
            case .block(let ss): ss.forEach { stmt($0, f) }
            case .if(_, let t, let e, _): stmt(t, f); if let e { stmt(e, f) }
            case .loop(let b, let n, _): stmt(b, f); if let n { stmt(n, f) }
            case .switch(_, let b, _): stmt(b, f)
            default: break
            }
        }
        for g in p.globals { if let ini = g.initializer { initializer(ini, g.loc, nil) } }
        for f in p.functions { if let b = f.body { stmt(b, f) } }
        Walk.expressions(in: p) { e, loc, f in
            if case .compoundLiteral(_, let ini) = e { initializer(ini, loc, f) }
        }
        return out
    }

    /// How the code of `p` relies on the size of wrapped record `id`'s
    /// wrapper, in words (the cases of `TypeWrapping.spaced`; PATCH-6).
    static func spacedUse(_ id: RecordID, in p: Program) -> String {
        func arrayOf(_ t: CType, _ depth: Int = 0) -> Bool {
            guard depth < 64 else { return false }
            switch t {
            case .array(let e, _), .vla(let e, _):
                var u = p.unroll(e)
                while case .array(let inner, _) = u { u = p.unroll(inner) }
                if case .record(let r) = u, r == id { return true }
                return arrayOf(e, depth + 1)
            case .pointer(let e), .qualified(let e, _), .atomic(let e): return arrayOf(e, depth + 1)
            case .typedef(let t): return arrayOf(p[t].type, depth + 1)
            default: return false
            }
        }
        let name = p[id].identity
        for r in p.records where r.id != id && !r.isAnonymousMember && TypeWrapping.byValueRecords(r, in: p).contains(id) {
            return "\(r.identity) holds it by value"
        }
        for r in p.records where !r.isAnonymousMember {
            if let f = (r.fields ?? []).first(where: { arrayOf($0.type) }) { return "field '\(f.name ?? "_")' of \(r.identity) is an array of \(name)" }
        }
        if let g = p.globals.first(where: { arrayOf($0.type) }) { return "the global '\(g.sourceName)' is an array of \(name)" }
        for f in p.functions {
            if let l = f.locals.first(where: { arrayOf($0.type) }) { return "'\(l.sourceName)' in '\(f.sourceName)' is an array of \(name)" }
        }
        for f in p.functions where f.isDefinition {
            var copied = false
            _ = Walk.mapInstructions(f.body!) { i in
                switch i {
                case .assign(let lv, _, _), .call(.some(let lv), _, _, _):
                    if case .record(let r) = p.unroll(p.typeOf(lv, in: f)), r == id { copied = true }
                default: break
                }
                return i
            }
            if copied { return "'\(f.sourceName)' copies one whole" }
        }
        return "NEW's code relies on the size of its wrapper"
    }
}
