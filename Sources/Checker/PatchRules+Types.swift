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
    public static func defaultCopies(old o: Record, oldProgram: Program, new r: Record, newProgram: Program,
                                     pinned: (old: Set<Int>, new: Set<Int>)? = nil) -> [(new: Int, old: Int)] {
        var out: [(Int, Int)] = []
        // An anonymous member (`struct { int b; };`, a union) has no name: the k-th of the old
        // record is the k-th of the new one, copied whole when it is laid out the same.
        let (oa, na) = (anonymousMembers(o, in: oldProgram), anonymousMembers(r, in: newProgram))
        for (j, i) in zip(oa, na) {
            guard case .record(let a) = oldProgram.unroll(o.fields![j].type), case .record(let b) = newProgram.unroll(r.fields![i].type) else { continue }
            if Fingerprint.structure(ofAnonymous: a, in: oldProgram) == Fingerprint.structure(ofAnonymous: b, in: newProgram) { out.append((i, j)) }
        }
        // A pinned field (a flexible array member at least) is not copied: its bytes stay where the object has them (REP-8).
        let pins = pinned ?? (Set([oldProgram.flexibleArray(of: o.id)?.index].compactMap { $0 }), Set([newProgram.flexibleArray(of: r.id)?.index].compactMap { $0 }))
        for (i, f) in (r.fields ?? []).enumerated() where !pins.new.contains(i) {
            guard let n = f.name, let j = (o.fields ?? []).firstIndex(where: { $0.name == n }), !pins.old.contains(j) else { continue }
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

    /// The fields of `r` that are anonymous members, in order.
    public static func anonymousMembers(_ r: Record, in p: Program) -> [Int] {
        (r.fields ?? []).indices.filter { i in
            guard r.fields![i].name == nil, r.fields![i].bitWidth == nil, case .record(let id) = p.unroll(r.fields![i].type) else { return false }
            return p[id].isAnonymousMember
        }
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
    /// `new` (absent from `old`, not copied, arithmetic): what NEW's
    /// *initialization* gives it — a global's initializer, a function NEW
    /// runs only at start-up (`startup`: none of what runs after an update
    /// point), or a function that allocates one (`malloc(sizeof *c)`, a
    /// constructor). No value there, or one computed at run time: zero. One
    /// constant, the same everywhere: that constant. Different constants:
    /// `needsValue`, refused unless a hand-written transformer sets it. (What code that runs after the point stores is
    /// an update of an initialized field, not its initial value.)
    static func initialValues(old o: Record, new r: Record, in p: Program, defaults: [(new: Int, old: Int)], startup: Set<Int>,
                              excluded: (SourceLoc) -> Bool) -> (initial: [TypeChange.Initial], needsValue: (String, String)?) {
        let oldNames = Set((o.fields ?? []).compactMap(\.name))
        let copied = Set(defaults.map(\.new))
        let fresh = Set((r.fields ?? []).indices.filter { i in
            guard let n = r.fields![i].name, !oldNames.contains(n), !copied.contains(i), r.fields![i].bitWidth == nil else { return false }
            switch p.unroll(r.fields![i].type) { case .int, .float, .enumeration: return true; default: return false }
        })
        guard !fresh.isEmpty else { return ([], nil) }
        let initializing = Set(p.functions.indices.filter { startup.contains($0) || allocates(r.id, p.functions[$0], in: p) })
        let found = fieldStores(r.id, fields: fresh, in: p, functions: initializing, excluded: excluded)
        var initial: [TypeChange.Initial] = []
        for i in fresh.sorted() {
            guard let stores = found[i], !stores.isEmpty else { continue }
            let name = r.fields![i].name!
            let at = { (s: FieldStore) in "\(s.function.map { "in '\($0)'" } ?? "in an initializer") at \(s.loc.file):\(s.loc.line)" }
            // A value computed at run time (from a constructor's arguments, say): nothing to copy; it stays zero.
            if stores.contains(where: { $0.value == nil }) { continue }
            let values = Set(stores.map { $0.value! })
            guard values.count == 1 else {
                let list = stores.prefix(3).map { "\(TypeChange.Initial.spelled($0.value!)) \(at($0))" }
                return (initial, (name, "NEW's initialization gives it different constants (\(list.joined(separator: "; ")))"))
            }
            let c = stores[0]
            if case .int(0) = c.value! { continue }
            initial.append(TypeChange.Initial(field: name, value: c.value!, type: c.type, loc: c.loc, function: c.function))
        }
        return (initial, nil)
    }

    /// Whether `f` allocates an object of record `r`: a call of an allocator
    /// whose result is a `T *`, or that is given `sizeof(T)`.
    static func allocates(_ r: RecordID, _ f: Function, in p: Program) -> Bool {
        guard let b = f.body else { return false }
        var found = false
        func sized(_ e: Expr) -> Bool {
            switch e {
            case .sizeOf(let t, _): if case .record(let id) = p.unroll(t) { return id == r }; return false
            case .cast(_, let a), .unary(_, let a, _): return sized(a)
            case .binary(_, let a, let c, _): return sized(a) || sized(c)
            default: return false
            }
        }
        Walk.instructions(in: b) { i in
            guard !found, case .call(let result, let callee, let args, _) = i, TypeWrapping.isAllocator(TypeWrapping.calleeName(callee, in: p)) else { return }
            if let lv = result, let e = p.pointee(p.typeOf(lv, in: f)), case .record(let id) = p.unroll(e), id == r { found = true }
            if args.contains(where: sized) { found = true }
        }
        return found
    }

    /// A store into a field: the constant it stores (nil: a value computed at run time), where, and in which function.
    public struct FieldStore: Hashable, Sendable {
        public var value: Constant?
        public var type: CType
        public var loc: SourceLoc
        public var function: String?
    }

    /// PATCH-2: what `functions` of `p` and global initializers (outside
    /// `excluded`) store into each of `fields` of record `r`.
    static func fieldStores(_ r: RecordID, fields: Set<Int>, in p: Program, functions: Set<Int>,
                            excluded: (SourceLoc) -> Bool) -> [Int: [FieldStore]] {
        var out: [Int: [FieldStore]] = [:]
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
        func note(_ i: Int, _ e: Expr?, _ loc: SourceLoc, _ f: Function?) {
            guard fields.contains(i), !excluded(loc) else { return }
            let c = e.flatMap(constant)
            out[i, default: []].append(FieldStore(value: c?.0, type: c?.1 ?? .void, loc: loc, function: f?.sourceName))
        }
        func initializer(_ ini: Initializer, _ loc: SourceLoc) {
            guard case .compound(let t, let entries) = ini else { return }
            for en in entries {
                if case .record(let id) = p.unroll(t), id == r, case .field(let i) = en.designator, case .expr(let e) = en.value { note(i, e, loc, nil) }
                initializer(en.value, loc)
            }
        }
        for g in p.globals { if let ini = g.initializer { initializer(ini, g.loc) } }
        for fi in functions.sorted() {
            let f = p.functions[fi]
            guard let b = f.body else { continue }
            Walk.instructions(in: b) { ins in
                switch ins {
                case .assign(let lv, let e, let loc): if case .field(let id, let i)? = lv.offsets.last, id == r { note(i, e, loc, f) }
                case .call(let lv?, _, _, let loc), .vaArg(let lv, _, let loc):
                    if case .field(let id, let i)? = lv.offsets.last, id == r { note(i, nil, loc, f) }
                default: break
                }
            }
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
        let wrapped = TypeWrapping.forBuild(p).tags
        for r in p.records where r.id != id && !r.isAnonymousMember && wrapped[r.id] == nil && TypeWrapping.byValueRecords(r, in: p).contains(id) {
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
