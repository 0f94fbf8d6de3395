// What a function's code depends on, for deciding what a patch must
// recompile (Specs/patch.md) and what Δ holds at an update point
// (Specs/updatability.md).

import IR

public struct Uses: Hashable, Sendable {
    /// Records the code handles concretely: it reaches their fields, or
    /// holds, sizes or builds one by value. (A pointer to one that is only
    /// passed along is not a concrete use.)
    public var records: Set<RecordID> = []
    /// Globals the code names.
    public var globals: Set<GlobalID> = []
    /// Functions it calls directly, and whether it calls through a pointer.
    public var directCallees: Set<FuncID> = []
    public var callsIndirectly = false
    /// Functions whose address it takes.
    public var functionsNamed: Set<FuncID> = []
    /// The function whose code is walked, for the types of its locals.
    var function: Function?
    /// Whether a local's declaration and its whole reads and writes count
    /// its type, as for an object anywhere else. For Δ (UPD-2), where what
    /// counts is the code still to run: the frame's locals are objects the
    /// update converts like any other (REP-4, REP-5), and only old code
    /// that reaches them sees the old layout. Otherwise a function's locals
    /// are counted once, by `of(_:in:)`.
    var countsLocals = false

    public init(in function: Function? = nil, countingLocals: Bool = false) {
        self.function = function
        self.countsLocals = countingLocals && function != nil
    }

    public static func of(_ f: Function, in p: Program) -> Uses {
        var u = Uses(in: f)
        for l in f.locals { u.byValue(l.type, p) }
        if let b = f.body { u.stmt(b, p) }
        return u
    }

    public static func of(_ i: Initializer, in p: Program) -> Uses {
        var u = Uses()
        u.initializer(i, p)
        return u
    }

    mutating func byValue(_ t: CType, _ p: Program) {
        switch p.unroll(t) {
        case .record(let id):
            guard records.insert(id).inserted else { return }
            for f in p[id].fields ?? [] { byValue(f.type, p) }
        case .array(let e, _), .qualified(let e, _), .atomic(let e): byValue(e, p)
        case .vla(let e, let n): byValue(e, p); expr(n, p)
        default: break
        }
    }

    mutating func stmt(_ s: Stmt, _ p: Program) {
        switch s {
        case .instr(let i): instr(i, p)
        case .block(let ss): for x in ss { stmt(x, p) }
        case .local(let id, let i, _):
            if countsLocals, let f = function, f.locals.indices.contains(id.index) { byValue(f.locals[id.index].type, p) }
            if let i { initializer(i, p) }
        case .if(let c, let t, let e, _): expr(c, p); stmt(t, p); if let e { stmt(e, p) }
        case .loop(let b, let n, _): stmt(b, p); if let n { stmt(n, p) }
        case .switch(let e, let b, _): expr(e, p); stmt(b, p)
        case .computedGoto(let e, _): expr(e, p)
        case .return(let e, _): if let e { expr(e, p) }
        case .break, .continue, .label, .goto: break
        }
    }

    mutating func instr(_ i: Instr, _ p: Program) {
        switch i {
        case .assign(let lv, let e, _): lvalue(lv, p); whole(lv, p); expr(e, p)
        case .call(let r, let c, let args, _):
            if let r { lvalue(r, p); whole(r, p) }
            switch c {
            case .direct(let f): directCallees.insert(f)
            case .indirect(let e): callsIndirectly = true; expr(e, p)
            case .builtin: break
            }
            for a in args { expr(a, p) }
        case .vaArg(let r, let l, _): lvalue(r, p); whole(r, p); expr(l, p)
        case .note(let t, let e, _): byValue(t, p); expr(e, p)
        case .asm(let a, _):
            for o in a.outputs + a.inputs { expr(o.value, p); if let lv = o.lvalue { lvalue(lv, p); whole(lv, p) } }
        }
    }

    mutating func lvalue(_ lv: LValue, _ p: Program) {
        switch lv.host {
        case .local: break
        case .global(let g): globals.insert(g)
        case .mem(let e): expr(e, p)
        case .compound(let t, let i): byValue(t, p); initializer(i, p)
        }
        for o in lv.offsets {
            switch o {
            case .field(let rid, _): records.insert(rid)
            case .index(let e): expr(e, p)
            }
        }
    }

    /// A record read or written whole (`copy = *it`, `*a = b`, `g = x`):
    /// the bytes copied are its layout's. (A local's own type is counted
    /// with the locals unless `countsLocals`; a pointer to one only passed
    /// along is not a use.)
    mutating func whole(_ lv: LValue, _ p: Program) {
        if case .local = lv.host, (lv.offsets.isEmpty && !countsLocals) || function == nil { return }
        let t = p.typeOf(lv, in: function)
        if case .record = p.unroll(t) { byValue(t, p) }
    }

    mutating func expr(_ e: Expr, _ p: Program) {
        switch e {
        case .const, .labelAddr: break
        case .read(let lv): lvalue(lv, p); whole(lv, p)
        case .addrOf(let lv), .startOf(let lv): lvalue(lv, p)
        case .function(let f): functionsNamed.insert(f)
        case .unary(_, let a, _), .cast(_, let a), .current(_, let a): expr(a, p)
        case .pinned(let rid, _, let a): records.insert(rid); expr(a, p)   // a pinned field: a field of rid (REP-8)
        case .binary(_, let a, let b, _): expr(a, p); expr(b, p)
        case .cond(let c, let a, let b, _): expr(c, p); expr(a, p); expr(b, p)
        case .sizeOf(let t, _), .alignOf(let t, _): byValue(t, p)
        case .compoundLiteral(let t, let i): byValue(t, p); initializer(i, p)
        }
    }

    mutating func initializer(_ i: Initializer, _ p: Program) {
        switch i {
        case .expr(let e): expr(e, p)
        case .compound(let t, let es):
            byValue(t, p)
            for en in es { initializer(en.value, p) }
        }
    }
}

extension Uses {
    /// PATCH-2: the records of which `p`'s code may hold an object: every
    /// record reached (through pointers, arrays, fields, typedefs and
    /// function types) from a type the code mentions — a defined function's
    /// signature and locals, a cast, `sizeof`, a compound literal, a callee's
    /// signature — or from a global that is defined or named by code. A
    /// record outside it has no object the running program could have made
    /// or reached, so a change to it needs no conversion.
    public static func heldRecords(_ p: Program) -> Set<RecordID> {
        var out: Set<RecordID> = []
        var seenTypedefs: Set<Int> = []
        func visit(_ t: CType) {
            switch t {
            case .record(let id):
                guard p.records.indices.contains(id.index), out.insert(id).inserted else { return }
                for f in p[id].fields ?? [] { visit(f.type) }
            case .pointer(let e), .array(let e, _), .vla(let e, _), .qualified(let e, _), .atomic(let e), .vector(let e, _): visit(e)
            case .typedef(let d): if seenTypedefs.insert(d.index).inserted { visit(p[d].type) }
            case .function(let ft): visit(ft.result); ft.params.forEach(visit)
            case .void, .int, .float, .complex, .enumeration, .vaList: break
            }
        }
        var named: Set<Int> = []
        for f in p.functions where f.isDefinition {
            visit(.function(f.type))
            for l in f.locals { visit(l.type) }
            let u = Uses.of(f, in: p)
            named.formUnion(u.globals.map(\.index))
            for c in u.directCallees { visit(.function(p[c].type)) }
            for c in u.functionsNamed { visit(.function(p[c].type)) }
        }
        Walk.expressions(in: p) { e, _, _ in
            switch e {
            case .cast(let t, _), .sizeOf(let t, _), .alignOf(let t, _), .compoundLiteral(let t, _): visit(t)
            default: break
            }
        }
        for (i, g) in p.globals.enumerated() where g.storage != .extern || g.initializer != nil || named.contains(i) { visit(g.type) }
        return out
    }

    /// The external symbols a unit's object refers to (Specs/link.md
    /// LINK-4): the functions and globals with external linkage that its
    /// code and initializers use — called, read, written, their address
    /// taken — and the names its inline assembly or `alias` attributes
    /// spell. A declaration no code uses is no reference, as in the
    /// object the system compiler makes of the unit.
    public static func externalReferences(of p: Program) -> Set<String> {
        var u = Uses()
        var asmText: [String] = []
        for f in p.functions where f.isDefinition {
            let own = Uses.of(f, in: p)
            u.globals.formUnion(own.globals)
            u.directCallees.formUnion(own.directCallees)
            u.functionsNamed.formUnion(own.functionsNamed)
            if let b = f.body { Walk.instructions(in: b) { if case .asm(let a, _) = $0 { asmText.append(a.template) } } }
        }
        for g in p.globals { if let i = g.initializer { u.initializer(i, p) } }
        for case .asm(let text) in p.order { asmText.append(text) }
        var out = Set<String>()
        for id in u.globals where p.globals.indices.contains(id.index) && p[id].storage != .static { out.insert(p[id].name) }
        for id in u.directCallees.union(u.functionsNamed) where p.functions.indices.contains(id.index) && p[id].storage != .static {
            out.insert(p[id].name)
        }
        // Names only assembly text or an alias spells: every external declaration whose name appears there.
        let spelled = asmText + (p.functions.flatMap(\.attributes) + p.globals.flatMap(\.attributes)).map { $0.args.joined(separator: " ") }
        if !spelled.isEmpty {
            let words = Set(spelled.flatMap { $0.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" || $0 == ".") }.map(String.init) })
            for f in p.functions where f.storage != .static && words.contains(f.name) { out.insert(f.name) }
            for g in p.globals where g.storage != .static && words.contains(g.name) { out.insert(g.name) }
        }
        return out
    }
}
