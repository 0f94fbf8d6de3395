// Addresses a static initializer computes when its program is loaded
// (Specs/alias.md ALIAS-7, Specs/patch.md PATCH-3). In a program's own build
// `&cfg.port` in a table's initializer is right: the loader computes it in
// the layout the program gives `struct config`, which every object of static
// storage has when it is loaded. In a patch it is not: `cfg` is the running
// program's object, made in OLD's layout and perhaps converted (in place or
// onto the heap) since. So the patch leaves such an element out of the
// initializer and sets it when it is committed, in code, through the
// record's representation, before any of NEW's code runs. These functions
// say which elements those are, for the patch generator and for VAL-2.

import IR

public enum LoadTimeAddresses {
    /// One scalar element of an initializer: its path from the object, and its value.
    public struct Leaf: Hashable, Sendable {
        public var path: [Offset]
        public var value: Expr
        public init(path: [Offset], value: Expr) { self.path = path; self.value = value }
    }

    /// The elements of initializer `i` of an object of type `t`, each with its path (a GNU range, element by element).
    public static func leaves(_ i: Initializer, type t: CType, in p: Program, path: [Offset] = []) -> [Leaf] {
        switch i {
        case .expr(let e): return [Leaf(path: path, value: e)]
        case .compound(let ct, let entries):
            var out: [Leaf] = []
            for en in entries {
                for (o, et) in designated(en.designator, in: ct, p) {
                    out += leaves(en.value, type: et, in: p, path: path + [o])
                }
            }
            return out
        }
    }

    /// The offsets (and their types) a designator of a compound of type `t` names.
    static func designated(_ d: InitEntry.Designator, in t: CType, _ p: Program) -> [(Offset, CType)] {
        switch (d, p.unroll(t)) {
        case (.field(let k), .record(let r)):
            guard let f = p[r].fields, f.indices.contains(k) else { return [] }
            return [(.field(r, index: k), f[k].type)]
        case (.index(let n), .array(let e, _)):
            return [(.index(.const(.int(Int64(n)), .int(.long))), e)]
        case (.range(let lo, let hi), .array(let e, _)) where lo <= hi:
            return (lo...hi).map { (.index(.const(.int(Int64($0)), .int(.long))), e) }
        default: return []
        }
    }

    /// Whether `e` takes the address of (or lets decay) a field of a wrapped record in a
    /// global `running` says is the running program's.
    public static func takesRunningField(_ e: Expr, wrapped: (RecordID) -> Bool, running: (GlobalID) -> Bool) -> Bool {
        switch e {
        case .addrOf(let lv), .startOf(let lv):
            if case .global(let g) = lv.host, running(g),
               lv.offsets.contains(where: { if case .field(let r, _) = $0 { return wrapped(r) }; return false }) { return true }
            return false
        case .const, .function, .labelAddr, .sizeOf, .alignOf, .read, .compoundLiteral: return false
        case .unary(_, let a, _), .cast(_, let a), .current(_, let a), .pinned(_, _, let a):
            return takesRunningField(a, wrapped: wrapped, running: running)
        case .binary(_, let a, let b, _):
            return takesRunningField(a, wrapped: wrapped, running: running) || takesRunningField(b, wrapped: wrapped, running: running)
        case .cond(let c, let a, let b, _):
            return [c, a, b].contains { takesRunningField($0, wrapped: wrapped, running: running) }
        }
    }

    /// `i` without the elements at `paths` (an initializer of nothing left is no initializer: zero).
    public static func removing(_ paths: Set<[Offset]>, from i: Initializer, type t: CType, in p: Program, path: [Offset] = []) -> Initializer? {
        switch i {
        case .expr: return paths.contains(path) ? nil : i
        case .compound(let ct, let entries):
            var kept: [InitEntry] = []
            for en in entries {
                let ds = designated(en.designator, in: ct, p)
                // A range whose elements all go is dropped; one element of it cannot go alone (it is kept whole).
                let rest = ds.compactMap { (o, et) in removing(paths, from: en.value, type: et, in: p, path: path + [o]) }
                if rest.isEmpty && !ds.isEmpty { continue }
                if ds.count == 1, let v = rest.first { kept.append(InitEntry(en.designator, v)) } else { kept.append(en) }
            }
            return .compound(ct, kept)
        }
    }

    /// `t` without `const` on the object itself (its array elements, not what its pointers point to):
    /// a table whose elements the patch sets when it is committed is written once, then never again.
    public static func writable(_ t: CType, in p: Program) -> CType {
        switch t {
        case .qualified(let e, let q):
            let rest = q.subtracting(.const)
            return rest.isEmpty ? writable(e, in: p) : .qualified(writable(e, in: p), rest)
        case .array(let e, let n): return .array(writable(e, in: p), length: n)
        case .typedef(let d):
            let u = writable(p[d].type, in: p)
            return u == p[d].type ? t : u
        default: return t
        }
    }
}
