// PATCH-7 (Specs/patch.md): a field whose address the running program
// takes must keep its place, its type and its object when a patch
// converts the struct around it. A pointer kept across the update — in a
// global, in a frame on the stack, in a library that holds `&conn->ev` —
// was computed from the old layout; a conversion that moves the field (or
// the whole payload, onto the heap: REP-5) leaves it pointing at bytes that
// mean something else. Conversions are lazy, so graft cannot find and fix
// such pointers; it refuses the patch instead.
//
// "Takes the address" is syntactic and conservative: any `&lv` or array
// decay of an lvalue whose path goes through a field of the struct, in any
// function or static initializer of the running program. A field used only
// through `p->f` (read, written, called) is not counted. Two ways to reach a
// field without `&` count too: a `struct T *` converted to an integer
// (`(uintptr_t)c + offsetof(struct T, f)` reaches any field: all of T's
// count), and a `void *` converted to a pointer to a struct U that is the
// first member of T (the first-member idiom through `void *`: T's first
// field counts). The same idiom with a first member of scalar type
// (`long *first = (void *)t`) is not seen.

import IR

public enum InteriorPointers {
    /// For each record, the fields (by index) whose address the program
    /// takes, with the first place it does so.
    public static func taken(in p: Program) -> [RecordID: [Int: SourceLoc]] {
        var out: [RecordID: [Int: SourceLoc]] = [:]
        func note(_ lv: LValue, _ loc: SourceLoc) {
            for o in lv.offsets {
                if case .field(let r, let i) = o, out[r]?[i] == nil { out[r, default: [:]][i] = loc }
            }
        }
        func noteField(_ r: RecordID, _ i: Int, _ loc: SourceLoc) { if out[r]?[i] == nil { out[r, default: [:]][i] = loc } }
        func record(_ t: CType) -> RecordID? {
            var u = p.unroll(t)
            while case .qualified(let inner, _) = u { u = p.unroll(inner) }
            if case .record(let id) = u, p[id].fields != nil { return id }
            return nil
        }
        // The structs whose first member (at offset 0, through first members) is U.
        var firstOf: [RecordID: [RecordID]] = [:]
        for r in p.records {
            var cur = r.id, seen: Set<RecordID> = []
            while seen.insert(cur).inserted, let f = p[cur].fields?.first, f.offsetBits == 0, f.bitWidth == nil, let inner = record(f.type) {
                firstOf[inner, default: []].append(r.id)
                cur = inner
            }
        }
        func visit(_ e: Expr, _ loc: SourceLoc, _ fn: Function?) {
            switch e {
            case .addrOf(let lv), .startOf(let lv): note(lv, loc)
            case .cast(let to, let inner):
                let from = p.typeOf(inner, in: fn)
                guard let fromPointee = p.pointee(from) else { return }
                if case .int(let k) = p.unroll(to), k != .bool, let r = record(fromPointee) {
                    // `(uintptr_t)obj`: integer arithmetic reaches every field.
                    for i in (p[r].fields ?? []).indices { noteField(r, i, loc) }
                } else if case .void = p.unroll(fromPointee), let pt = p.pointee(to), let u = record(pt) {
                    // `(struct U *)(void *)t`, U the first member of T: T's first field.
                    for t in firstOf[u] ?? [] { noteField(t, 0, loc) }
                }
            default: break
            }
        }
        var globalsOnly = p
        for i in globalsOnly.functions.indices { globalsOnly.functions[i].body = nil }
        Walk.expressions(in: globalsOnly) { e, loc in visit(e, loc, nil) }
        for f in p.functions { if let b = f.body { Walk.expressions(in: b, at: f.loc) { e, loc in visit(e, loc, f) } } }
        return out
    }

    /// PATCH-7: the refusals for converting `old` (of the running program,
    /// fields whose address it takes: `taken`) to `new`. `sameType` says
    /// whether a field's old and new types are the same type; `movesToHeap`
    /// whether the new payload outgrows the old objects' room (REP-5).
    public static func movedFields(old: Record, new: Record, taken: [Int: SourceLoc], movesToHeap: Bool,
                                   sameType: (CType, CType) -> Bool) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let fields = old.fields ?? []
        for (i, loc) in taken.sorted(by: { $0.key < $1.key }) where i < fields.count {
            let f = fields[i]
            let name = f.name ?? "#\(i)"
            let what = "struct \(old.tag) field '\(name)': the running program takes its address (at \(loc)), and a pointer kept across the update would"
            guard !movesToHeap else {
                out.append(Diagnostic(.error, new.loc, "\(what) still point into the old bytes once the patch moves every struct \(old.tag) to the heap (it grows past its objects' room); keep the struct within its room, or stop keeping pointers into it", rule: "PATCH-7"))
                continue
            }
            guard let n = (new.fields ?? []).first(where: { $0.name != nil && $0.name == f.name }) else {
                out.append(Diagnostic(.error, new.loc, "\(what) point at bytes of another field once the patch removes '\(name)'", rule: "PATCH-7"))
                continue
            }
            if n.offsetBits != f.offsetBits || n.bitWidth != f.bitWidth || !sameType(f.type, n.type) {
                let how = n.offsetBits != f.offsetBits ? "moves '\(name)' from byte \(f.offsetBits / 8) to byte \(n.offsetBits / 8)" : "changes the type of '\(name)'"
                out.append(Diagnostic(.error, new.loc, "\(what) read the wrong bytes once the patch \(how); keep '\(name)' where it is (add new fields after it)", rule: "PATCH-7"))
            }
        }
        return out
    }
}
