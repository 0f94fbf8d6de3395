// Type wrapping (DESIGN.md "How an updatable program works";
// Specs/representation.md is the representation, Specs/alias.md decides
// which types). A wrapped struct T keeps its plain layout; the emitter adds
//
//     struct graft_type_state graft_ts_<hash of T's identity>;   /* pending word */
//     static inline struct T *graft_con_T(const volatile struct T *p);
//
// and routes every field access and whole-object read or write of a T
// through `graft_con_T`, which returns the object itself while the pending
// word is NULL — until a patch changes T — and otherwise asks the runtime
// (`graft_con`), which knows each object's representation from a side
// table and converts stale ones. The tag of a representation is a hash of
// its layout, so two builds of the same source agree on it whatever their
// history.
//
// The IR does not change: the emitter applies the wrapping. This file
// holds the pure parts: which records, their tags.

import Foundation
import IR

public struct TypeWrapping: Hashable, Sendable {
    /// Wrapped record → the tag of its representation in this program.
    public var tags: [RecordID: UInt32]
    /// Wrapped records whose size the code relies on (`Wrapping.spaced`).
    public var spaced: Set<RecordID> = []
    /// REP-8: the pinned fields of each wrapped record (`Wrapping.pinned`),
    /// by index: they stay where the layout an object was made with put them.
    public var pinned: [RecordID: [Int]] = [:]
    /// A patch's code: the wrapped records the running program already has
    /// (the runtime checks it has them as this code expects).
    public var existing: Set<RecordID> = []
    public init(tags: [RecordID: UInt32] = [:]) { self.tags = tags }
    public var isEmpty: Bool { tags.isEmpty }

    /// The wrapped record `t` is (through typedefs and qualifiers), if any.
    public func wrappedRecord(_ t: CType, in p: Program) -> RecordID? {
        guard !isEmpty else { return nil }
        var u = p.unroll(t)
        while case .qualified(let inner, _) = u { u = p.unroll(inner) }
        if case .record(let id) = u, tags[id] != nil { return id }
        return nil
    }

    /// The name of a wrapped type's shared state (`struct graft_type_state`):
    /// from its stable identity, so every build in a process binds to the
    /// definition of the build that introduced the type.
    public static func stateSymbol(_ identity: String) -> String {
        "graft_ts_" + String(fnv1a64(identity), radix: 16)
    }

    /// The tags of `wrapped` records of `p`: a 31-bit hash (never 0) of the
    /// payload's layout — field names, types by identity, offsets, and the
    /// tags of wrapped records it holds by value.
    public static func make(_ p: Program, wrapped: Set<RecordID>) -> TypeWrapping {
        var tags: [RecordID: UInt32] = [:]
        var visiting: Set<RecordID> = []
        func tag(_ id: RecordID) -> UInt32 {
            if let t = tags[id] { return t }
            visiting.insert(id)
            var text = Fingerprint.of(p[id], in: p)
            for inner in byValueRecords(p[id], in: p) where wrapped.contains(inner) && !visiting.contains(inner) {
                text += "|\(p[inner].identity)=\(tag(inner))"
            }
            visiting.remove(id)
            let h = UInt32(truncatingIfNeeded: fnv1a64(text)) & 0x7fff_ffff
            let t = h == 0 ? 1 : h
            tags[id] = t
            return t
        }
        for id in wrapped.sorted(by: { $0.index < $1.index }) { _ = tag(id) }
        var w = TypeWrapping(tags: tags)
        w.spaced = spaced(p, among: wrapped)
        w.pinned = pinned(p, among: wrapped)
        return w
    }

    /// REP-8: the fields of wrapped records that stay where each object has
    /// them: a flexible array member (its bytes are the object's tail, as
    /// long as the code that made it chose), and a field holding a record
    /// that is not wrapped whose address the program hands to a function it
    /// does not define (`event_set(&c->ev, …)`, `pthread_mutex_lock(&c->lock)`):
    /// the library may keep that address, and reads and writes the field
    /// there, not through any con function.
    public static func pinned(_ p: Program, among wrapped: Set<RecordID>) -> [RecordID: [Int]] {
        var out: [RecordID: Set<Int>] = [:]
        for id in wrapped { if let fam = p.flexibleArray(of: id) { out[id, default: []].insert(fam.index) } }
        func strip(_ e: Expr) -> Expr { var e = e; while case .cast(_, let inner) = e { e = inner }; return e }
        for f in p.functions where f.isDefinition {
            _ = Walk.mapInstructions(f.body!) { i in
                guard case .call(_, let callee, let args, _) = i else { return i }
                switch callee {
                case .direct(let g) where !p.functions[g.index].isDefinition: break
                case .builtin: break
                default: return i
                }
                for a in args {
                    guard case .addrOf(let lv) = strip(a), case .field(let rid, let k)? = lv.offsets.last, wrapped.contains(rid),
                          let fields = p[rid].fields, fields.indices.contains(k), fields[k].bitWidth == nil else { continue }
                    var u = p.unroll(fields[k].type)
                    while case .qualified(let inner, _) = u { u = p.unroll(inner) }
                    if case .record(let held) = u, !wrapped.contains(held) { out[rid, default: []].insert(k) }
                }
                return i
            }
        }
        return out.mapValues { $0.sorted() }
    }

    /// REP-8: where the code of `p` copies a whole `id` — an assignment of
    /// one, a call's result or argument by value, a by-value parameter, a
    /// local of it —
    /// if anywhere (the first such place). Hand-written transformers are
    /// not counted (Specs/transformers.md holds them).
    public static func wholeCopy(_ id: RecordID, in p: Program) -> (SourceLoc, String)? {
        func isIt(_ t: CType) -> Bool {
            var u = p.unroll(t)
            while case .qualified(let inner, _) = u { u = p.unroll(inner) }
            if case .record(let r) = u { return r == id }
            return false
        }
        for f in p.functions where f.isDefinition && !f.sourceName.hasPrefix(TransformerCheck.transformerPrefix) {
            if isIt(f.type.result) || f.type.params.contains(where: isIt) { return (f.loc, f.sourceName) }
            // A local of it is one, made by copying or field by field (`struct conn snap = *c;`).
            if let l = f.locals.first(where: { isIt($0.type) }) { return (l.loc, f.sourceName) }
            var found: SourceLoc? = nil
            _ = Walk.mapInstructions(f.body!) { i in
                guard found == nil else { return i }
                switch i {
                case .assign(let lv, _, let loc): if isIt(p.typeOf(lv, in: f)) { found = loc }
                case .call(let r, _, let args, let loc):
                    if let r, isIt(p.typeOf(r, in: f)) { found = loc }
                    if args.contains(where: { isIt(p.typeOf($0, in: f)) }) { found = loc }
                default: break
                }
                return i
            }
            if let found { return (found, f.sourceName) }
        }
        return nil
    }

    /// The wrapped records of `p` whose size its code relies on: held in
    /// arrays (elements are spaced by it; also heap arrays, reached by
    /// pointer arithmetic on a `T *`), or sized by hand (`sizeUses`).
    /// Objects already in a process keep their size, so a patch that changes
    /// such a type's size is refused (PATCH-6). A record held by value in
    /// another is not spaced by that: the holder is wrapped too (whatever
    /// excludes it excludes what it holds, Specs/alias.md) and changes
    /// representation with it, and its conversion converts the held one
    /// (REP-7), so the fields after it are where the new layout puts them.
    public static func spaced(_ p: Program, among wrapped: Set<RecordID>) -> Set<RecordID> {
        var out = Set(sizeUses(p, among: wrapped).keys)
        func element(_ t: CType) -> RecordID? {
            var u = p.unroll(t)
            while case .array(let inner, _) = u { u = p.unroll(inner) }
            if case .record(let id) = u, wrapped.contains(id) { return id }
            return nil
        }
        func arrays(_ t: CType) {
            switch t {
            case .array(let e, _), .vla(let e, _):
                if let id = element(e) { out.insert(id) }
                arrays(e)
            case .pointer(let e), .qualified(let e, _), .atomic(let e): arrays(e)
            case .typedef(let id): arrays(p[id].type)
            default: break
            }
        }
        for r in p.records {
            // Held by a record that is not wrapped (a union, ALIAS-4, excludes it anyway): its layout is that record's.
            if !wrapped.contains(r.id) && !r.isAnonymousMember {
                for inner in byValueRecords(r, in: p) where wrapped.contains(inner) && inner != r.id { out.insert(inner) }
            }
            for f in r.fields ?? [] { arrays(f.type) }
        }
        for g in p.globals { arrays(g.type) }
        for f in p.functions { for l in f.locals { arrays(l.type) } }
        // Pointer arithmetic; an operand's type is asked in its function (it may be a local).
        func arithmetic(_ e: Expr, _ fn: Function?) {
            switch e {
            case .binary(.ptrAdd, _, _, let t), .binary(.ptrSub, _, _, let t):
                if let pt = p.pointee(t), let id = element(pt) { out.insert(id) }
            case .binary(.ptrDiff, let a, _, _):
                if let pt = p.pointee(p.typeOf(a, in: fn)), let id = element(pt) { out.insert(id) }
            default: break
            }
        }
        Walk.expressions(in: p) { e, _, fn in arithmetic(e, fn) }
        return out
    }

    /// PATCH-6: the wrapped records whose size `p`'s code relies on other
    /// than through arrays and embedding, with the first such use:
    /// - `sizeof(struct T)` anywhere but as the size of one object given to
    ///   an allocator (`malloc(sizeof *p)`, `calloc(1, sizeof *p)`) or as an
    ///   argument of a call that takes and returns no pointer: a size
    ///   passed to `memset`, `memcpy`, `memmove`, `qsort` or the program's own
    ///   `void *` helpers, or multiplied into an array's size
    ///   (`malloc(n * sizeof *a)`, `realloc`), is the size of objects NEW's
    ///   code did not make (an old object has the old size; its value may
    ///   have moved to the heap, REP-5, where these byte-wise calls do not go);
    /// Hand-written transformers (`graft_transform_*`) are not counted: they
    /// are held to Specs/transformers.md.
    public static func sizeUses(_ p: Program, among wrapped: Set<RecordID>,
                                 name: (Function) -> String = { "'\($0.sourceName)'" }) -> [RecordID: String] {
        guard !wrapped.isEmpty else { return [:] }
        var out: [RecordID: String] = [:]
        func record(_ t: CType, arrays: Bool) -> RecordID? {
            var u = p.unroll(t)
            while true {
                if case .qualified(let inner, _) = u { u = p.unroll(inner); continue }
                if arrays, case .array(let inner, _) = u { u = p.unroll(inner); continue }
                break
            }
            if case .record(let id) = u, wrapped.contains(id) { return id }
            return nil
        }
        func note(_ id: RecordID, _ what: String) { if out[id] == nil { out[id] = what } }
        func strip(_ e: Expr) -> Expr {
            var e = e
            while case .cast(_, let inner) = e { e = inner }
            return e
        }
        let transformer: (Function) -> Bool = { $0.sourceName.hasPrefix(TransformerCheck.transformerPrefix) }
        // sizeof(T): every occurrence, and those that size one object for an allocator
        // (or size nothing).
        var sized: [RecordID: SourceLoc] = [:], sizes: [RecordID: Int] = [:], single: [RecordID: Int] = [:]
        func count(_ e: Expr, _ loc: SourceLoc, _ by: Int) {
            guard case .sizeOf(let t, _) = e, let id = record(t, arrays: true) else { return }
            sizes[id, default: 0] += by
            if by > 0, sized[id] == nil { sized[id] = loc }
        }
        Walk.expressions(in: p) { e, loc, _ in count(e, loc, 1) }
        for f in p.functions where transformer(f) { if let b = f.body { Walk.expressions(in: b, at: f.loc) { e, loc in count(e, loc, -1) } } }
        for f in p.functions where !transformer(f) {
            // (A T held by value — a parameter, a result, a whole copy — does not count: a
            // whole-object read goes through con, REP-2, and a parameter is recorded, REP-3.)
            guard let body = f.body else { continue }
            _ = Walk.mapInstructions(body) { i in
                guard case .call(let result, let callee, let args, _) = i else { return i }
                func isPointer(_ t: CType) -> Bool { if case .pointer = p.unroll(t) { return true }; return false }
                // REP-8: `realloc(it, sizeof *it + n)` grows one object's tail; REP-6 moves what the table knows of it.
                if calleeName(callee, in: p)?.lowercased().contains("realloc") == true, args.count == 2,
                   case .binary(.add, _, _, _) = strip(args[1]), let t = sizedType(args[1], in: p, flexible: true), let id = record(t, arrays: false) {
                    single[id, default: 0] += 1
                    return i
                }
                guard isAllocator(calleeName(callee, in: p)) else {
                    // A size handed on with no pointer beside it and none back (`kv_oom(sizeof *e)`,
                    // a size logged) does not size any memory.
                    if result.map({ isPointer(p.typeOf($0, in: f)) }) != true,
                       !args.contains(where: { isPointer(p.typeOf($0, in: f)) }) {
                        for a in args {
                            if case .sizeOf(let t, _) = strip(a), let id = record(t, arrays: false) { single[id, default: 0] += 1 }
                        }
                    }
                    return i
                }
                var ids: [RecordID] = [], one = true
                for a in args {
                    let a = strip(a)
                    // REP-8: `sizeof(T) + n` for a struct with a flexible array member sizes one object and its tail.
                    if case .binary(.add, _, _, _) = a, let t = sizedType(a, in: p, flexible: true), let id = record(t, arrays: false) {
                        ids.append(id)
                        continue
                    }
                    if case .sizeOf(let t, _) = a, let id = record(t, arrays: true) {
                        if record(t, arrays: false) == nil { one = false }   // sizeof(struct T[4])
                        ids.append(id)
                    } else if case .const(.int(1), _) = a {
                    } else if case .int = p.unroll(p.typeOf(a, in: f)) {
                        one = false   // `calloc(n, sizeof *a)`: an array
                    }
                }
                if one, ids.count == 1 { single[ids[0], default: 0] += 1 }
                return i
            }
        }
        for (id, n) in sizes where n > single[id, default: 0] {
            note(id, "its code uses sizeof(\(p[id].identity)) other than to allocate one object (at \(sized[id].map { "\($0)" } ?? "?"): a byte-wise call or an array sized by it)")
        }
        return out
    }

    /// The name a call calls by: a function's source name, a builtin's, or
    /// the function whose updatable build's slot it calls through; nil for
    /// any other call through a pointer.
    public static func calleeName(_ c: Callee, in p: Program) -> String? {
        switch c {
        case .direct(let f): return p.functions[f.index].sourceName
        case .builtin(let b): return b
        case .indirect(.read(let lv)):
            guard case .global(let g) = lv.host, lv.offsets.isEmpty, p.globals[g.index].name.hasPrefix(BuildManifest.slotPrefix) else { return nil }
            return String(p.globals[g.index].name.dropFirst(BuildManifest.slotPrefix.count))
        case .indirect: return nil
        }
    }

    /// The type an allocator's size argument is the size of one object of:
    /// `sizeof(T)` (through casts), and — `flexible` — for a struct with a
    /// flexible array member, `sizeof(T) + n` (`malloc(sizeof *it + len)`,
    /// the tail's bytes after the struct: REP-8).
    public static func sizedType(_ a: Expr, in p: Program, flexible: Bool) -> CType? {
        var e = a
        while case .cast(_, let inner) = e { e = inner }
        if case .sizeOf(let t, _) = e { return t }
        guard flexible, case .binary(.add, let l, let r, _) = e else { return nil }
        for side in [l, r] {
            if let t = sizedType(side, in: p, flexible: true), case .record(let id) = p.unroll(t), p.flexibleArray(of: id) != nil { return t }
        }
        return nil
    }

    /// Whether a callee of this name allocates one new object (REP-3,
    /// PATCH-6): "alloc" in its name, not "realloc".
    public static func isAllocator(_ name: String?) -> Bool {
        guard let name = name?.lowercased() else { return false }
        return name.contains("alloc") && !name.contains("realloc")
    }

    /// Named records a record holds by value (through arrays and anonymous members).
    public static func byValueRecords(_ r: Record, in p: Program) -> [RecordID] {
        var out: [RecordID] = []
        func walk(_ t: CType) {
            switch p.unroll(t) {
            case .record(let id):
                if p[id].isAnonymousMember { (p[id].fields ?? []).forEach { walk($0.type) } } else { out.append(id) }
            case .array(let e, _), .vla(let e, _): walk(e)
            case .qualified(let e, _), .atomic(let e): walk(e)
            default: break
            }
        }
        (r.fields ?? []).forEach { walk($0.type) }
        return out
    }
}

extension TypeWrapping {
    /// The wrapping of an updatable build of `p`: the records the alias
    /// analysis clears (Specs/alias.md), with their tags. Records written in
    /// `excludingFile` (a patch's transformers.c: old layouts) are not wrapped.
    public static func forBuild(_ p: Program, excludingFile: String? = nil) -> TypeWrapping {
        guard let f = excludingFile else { return make(p, wrapped: AliasAnalysis.analyze(p).wrapped) }
        // The transformers' own code is held to Specs/transformers.md, not to the alias rules.
        var q = p
        for i in q.functions.indices where q.functions[i].loc.file == f { q.functions[i].body = nil }
        let wrapped = AliasAnalysis.analyze(q).wrapped.filter { p[$0].loc.file != f }
        return make(p, wrapped: wrapped)
    }
}

extension TypeWrapping {
    /// `--explain-types`: the alias analysis's verdict for every struct the
    /// program defines, with the tag of each wrapped one.
    public static func explain(_ p: Program, _ w: TypeWrapping) -> String {
        var text = "graft: type wrapping (Specs/alias.md, Specs/representation.md)\n"
        text += AliasAnalysis.explain(AliasAnalysis.analyze(p), in: p)
        let tags = w.tags.sorted { $0.key.index < $1.key.index }.map { "  \(p[$0.key].identity): tag \(String(format: "%08x", $0.value))" }
        if !tags.isEmpty { text += (text.hasSuffix("\n") ? "" : "\n") + "representation tags:\n" + tags.joined(separator: "\n") + "\n" }
        return text
    }
}

/// A wrapped type's conversion that a patch installs: the emitter writes
/// its transform function (`graft_tf_T`) and the `graft_type_updates` table.
public struct TypeUpdateSpec: Hashable, Sendable {
    public struct Copy: Hashable, Sendable {
        public var new: Int
        public var old: Int
        public init(new: Int, old: Int) { self.new = new; self.old = old }
    }
    public var identity: String
    public var newRecord: RecordID
    /// A record of the patch program laid out as the old payload.
    public var oldLayout: RecordID
    public var fromTag: UInt32
    public var toTag: UInt32
    /// Fields the default transformer copies (indices into the new record and the old layout).
    public var copies: [Copy]
    /// The programmer's transformer, run after the default one.
    public var userTransformer: FuncID?
    public var extends: Bool
    /// A new field the default transformer sets to a constant (a `.const`), not zero.
    public struct Initial: Hashable, Sendable {
        public var field: Int
        public var value: Expr
        public init(field: Int, value: Expr) { self.field = field; self.value = value }
    }
    public var initials: [Initial]
    /// A field holding wrapped records by value (one, or an array of
    /// `count`): each is converted through its own representation
    /// (`graft_con_inner`, REP-7), never copied byte by byte, so that what
    /// the side table knows of it moves into the new value.
    public struct Inner: Hashable, Sendable {
        /// The field of the new record, and the old layout's.
        public var new: Int
        public var old: Int
        /// The wrapped record it holds (in the patch program), and how many.
        public var record: RecordID
        public var count: Int
        public init(new: Int, old: Int, record: RecordID, count: Int) { self.new = new; self.old = old; self.record = record; self.count = count }
    }
    public var inner: [Inner]
    public init(identity: String, newRecord: RecordID, oldLayout: RecordID, fromTag: UInt32, toTag: UInt32,
                copies: [Copy], userTransformer: FuncID?, extends: Bool, initials: [Initial] = [], inner: [Inner] = []) {
        self.identity = identity; self.newRecord = newRecord; self.oldLayout = oldLayout; self.fromTag = fromTag
        self.toTag = toTag; self.copies = copies; self.userTransformer = userTransformer; self.extends = extends
        self.initials = initials; self.inner = inner
    }
}

extension TypeWrapping {
    /// Whether an object of type `t` holds a wrapped record (itself, its
    /// named fields, the elements of its arrays of known length): what a
    /// note of it records. Eight levels deep at most.
    public func holdsWrapped(_ t: CType, in p: Program, depth: Int = 0) -> Bool {
        guard depth < 8 else { return false }
        var u = p.unroll(t)
        while case .qualified(let inner, _) = u { u = p.unroll(inner) }
        switch u {
        case .record(let id):
            if tags[id] != nil { return true }
            return (p[id].fields ?? []).contains { f in f.name != nil && f.bitWidth == nil && holdsWrapped(f.type, in: p, depth: depth + 1) }
        case .array(let e, _?): return holdsWrapped(e, in: p, depth: depth + 1)
        default: return false
        }
    }

    /// The wrapped record a field of type `t` holds by value, and how many:
    /// the record itself, or the elements of an array of known length (of
    /// any rank) of it (REP-7).
    public func heldRecord(_ t: CType, in p: Program) -> (record: RecordID, count: Int)? {
        var u = p.unroll(t), n = 1
        while true {
            if case .qualified(let inner, _) = u { u = p.unroll(inner); continue }
            if case .array(let inner, let len?) = u { n *= len; u = p.unroll(inner); continue }
            break
        }
        guard case .record(let id) = u, tags[id] != nil, n > 0 else { return nil }
        return (id, n)
    }
}
