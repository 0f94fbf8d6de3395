// Type wrapping (DESIGN.md "How an updatable program works";
// Specs/representation.md is the layout, Specs/alias.md decides which
// types). A wrapped struct T is emitted as
//
//     struct T__gp { …T's fields… };                       /* the payload */
//     struct T { union { struct T__gp graft_d; unsigned char graft_room[sizeof(struct T__gp) + SLOP]; } graft_u;
//                unsigned graft_tag __attribute__((packed)); };
//     struct graft_type_state graft_ts_<hash of T's identity> = { 0, offsetof(struct T, graft_tag) };
//
// The payload stays at the object's address, so everything C says about
// T's layout up to its size holds (first member, offsetof, bytes through
// void *). Every access to a field of a T goes through `graft_con_T(&t)`,
// which returns the object itself while the type's `pending` flag is 0 —
// until a patch changes T — and otherwise asks the runtime (`graft_con`),
// which reads the tag at the offset the process fixed for T and converts
// the payload. The tag of a representation is a hash of its layout, so two
// builds of the same source agree on it whatever their history.
//
// The IR does not change: the emitter applies the wrapping. This file
// holds the pure parts: which records, their tags, and the slop.

import Checker
import Foundation
import IR

public struct TypeWrapping: Hashable, Sendable {
    /// Wrapped record → the tag of its representation in this program.
    public var tags: [RecordID: UInt32]
    /// Spare bytes after the payload in each wrapper.
    public var slop: Int
    /// Wrapped records whose wrapper size the code relies on (`Wrapping.spaced`).
    public var spaced: Set<RecordID> = []
    /// A patch's code: the wrapped records the running program already has
    /// (the runtime checks it has them as this code expects).
    public var existing: Set<RecordID> = []
    public init(tags: [RecordID: UInt32] = [:], slop: Int = TypeWrapping.defaultSlop) { self.tags = tags; self.slop = slop }
    public var isEmpty: Bool { tags.isEmpty }

    /// The name of a wrapped type's shared state (`struct graft_type_state`):
    /// from its stable identity, so every build in a process binds to the
    /// definition of the build that introduced the type.
    public static func stateSymbol(_ identity: String) -> String {
        "graft_ts_" + String(fnv1a64(identity), radix: 16)
    }

    /// 8 bytes: in the common case of a small struct on the heap it costs no
    /// memory at all (glibc rounds `malloc(n)` up to n + 8 in 16-byte steps,
    /// and the tag already takes 8), and it lets a struct gain one pointer
    /// or `long long` in place. A bigger change moves the payload onto the
    /// heap on conversion. `bench/kvstore.sh` measures slop 0 and 16 against it.
    public static let defaultSlop = 8

    /// The tags of `wrapped` records of `p`: a 31-bit hash (never 0) of the
    /// payload's layout — field names, types by identity, offsets, and the
    /// tags of wrapped records it holds by value.
    public static func make(_ p: Program, wrapped: Set<RecordID>, slop: Int = defaultSlop) -> TypeWrapping {
        var tags: [RecordID: UInt32] = [:]
        var visiting: Set<RecordID> = []
        func tag(_ id: RecordID) -> UInt32 {
            if let t = tags[id] { return t }
            visiting.insert(id)
            var text = PatchBuilder.fingerprint(p[id], in: p)
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
        var w = TypeWrapping(tags: tags, slop: slop)
        w.spaced = spaced(p, among: wrapped)
        return w
    }

    /// The wrapped records of `p` whose wrapper size its code relies on: in
    /// arrays (elements are spaced by it), inside another record (later
    /// fields are placed after it), or copied whole (the copy writes that
    /// many bytes). A patch whose code does this is refused by the runtime
    /// unless every object of the type has that same wrapper size.
    public static func spaced(_ p: Program, among wrapped: Set<RecordID>) -> Set<RecordID> {
        var out: Set<RecordID> = []
        func arrays(_ t: CType) {
            switch t {
            case .array(let e, _), .vla(let e, _):
                var u = p.unroll(e)
                while case .array(let inner, _) = u { u = p.unroll(inner) }
                if case .record(let id) = u, wrapped.contains(id) { out.insert(id) }
                arrays(e)
            case .pointer(let e), .qualified(let e, _), .atomic(let e): arrays(e)
            case .typedef(let id): arrays(p[id].type)
            default: break
            }
        }
        for r in p.records {
            for inner in byValueRecords(r, in: p) where wrapped.contains(inner) && inner != r.id { out.insert(inner) }
            for f in r.fields ?? [] { arrays(f.type) }
        }
        for g in p.globals { arrays(g.type) }
        for f in p.functions {
            for l in f.locals { arrays(l.type) }
            guard let body = f.body else { continue }
            _ = Updatable.mapInstrs(body) { i in
                switch i {
                case .assign(let lv, _, _), .call(.some(let lv), _, _, _):
                    if case .record(let id) = p.unroll(p.typeOf(lv, in: f)), wrapped.contains(id) { out.insert(id) }
                default: break
                }
                return i
            }
        }
        return out
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

    /// Records whose C layout differs from clang's because they hold a
    /// wrapped record by value (directly or through other records).
    public func layoutChanged(in p: Program) -> Set<RecordID> {
        var memo: [RecordID: Bool] = [:]
        func changed(_ id: RecordID, _ depth: Int) -> Bool {
            if let m = memo[id] { return m }
            guard depth < 64 else { return false }
            let c = TypeWrapping.byValueRecords(p[id], in: p).contains { tags[$0] != nil || changed($0, depth + 1) }
            memo[id] = c
            return c
        }
        return Set(p.records.map(\.id).filter { changed($0, 0) })
    }
}

extension TypeWrapping {
    /// The wrapping of an updatable build of `p`: the records the alias
    /// analysis clears (Specs/alias.md), with their tags. Records written in
    /// `excludingFile` (a patch's transformers.c: old layouts) are not wrapped.
    public static func forBuild(_ p: Program, excludingFile: String? = nil, slop: Int = defaultSlop) -> TypeWrapping {
        guard let f = excludingFile else { return make(p, wrapped: AliasAnalysis.analyze(p).wrapped, slop: slop) }
        // The transformers' own code is held to Specs/transformers.md, not to the alias rules.
        var q = p
        for i in q.functions.indices where q.functions[i].loc.file == f { q.functions[i].body = nil }
        let wrapped = AliasAnalysis.analyze(q).wrapped.filter { p[$0].loc.file != f }
        return make(p, wrapped: wrapped, slop: slop)
    }
}

extension TypeWrapping {
    /// `--explain-types`: the alias analysis's verdict for every struct the
    /// program defines, with the tag of each wrapped one.
    public static func explain(_ p: Program, _ w: TypeWrapping) -> String {
        var text = "graft: type wrapping (Specs/alias.md), slop \(w.slop) bytes\n"
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
    public init(identity: String, newRecord: RecordID, oldLayout: RecordID, fromTag: UInt32, toTag: UInt32,
                copies: [Copy], userTransformer: FuncID?, extends: Bool) {
        self.identity = identity; self.newRecord = newRecord; self.oldLayout = oldLayout; self.fromTag = fromTag
        self.toTag = toTag; self.copies = copies; self.userTransformer = userTransformer; self.extends = extends
    }
}
