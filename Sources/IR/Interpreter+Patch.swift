// Patches applied by the interpreter: what a dynamic update means, as the
// oracle of graft's soundness property (Specs/updatability.md,
// Specs/patch.md, Specs/representation.md). The interpreter does not run
// the patch's instrumented code; it runs NEW's plain IR under the rules the
// runtime follows, and reports every access those rules do not make safe.
//
// A patch is NEW's program as it runs (loop bodies extracted, as OLD's
// are), the functions it rebinds, and the structs it converts with their
// transformers. Given to `Interpreter.run` and applied at an update point
// (`InterpreterState.applyPatch()` from the hook), it is merged into the
// running program by identity, as the runtime links a patch:
//
//   - Functions the patch rebinds (changed and new ones) run NEW's code from
//     then on, for every call: old code's, new code's and calls through
//     pointers. A rebound function keeps its address (a slot's trampoline).
//     Every other function NEW names is the running program's: old code.
//   - A global that keeps its type (seen through typedefs, structs by
//     identity) is the running program's object; one whose type changed is
//     a new object with NEW's initializer (PATCH-3).
//   - A struct whose layout changed has two layouts. Each object of it is in
//     the old representation until code reaches it after the update: every
//     position of an object made before the update, and every object old
//     code makes. Then, if the patch converts the struct, the object is
//     converted by the default transformer (the same-named fields whose
//     values convert without loss; the rest zero) and NEW's hand-written
//     one: in place when the new layout fits the object's room (REP-4),
//     else into a new object that every later access through the struct
//     reaches (REP-5).
//
// Reported as `staleRepresentation`:
//   - old code (a function on the stack at the update, or one the patch did
//     not rebind) reaching a struct whose layout changed, unless the new
//     layout only extends the old (UPD-2), or reading a global the patch
//     defined anew, or taking the size of such a struct;
//   - new code reaching an object of a changed struct the patch does not
//     convert;
//   - a call between versions with arguments of another version's shape (a
//     signature that changed, a changed struct passed or returned by value);
//   - a struct reached at a position inside another object of that struct
//     (an array stride or an embedding that is not the objects');
//   - a pointer into an object that was converted, to a field that moved, or
//     into the old bytes of a value that moved, used after the conversion
//     (the conversion finds such pointers by a precise walk of memory and
//     registers), and any access to the old bytes of a value that moved.
// A pointer to a struct's first byte is taken as the struct's, never as its
// first member's (the two are one address).

/// A patch as the interpreter applies it.
public struct InterpreterPatch: Sendable {
    /// NEW, as it runs.
    public var program: Program
    /// The identities of the functions whose calls go to NEW's code once the
    /// patch is applied: the changed ones and the new ones.
    public var rebound: Set<String>
    /// The structs the patch converts (by identity), each with the name of
    /// NEW's hand-written transformer, `f(old copy *, new *)`, if it has one.
    public var converts: [String: String?]
    /// NEW's function run once when the patch is applied.
    public var stateTransformer: String?
    /// Per converted struct (by identity): new fields the default transformer sets to a constant, not zero.
    public var initials: [String: [String: Expr]]
    /// Globals defined anew (by identity) that take the running program's value by C's conversion (PATCH-3).
    public var carried: Set<String>
    public init(program: Program, rebound: Set<String>, converts: [String: String?] = [:], stateTransformer: String? = nil,
                initials: [String: [String: Expr]] = [:], carried: Set<String> = []) {
        self.program = program; self.rebound = rebound; self.converts = converts; self.stateTransformer = stateTransformer
        self.initials = initials; self.carried = carried
    }
}

/// A struct whose layout the patch changes, and where its objects are.
final class Update {
    struct Changed {
        let identity: String
        let name: String
        let oldRecord: Int
        var newRecord = -1
        let converts: Bool
        let transformerName: String?
        var transformer: Int?
        let oldSize: Int
        let newSize: Int
        /// Every old field keeps its name, place and type (UPD-2): old code may reach the new layout.
        let extends: Bool
    }
    /// A changed struct (its index in `changed`) at an offset of an object.
    struct Position: Hashable { var off: Int; var kind: Int }
    enum Representation { case old, current, moved(Int) }

    let patch: InterpreterPatch
    var applied = false
    var changed: [Changed] = []
    /// Record index (OLD's before the update, either version's after) → its changed struct.
    var kindOf: [Int: Int] = [:]
    var oldRecords = 0, oldFunctions = 0
    /// Objects made from here on are made after the update.
    var firstNewObject = Int.max
    /// Objects made after the update that hold what was made before (realloc).
    var bornOld: Set<Int> = []
    /// OLD's function index → NEW's, for the functions the patch rebinds.
    var rebind: [Int: Int] = [:]
    /// Function index → why a call to it from the other version's code has the wrong shape.
    var crossShape: [Int: String] = [:]
    /// OLD's global index → its name, for the globals the patch defines anew.
    var staleGlobals: [Int: String] = [:]
    /// Before the update: the heap positions old code reached a changed struct at.
    var positions: [Int: Set<Position>] = [:]
    /// After the update: the representation of each changed struct's object.
    var regions: [Int: [Position: Representation]] = [:]
    var poisons: [String: Int] = [:]
    var conversions = 0
    init(_ patch: InterpreterPatch) { self.patch = patch }
}

// MARK: Shapes of types across versions

extension Program {
    /// A type as both versions can compare it: typedefs and qualifiers seen
    /// through, records and enums by identity.
    func shape(_ t: CType) -> String {
        switch unroll(t) {
        case .void: return "v"
        case .int(let k): return k.rawValue
        case .float(let k): return k.rawValue
        case .complex(let k): return "_Complex " + k.rawValue
        case .pointer(let p): return "*" + shape(p)
        case .array(let e, let n): return "[\(n.map(String.init) ?? "")]" + shape(e)
        case .vla(let e, _): return "[*]" + shape(e)
        case .function(let f): return "fn(" + f.params.map(shape).joined(separator: ",") + (f.variadic ? ",..." : "") + ")" + shape(f.result)
        case .record(let id): return "struct " + self[id].identity
        case .enumeration(let id): return "enum " + self[id].identity
        case .atomic(let i): return "_Atomic " + shape(i)
        case .vector(let e, let n): return "vector\(n) " + shape(e)
        case .vaList: return "va_list"
        case .typedef, .qualified: return "?"
        }
    }

    /// A record's layout as both versions can compare it: the records it
    /// holds by value (fields, arrays of them) with their own layouts, so a
    /// struct that embeds a changed one is changed too.
    func layout(_ r: Record, depth: Int = 0) -> String {
        "\(r.kind.rawValue) \(r.size)/\(r.align) {\((r.fields ?? []).map { fieldKey($0, depth: depth) }.joined(separator: ";"))}"
    }

    /// A field's name, place and (deep) type.
    func fieldKey(_ f: Field, depth: Int = 0) -> String {
        func held(_ t: CType) -> String {
            switch unroll(t) {
            case .record(let id) where depth < 16: return shape(t) + " " + layout(self[id], depth: depth + 1)
            case .array(let e, let n): return "[\(n.map(String.init) ?? "")]" + held(e)
            default: return shape(t)
            }
        }
        return "\(f.name ?? "_"):\(f.offsetBits):\(f.bitWidth ?? -1):\(held(f.type))"
    }
}

extension Machine {
    // MARK: Before the update

    /// The structs whose layout NEW changes, from the two programs alone.
    func prepare(_ u: Update) {
        let n = u.patch.program
        var newLayouts: [String: Record] = [:]
        for r in n.records where r.fields != nil && newLayouts[r.identity] == nil { newLayouts[r.identity] = r }
        var seen: Set<String> = []
        for r in program.records where r.fields != nil && seen.insert(r.identity).inserted {
            guard let nr = newLayouts[r.identity], program.layout(r) != n.layout(nr) else { continue }
            let oldFields = (r.fields ?? []).map { program.fieldKey($0) }
            let newFields = Set((nr.fields ?? []).map { n.fieldKey($0) })
            let extends = r.kind == nr.kind && nr.size >= r.size && oldFields.allSatisfy(newFields.contains)
            let t = u.patch.converts[r.identity]
            u.kindOf[r.id.index] = u.changed.count
            u.changed.append(Update.Changed(identity: r.identity, name: "\(r.kind.rawValue) \(r.tag)", oldRecord: r.id.index,
                                            converts: t != nil, transformerName: t ?? nil, oldSize: r.size, newSize: nr.size,
                                            extends: extends))
        }
        u.oldRecords = program.records.count
        u.oldFunctions = program.functions.count
    }

    /// Where code reaches the struct `rid` at `p`: its current representation.
    @inline(__always)
    func reach(_ rid: RecordID, _ p: Pointer) throws -> Pointer {
        guard let u = update, let k = u.kindOf[rid.index] else { return p }
        return try reach(u, k, isNew: rid.index >= u.oldRecords, p)
    }

    func reach(_ u: Update, _ k: Int, isNew: Bool, _ p: Pointer) throws -> Pointer {
        let c = u.changed[k]
        guard p.obj != 0 else { return p }  // the access reports the null pointer
        if !u.applied {
            if case .heap = objects[p.obj].kind { u.positions[p.obj, default: []].insert(Update.Position(off: p.off, kind: k)) }
            return p
        }
        if !isNew && !c.extends {
            throw fail(.staleRepresentation, "\(codeName) (the running program's code) reaches \(c.name) after the update changed its layout (\(c.oldSize) → \(c.newSize) bytes), at \(objects[p.obj].what) offset \(p.off)")
        }
        let pos = Update.Position(off: p.off, kind: k)
        if let r = u.regions[p.obj]?[pos] {
            switch r {
            case .current: return p
            case .moved(let s): return Pointer(obj: s, off: 0)
            case .old: return try convert(u, k, p, byNew: isNew)
            }
        }
        // No representation recorded: what was made before the update, or by old code, is old (REP-3).
        let old = p.obj < u.firstNewObject || u.bornOld.contains(p.obj) || !isNew
        try checkOverlap(u, k, p, size: old ? c.oldSize : c.newSize)
        u.regions[p.obj, default: [:]][pos] = old ? .old : .current
        return old ? try convert(u, k, p, byNew: isNew) : p
    }

    /// REP-8: the byte offset of pinned field `k` of record `rid` in the
    /// object at `p`: in the layout the object was made with (the running
    /// program's, for an object made before the update or by old code),
    /// found there by its name.
    func pinnedOffset(_ rid: RecordID, _ k: Int, _ p: Pointer) throws -> Int {
        guard let fields = program[rid].fields, fields.indices.contains(k) else { throw fail(.unsupported, "pinned field #\(k) of a record that has none") }
        if let u = update, u.applied, let c = u.kindOf[rid.index], p.obj < u.firstNewObject || u.bornOld.contains(p.obj) {
            let old = RecordID(u.changed[c].oldRecord)
            guard let j = (program[old].fields ?? []).firstIndex(where: { $0.name == fields[k].name }) else {
                throw fail(.staleRepresentation, "the running program's \(program[old].tag) has no field '\(fields[k].name ?? "_")' where the object keeps its pinned fields")
            }
            return fieldTable[old.index][j].byte
        }
        return fieldTable[rid.index][k].byte
    }

    /// The function running, as the programmer knows it.
    var codeName: String { frame.map { "'\($0.info.fn.sourceName)'" } ?? "an initializer" }

    func checkOverlap(_ u: Update, _ k: Int, _ p: Pointer, size: Int) throws {
        guard let rs = u.regions[p.obj] else { return }
        let c = u.changed[k]
        for (q, r) in rs where q.kind == k && q.off != p.off {
            let n: Int
            switch r { case .current: n = c.newSize; case .old, .moved: n = c.oldSize }
            if q.off < p.off + size && p.off < q.off + n {
                throw fail(.staleRepresentation, "\(codeName) reaches \(c.name) at offset \(p.off) of \(objects[p.obj].what), inside the \(c.name) at offset \(q.off) (\(n) bytes): a stride or an embedding the running objects do not have")
            }
        }
    }

    // MARK: Conversion

    /// Converts the old value of changed struct `k` at `p` (REP-4, REP-5); where it is now.
    func convert(_ u: Update, _ k: Int, _ p: Pointer, byNew: Bool) throws -> Pointer {
        let c = u.changed[k]
        let pos = Update.Position(off: p.off, kind: k)
        guard c.converts else {
            if !byNew { return p }
            throw fail(.staleRepresentation, "\(codeName) reaches \(c.name) at \(objects[p.obj].what) offset \(p.off) in its old layout: the patch changed the layout and does not convert it")
        }
        let o = objects[p.obj]
        guard o.live, p.off >= 0, p.off + c.oldSize <= o.data.count else { throw accessError(p, c.oldSize, write: false) }
        // The old value, copied aside for the transformers.
        let copy = allocate(size: c.oldSize, kind: .temporary(function: "the conversion of \(c.name)"), loc: loc)
        objects[copy].data = Array(o.data[p.off..<p.off + c.oldSize])
        for (key, v) in o.ptrs where key >= p.off && key + 8 <= p.off + c.oldSize { objects[copy].ptrs[key - p.off] = v }
        // Representations recorded inside the old value are now its fields'.
        if var rs = u.regions[p.obj] {
            for q in rs.keys where q.off >= p.off && q.off < p.off + c.oldSize && q != pos { rs.removeValue(forKey: q) }
            u.regions[p.obj] = rs
        }
        let room = (o.kind.isHeap && p.off == 0) ? o.size : c.oldSize
        let target: Pointer
        if c.newSize <= room && p.off + c.newSize <= o.data.count {
            clearShadow(o, p.off, c.newSize)
            o.data.replaceSubrange(p.off..<p.off + c.newSize, with: [UInt8](repeating: 0, count: c.newSize))
            target = p
            u.regions[p.obj]![pos] = .current
        } else {
            let s = allocate(size: c.newSize, kind: .heap, align: max(16, program.records[c.newRecord].align), loc: loc)
            target = Pointer(obj: s, off: 0)
            u.regions[p.obj]![pos] = .moved(s)
            u.regions[s, default: [:]][Update.Position(off: 0, kind: k)] = .current
            o.guarded = true
        }
        try transform(u, old: RecordID(c.oldRecord), Pointer(obj: copy, off: 0), new: RecordID(c.newRecord), target)
        if let t = c.transformer { _ = try call(FuncID(t), [.ptr(Pointer(obj: copy, off: 0)), .ptr(target)]) }
        objects[copy].end(at: loc)
        poison(u, k, p, moved: target.obj != p.obj)
        u.conversions += 1
        return target
    }

    /// The default transformer: NEW's fields from the same-named old ones
    /// whose values convert without loss, new fields set to the patch's
    /// constants (`initials`), the rest zero.
    func transform(_ u: Update, old: RecordID, _ src: Pointer, new: RecordID, _ dst: Pointer) throws {
        let of = program[old].fields ?? [], nf = program[new].fields ?? []
        for (name, e) in u.patch.initials[program[new].identity] ?? [:] {
            guard let i = nf.firstIndex(where: { $0.name == name }), nf[i].bitWidth == nil, let s = scalar(nf[i].type) else { continue }
            let b = fieldTable[new.index][i]
            try storeScalar(Pointer(obj: dst.obj, off: dst.off + b.byte), s, convert(try eval(e), to: s))
        }
        for (i, f) in nf.enumerated() {
            guard let name = f.name, let j = of.firstIndex(where: { $0.name == name }) else { continue }
            let a = fieldTable[old.index][j], b = fieldTable[new.index][i]
            try copyValue(u, of[j].type, width: a.width, Pointer(obj: src.obj, off: src.off + a.byte), bit: a.bit,
                          f.type, width: b.width, Pointer(obj: dst.obj, off: dst.off + b.byte), bit: b.bit)
        }
    }

    func copyValue(_ u: Update, _ ot: CType, width ow: Int?, _ src: Pointer, bit ob: Int,
                   _ nt: CType, width nw: Int?, _ dst: Pointer, bit nb: Int) throws {
        let (o, n) = (unroll(ot), unroll(nt))
        if let os = scalar(ot), let ns = scalar(nt) {
            guard keepsValues(o, n, os, ns, ow, nw) else { return }
            let v = try ow.map { try loadBits(src, bit: ob, width: $0, os.intKind) } ?? loadScalar(src, os)
            if let w = nw { try storeBits(dst, bit: nb, width: w, convert(v, to: ns)) } else { try storeScalar(dst, ns, convert(v, to: ns)) }
            return
        }
        switch (o, n) {
        case (.record(let a), .record(let b)) where program[a].identity == program[b].identity:
            if let k = u.kindOf[a.index] {
                try transform(u, old: a, src, new: b, dst)
                u.regions[dst.obj, default: [:]][Update.Position(off: dst.off, kind: k)] = .current
            } else if let s = recordSizes[a.index], s == recordSizes[b.index] {
                try writeBytes(dst, readBytes(src, s))
            }
        case (.array(let ae, let an?), .array(let be, let bn?)):
            let (asz, bsz) = (try sizeOf(ae), try sizeOf(be))
            for i in 0..<min(an, bn) {
                try copyValue(u, ae, width: nil, Pointer(obj: src.obj, off: src.off + i * asz), bit: 0,
                              be, width: nil, Pointer(obj: dst.obj, off: dst.off + i * bsz), bit: 0)
            }
        default:
            if program.shape(ot) == program.shape(nt), let s = try? sizeOf(ot) { try writeBytes(dst, readBytes(src, s)) }
        }
    }

    /// C's conversion from the old field's type to the new one's keeps every
    /// old value (Specs/transformers.md, the default transformer); an enum
    /// only if its constants keep their values (PATCH-8).
    func keepsValues(_ o: CType, _ n: CType, _ os: Scalar, _ ns: Scalar, _ ow: Int?, _ nw: Int?) -> Bool {
        if case .enumeration(let a) = o {
            if case .int(let y) = n { return y.isSigned && y.size >= 4 }
            guard case .enumeration(let b) = n, program[a].identity == program[b].identity else { return false }
            // Every old constant keeps its value (new ones may be added).
            let kept = Dictionary(zip(program[b].names, program[b].values), uniquingKeysWith: { a, _ in a })
            return zip(program[a].names, program[a].values).allSatisfy { kept[$0.0] == $0.1 }
        }
        switch (os, ns) {
        case (.int(let x), .int(let y)):
            if case .enumeration = n { return false }
            let xw = ow ?? x.size * 8, yw = nw ?? y.size * 8
            if x == y && xw <= yw { return true }
            if x == .bool { return true }
            if x.isSigned == y.isSigned { return yw >= xw }
            return !x.isSigned && y.isSigned && yw > xw
        case (.float(let x), .float(let y)): return y.size >= x.size
        case (.pointer, .pointer): return program.shape(o) == program.shape(n)
        default: return false
        }
    }

    /// Every pointer, in memory or in a register, into the old value of
    /// changed struct `k` at `p` at a field that is no longer where it was
    /// (or into any of it, when the value moved) now points nowhere.
    func poison(_ u: Update, _ k: Int, _ p: Pointer, moved: Bool) {
        let c = u.changed[k]
        let oldFields = program.records[c.oldRecord].fields ?? [], newFields = program.records[c.newRecord].fields ?? []
        func stale(_ off: Int) -> String? {
            guard off > 0 && off < c.oldSize else { return nil }
            let field = oldFields.last { $0.offsetBits / 8 <= off }
            let name = field?.name.map { "field '\($0)' of " } ?? ""
            if moved { return "a pointer to \(name)\(c.name), kept from before its value moved at the update (REP-5)" }
            guard let f = field else { return nil }
            if let g = newFields.first(where: { $0.name == f.name }), g.offsetBits == f.offsetBits, g.bitWidth == f.bitWidth,
               program.shape(g.type) == program.shape(f.type) { return nil }
            return "a pointer to \(name)\(c.name), kept from before the update moved that field"
        }
        func poisonObject(_ why: String) -> Int {
            if let o = u.poisons[why] { return o }
            let o = allocate(size: 0, kind: .libc("stale"), loc: loc)
            objects[o].state = .stale(why)
            u.poisons[why] = o
            return o
        }
        let base = objects[p.obj].base
        for o in objects where o.live && !o.ptrs.isEmpty {
            for (at, target) in o.ptrs where target == p.obj {
                let a = o.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
                if let why = stale(Int(Int64(bitPattern: a &- base)) - p.off) { o.ptrs[at] = poisonObject(why) }
            }
        }
        for f in frames {
            for (i, v) in f.regs.enumerated() {
                guard case .ptr(let q) = v, q.obj == p.obj, let why = stale(q.off - p.off) else { continue }
                let s = poisonObject(why)
                f.regs[i] = .ptr(Pointer(obj: s, off: Int(Int64(bitPattern: address(q) &- objects[s].base))))
            }
        }
    }

    /// An access of raw bytes of an object some of whose values moved (REP-5).
    func checkMoved(_ p: Pointer, _ n: Int) throws {
        guard let u = update, let rs = u.regions[p.obj] else { return }
        for (q, r) in rs {
            guard case .moved = r else { continue }
            let c = u.changed[q.kind]
            if q.off < p.off + n && p.off < q.off + c.oldSize {
                throw fail(.staleRepresentation, "\(codeName) accesses the old bytes of \(c.name) at offset \(q.off) of \(objects[p.obj].what), whose value moved at the update (REP-5)")
            }
        }
    }

    // MARK: Applying

    /// Merges NEW into the running program (see the top of this file).
    func applyPatch(_ u: Update) throws {
        guard !u.applied else { return }
        let n = u.patch.program
        u.firstNewObject = objects.count
        let (R, E, T, G, F) = (program.records.count, program.enums.count, program.typedefs.count, program.globals.count, program.functions.count)
        var oldByIdentity: [String: Int] = [:]
        for f in program.functions where oldByIdentity[f.identity] == nil || f.isDefinition { oldByIdentity[f.identity] = f.id.index }
        var fmap: [Int] = [], added: [Function] = []
        for f in n.functions {
            if let o = oldByIdentity[f.identity], !u.patch.rebound.contains(f.identity) || !f.isDefinition {
                fmap.append(o)
            } else {
                fmap.append(F + added.count)
                added.append(f)
            }
        }
        var m = IDMapper(record: { RecordID($0.index + R) }, enumeration: { EnumID($0.index + E) },
                         typedef: { TypedefID($0.index + T) }, global: { GlobalID($0.index + G) })
        m.function = { FuncID(fmap[$0.index]) }
        program.records += n.records.map(m.map)
        program.enums += n.enums.map(m.map)
        program.typedefs += n.typedefs.map(m.map)
        let newGlobals = n.globals.map(m.map)
        program.globals += newGlobals
        let newFunctions = added.enumerated().map { i, f in var g = m.map(f); g.id = FuncID(F + i); return g }
        program.functions += newFunctions
        typedefTypes += program.typedefs[T...].map(\.type)
        enumKinds += program.enums[E...].map(\.underlying)
        globalTypes += newGlobals.map(\.type)
        recordSizes += program.records[R...].map(Machine.size)
        hasBody += newFunctions.map(\.isDefinition)
        infos += [FnInfo?](repeating: nil, count: newFunctions.count)
        fieldTable += program.records[R...].map(Machine.fieldLayout)

        // Functions: a rebound one keeps its address.
        for f in newFunctions {
            if let o = oldByIdentity[f.identity], f.isDefinition {
                fnObj.append(fnObj[o])
                u.rebind[o] = f.id.index
                if let why = shapeDifference(program.functions[o], f, u) { u.crossShape[o] = why; u.crossShape[f.id.index] = why }
            } else {
                fnObj.append(allocate(size: 1, kind: .function(f.id), readOnly: true, loc: f.loc))
            }
        }
        // Functions NEW calls that stay the running program's: a changed struct by value crosses versions.
        for (j, f) in n.functions.enumerated() where fmap[j] < F && program.functions[fmap[j]].isDefinition {
            var g = m.map(f)
            g.id = FuncID(fmap[j])
            if let why = shapeDifference(program.functions[fmap[j]], g, u) { u.crossShape[fmap[j]] = why }
        }
        // Structs: the new layout of each changed one, its transformer.
        for (i, r) in program.records[R...].enumerated() where r.fields != nil {
            guard let k = u.changed.firstIndex(where: { $0.identity == r.identity && $0.newRecord < 0 }) else { continue }
            u.changed[k].newRecord = R + i
            u.kindOf[R + i] = k
            if let t = u.changed[k].transformerName {
                u.changed[k].transformer = newFunctions.first { $0.name == t && $0.isDefinition }?.id.index
                if u.changed[k].transformer == nil { throw fail(.malformedIR, "the patch's transformer '\(t)' for \(u.changed[k].name) is not in NEW") }
            }
        }
        // Globals: the running program's object, or one defined anew.
        var oldGlobal: [String: Int] = [:]
        for g in program.globals[..<G] where globalObj[g.id.index] != 0 { oldGlobal[g.identity] = g.id.index }
        var fresh: [GlobalVar] = []
        for g in newGlobals {
            if let o = oldGlobal[g.identity], program.shape(program.globals[o].type) == program.shape(g.type)
                || sameBits(program.globals[o].type, g.type) {
                globalObj.append(globalObj[o])
            } else if g.storage == .extern && g.initializer == nil, let o = program.globals[..<G].first(where: { $0.name == g.name }) {
                globalObj.append(globalObj[o.id.index])
            } else {
                globalObj.append(allocateGlobal(g))
                fresh.append(g)
                if let o = oldGlobal[g.identity] { u.staleGlobals[o] = g.sourceName }
            }
        }
        // What old code declared holds changed structs at known places: their representation is old.
        for g in program.globals[..<G] where globalObj[g.id.index] != 0 { declare(u, globalObj[g.id.index], 0, g.type) }
        for f in frames { for (i, o) in f.slots.enumerated() where o != 0 { declare(u, o, 0, f.info.types[i]) } }
        for (obj, ps) in u.positions { for p in ps where u.regions[obj]?[p] == nil { u.regions[obj, default: [:]][p] = .old } }
        u.positions = [:]
        u.applied = true
        for g in fresh {
            guard let ini = g.initializer else { continue }
            loc = g.loc
            try initialize(Pointer(obj: globalObj[g.id.index], off: 0), g.type, ini)
        }
        // PATCH-3: a global carried over takes the running program's value at its new type.
        for g in fresh where u.patch.carried.contains(g.identity) {
            guard let o = oldGlobal[g.identity] else { continue }
            loc = g.loc
            let v = try load(.mem(Pointer(obj: globalObj[o], off: 0)), program.globals[o].type)
            try store(.mem(Pointer(obj: globalObj[g.id.index], off: 0)), g.type, try cast(v, to: g.type))
        }
        if let st = u.patch.stateTransformer {
            guard let f = newFunctions.first(where: { $0.name == st && $0.isDefinition }) else { throw fail(.malformedIR, "the patch's state transformer '\(st)' is not in NEW") }
            _ = try call(f.id, [])
        }
    }

    /// Integers of one width, or an object pointer and `void *`: the
    /// running program's global is kept at the new type (PATCH-3).
    func sameBits(_ a: CType, _ b: CType) -> Bool {
        switch (unroll(a), unroll(b)) {
        case (.int(let x), .int(let y)): return x != .bool && y != .bool && x.size == y.size
        case (.pointer(let x), .pointer(let y)):
            if case .void = unroll(x) { if case .function = unroll(y) { return false }; return true }
            if case .void = unroll(y) { if case .function = unroll(x) { return false }; return true }
            return false
        default: return false
        }
    }

    /// Why a call of `old` by NEW's code, or of `new` by OLD's, passes
    /// values of another version's shape; nil when it does not.
    func shapeDifference(_ old: Function, _ new: Function, _ u: Update) -> String? {
        let a = program.shape(.function(old.type)), b = program.shape(.function(new.type))
        if a != b { return "the signature of '\(old.sourceName)' changed (\(a) → \(b))" }
        for t in [old.type.result] + old.type.params {
            if case .record(let id) = unroll(t), let k = u.kindOf[id.index] {
                return "'\(old.sourceName)' passes \(u.changed[k].name) by value, and its layout changed"
            }
        }
        return nil
    }

    /// Records the changed structs a declared object of type `t` holds at
    /// `off` as old (arrays up to 65,536 elements).
    func declare(_ u: Update, _ obj: Int, _ off: Int, _ t: CType) {
        switch unroll(t) {
        case .record(let id):
            if let k = u.kindOf[id.index], id.index < u.oldRecords {
                let p = Update.Position(off: off, kind: k)
                if u.regions[obj]?[p] == nil { u.regions[obj, default: [:]][p] = .old }
            }
            for (i, f) in (program[id].fields ?? []).enumerated() where f.bitWidth == nil {
                declare(u, obj, off + fieldTable[id.index][i].byte, f.type)
            }
        case .array(let e, let n?):
            guard let s = try? sizeOf(e), s > 0, n <= 65_536, containsChanged(u, e) else { return }
            for i in 0..<n { declare(u, obj, off + i * s, e) }
        default: return
        }
    }

    func containsChanged(_ u: Update, _ t: CType) -> Bool {
        switch unroll(t) {
        case .record(let id):
            return u.kindOf[id.index] != nil || (program[id].fields ?? []).contains { containsChanged(u, $0.type) }
        case .array(let e, _): return containsChanged(u, e)
        default: return false
        }
    }

    // MARK: Checks on code running after the update

    /// A call of `callee` from the running frame: NEW's code if the patch rebinds it.
    @inline(__always)
    func bound(_ callee: FuncID) throws -> FuncID {
        guard let u = update, u.applied else { return callee }
        var id = callee
        if let n = u.rebind[id.index] { id = FuncID(n) }
        if let why = u.crossShape[id.index] {
            let callerNew = (frame?.fn.index ?? 0) >= u.oldFunctions, calleeNew = id.index >= u.oldFunctions
            if callerNew != calleeNew {
                throw fail(.staleRepresentation, "\(codeName) (\(callerNew ? "new" : "the running program's") code) calls '\(program[id].sourceName)' (\(calleeNew ? "new" : "old") code), and \(why)")
            }
        }
        return id
    }

    /// Old code reading a global the patch defined anew (PATCH-3).
    func checkGlobal(_ u: Update, _ id: GlobalID) throws {
        if u.applied, let name = u.staleGlobals[id.index] {
            throw fail(.staleRepresentation, "\(codeName) (the running program's code) reaches global '\(name)', which the patch defined anew with another type")
        }
    }

    /// Old code taking the size of a struct whose layout changed.
    func checkSize(_ u: Update, _ t: CType) throws {
        guard u.applied, case .record(let id) = unroll(t), id.index < u.oldRecords, let k = u.kindOf[id.index], !u.changed[k].extends else { return }
        throw fail(.staleRepresentation, "\(codeName) (the running program's code) takes the size of \(u.changed[k].name) after the update changed it")
    }

    /// `realloc` keeps the representations of what it moves.
    func reallocated(_ from: Int, _ to: Int) {
        guard let u = update else { return }
        if let ps = u.positions.removeValue(forKey: from) { u.positions[to] = ps }
        if let rs = u.regions.removeValue(forKey: from) {
            u.regions[to] = rs
            if rs.values.contains(where: { if case .moved = $0 { return true }; return false }) { objects[to].guarded = true }
        }
        if u.applied && (from < u.firstNewObject || u.bornOld.contains(from)) { u.bornOld.insert(to) }
    }
}

extension MemObject.Kind {
    var isHeap: Bool { if case .heap = self { return true }; return false }
}

extension Scalar {
    var intKind: IntKind { if case .int(let k) = self { return k }; return .int }
}
