// Comparing entities across versions: a function, record or type with
// every id replaced by the identity it stands for (typedefs seen through)
// and every source location dropped. Two fingerprints are equal iff the
// entity did not change (Specs/patch.md PATCH-1, PATCH-8).

import IR

public enum Fingerprint {
    /// A function or type with every id replaced by the identity it stands
    /// for and every source location dropped: equal iff unchanged.
    public static func of(_ f: Function, in p: Program) -> String {
        var g = f
        g.id = FuncID(0)
        g.loc = .unknown
        g.name = f.identity
        g.locals = f.locals.map { var l = $0; l.loc = .unknown; return l }
        g.body = f.body.map(stripLocations)
        // Its own id is no identity (mapping it would name whatever function is first in the table).
        var mapped = identityMapper(p).map(g)
        mapped.id = FuncID(0)
        return String(describing: mapped)
    }

    /// `enumValues`: with the constants of the enums its fields hold (the
    /// representation's tag, PATCH-8); without, for whether a plain record changed.
    public static func of(_ r: Record, in p: Program, enumValues: Bool = true) -> String {
        var s = r
        s.id = RecordID(0)
        s.loc = .unknown
        // `T x[0]` and `T x[]` at the end of a struct are one layout (a GNU
        // zero-length array, a C99 flexible array member): not a change.
        if var fields = s.fields, let last = fields.indices.last, case .array(let e, let n) = fields[last].type, n == 0 || n == nil {
            fields[last].type = .array(e, length: nil)
            s.fields = fields
        }
        var mapped = identityMapper(p).map(s)
        mapped.id = RecordID(0)
        return String(describing: mapped) + (enumValues ? enumValuesHeld(r, in: p) : "")
    }

    /// An anonymous record (an anonymous member, an unnamed struct type) by
    /// its structure alone: its generated tag says where it was written,
    /// which is no change.
    public static func structure(ofAnonymous id: RecordID, in p: Program) -> String {
        String(describing: identityMapper(p).map(CType.record(id)))
    }

    /// Ids replaced by a number derived from the identity of what they
    /// name, and typedef names by the types they stand for (PATCH-1: a
    /// typedef that widens changes every global, field, parameter and
    /// static local declared with it; one that is only renamed, added or
    /// spelled out changes nothing). Names stay in the IR for diagnostics.
    public static func identityMapper(_ p: Program) -> IDMapper {
        func h(_ s: String) -> Int { Int(truncatingIfNeeded: fnv1a64(s) & 0x3fff_ffff_ffff_ffff) }
        func mapper(_ depth: Int) -> IDMapper {
            var m = IDMapper(record: { RecordID(h(structure($0, depth))) },
                             enumeration: { EnumID(h(p[$0].identity)) },
                             typedef: { TypedefID(h(p[$0].identity)) },
                             global: { GlobalID(h(p[$0].identity)) },
                             function: { FuncID(h(p[$0].identity)) })
            m.typedefType = { p.typedefs.indices.contains($0.index) ? p[$0].type : .void }
            return m
        }
        // An anonymous record has no name to match by: its structure is its
        // identity, its fields' types seen through typedefs like any other.
        func structure(_ id: RecordID, _ depth: Int) -> String {
            guard p.records.indices.contains(id.index) else { return "?" }
            let r = p[id]
            guard r.tag.hasPrefix("__anon_"), depth < 8 else { return r.identity }
            let inner = mapper(depth + 1)
            let fields = (r.fields ?? []).map { f -> String in
                "\(f.name ?? "_"):\(String(describing: inner.map(f.type))):\(f.bitWidth ?? -1):\(f.offsetBits)"
            }
            return "\(r.kind.rawValue){\(fields.joined(separator: ","))}\(r.size)"
        }
        return mapper(0)
    }

    public static func stripLocations(_ s: Stmt) -> Stmt {
        let u = SourceLoc.unknown
        func instr(_ i: Instr) -> Instr {
            switch i {
            case .assign(let l, let e, _): return .assign(l, e, u)
            case .call(let r, let c, let a, _): return .call(result: r, callee: c, args: a, u)
            case .vaArg(let r, let l, _): return .vaArg(result: r, list: l, u)
            case .asm(let a, _): return .asm(a, u)
            case .note(let t, let e, _): return .note(t, e, u)
            }
        }
        switch s {
        case .instr(let i): return .instr(instr(i))
        case .block(let ss): return .block(ss.map(stripLocations))
        case .local(let id, let ini, _): return .local(id, ini, u)
        case .if(let c, let t, let e, _): return .if(c, then: stripLocations(t), else: e.map(stripLocations), u)
        case .loop(let b, let n, _): return .loop(body: stripLocations(b), next: n.map(stripLocations), u)
        case .break: return .break(u)
        case .continue: return .continue(u)
        case .switch(let e, let b, _): return .switch(e, body: stripLocations(b), u)
        case .label(let l, _): return .label(l, u)
        case .goto(let l, _): return .goto(l, u)
        case .computedGoto(let e, _): return .computedGoto(e, u)
        case .return(let e, _): return .return(e, u)
        }
    }

    /// The enum `t` holds by value, through typedefs, qualifiers and arrays (not records, not pointers).
    public static func heldEnum(_ t: CType, in p: Program) -> EnumID? {
        var t = p.unroll(t)
        for _ in 0..<64 {
            switch t {
            case .enumeration(let id): return id
            case .array(let e, _), .qualified(let e, _), .atomic(let e), .vla(let e, _): t = p.unroll(e)
            default: return nil
            }
        }
        return nil
    }

    /// For the tag of a record's representation: the constants of every enum
    /// its fields hold by value. A patch that changes them changes the
    /// representation, so the type transformer of PATCH-2 can be asked to
    /// convert the stored values (PATCH-8).
    public static func enumValuesHeld(_ r: Record, in p: Program) -> String {
        var out = ""
        for f in r.fields ?? [] {
            guard let id = heldEnum(f.type, in: p), p.enums.indices.contains(id.index) else { continue }
            let e = p[id]
            out += "|\(f.name ?? "_")=" + e.items.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        }
        return out
    }
}
