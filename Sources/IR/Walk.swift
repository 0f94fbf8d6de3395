// One walk over every expression of a program, for the analyses that only
// need to see each expression once with the location of the instruction,
// statement or declaration it belongs to (Checker's interior-pointer and
// layout-use analyses). Nested expressions are visited after the one that
// holds them; lvalue paths (host expressions, index expressions),
// initializers, inline-assembly operands and VLA lengths in local types
// are all included.

public enum Walk {
    /// Calls `visit` on every expression of `p`: global initializers, then
    /// each function body in order, with the function it is in (for
    /// `Program.typeOf`, which needs it for locals).
    public static func expressions(in p: Program, _ visit: (Expr, SourceLoc, Function?) -> Void) {
        for g in p.globals { if let i = g.initializer { initializer(i, g.loc) { visit($0, $1, nil) } } }
        for f in p.functions { if let b = f.body { stmt(b, f.loc) { visit($0, $1, f) } } }
    }

    /// Every expression of one function body.
    public static func expressions(in s: Stmt, at loc: SourceLoc, _ visit: (Expr, SourceLoc) -> Void) { stmt(s, loc, visit) }

    /// `e` and every expression inside it.
    public static func expression(_ e: Expr, _ loc: SourceLoc, _ visit: (Expr, SourceLoc) -> Void) { expr(e, loc, visit) }

    /// Every instruction of a statement, in order.
    /// Rebuilds `s` with every instruction passed through `f`.
    public static func mapInstructions(_ s: Stmt, _ f: (Instr) -> Instr) -> Stmt {
        switch s {
        case .instr(let i): return .instr(f(i))
        case .block(let ss): return .block(ss.map { mapInstructions($0, f) })
        case .if(let c, let t, let e, let l): return .if(c, then: mapInstructions(t, f), else: e.map { mapInstructions($0, f) }, l)
        case .loop(let b, let n, let l): return .loop(body: mapInstructions(b, f), next: n.map { mapInstructions($0, f) }, l)
        case .switch(let e, let b, let l): return .switch(e, body: mapInstructions(b, f), l)
        default: return s
        }
    }

    /// The locals `s` declares (`local` statements), at any depth.
    public static func declaredLocals(in s: Stmt) -> Set<LocalID> {
        var out: Set<LocalID> = []
        func walk(_ s: Stmt) {
            switch s {
            case .local(let id, _, _): out.insert(id)
            case .block(let ss): ss.forEach(walk)
            case .if(_, let t, let e, _): walk(t); if let e { walk(e) }
            case .loop(let b, let n, _): walk(b); if let n { walk(n) }
            case .switch(_, let b, _): walk(b)
            case .instr, .break, .continue, .label, .goto, .computedGoto, .return: break
            }
        }
        walk(s)
        return out
    }

    public static func instructions(in s: Stmt, _ visit: (Instr) -> Void) {
        switch s {
        case .instr(let i): visit(i)
        case .block(let ss): for x in ss { instructions(in: x, visit) }
        case .if(_, let t, let e, _): instructions(in: t, visit); if let e { instructions(in: e, visit) }
        case .loop(let b, let n, _): instructions(in: b, visit); if let n { instructions(in: n, visit) }
        case .switch(_, let b, _): instructions(in: b, visit)
        case .local, .return, .computedGoto, .break, .continue, .label, .goto: break
        }
    }

    /// Every returned expression of a statement.
    public static func returns(in s: Stmt, _ visit: (Expr) -> Void) {
        switch s {
        case .return(let e?, _): visit(e)
        case .block(let ss): for x in ss { returns(in: x, visit) }
        case .if(_, let t, let e, _): returns(in: t, visit); if let e { returns(in: e, visit) }
        case .loop(let b, let n, _): returns(in: b, visit); if let n { returns(in: n, visit) }
        case .switch(_, let b, _): returns(in: b, visit)
        default: break
        }
    }

    /// Every local's initializer of a statement, with its location.
    public static func localInitializers(in s: Stmt, _ visit: (Initializer, SourceLoc) -> Void) {
        switch s {
        case .local(_, let i?, let l): visit(i, l)
        case .block(let ss): for x in ss { localInitializers(in: x, visit) }
        case .if(_, let t, let e, _): localInitializers(in: t, visit); if let e { localInitializers(in: e, visit) }
        case .loop(let b, let n, _): localInitializers(in: b, visit); if let n { localInitializers(in: n, visit) }
        case .switch(_, let b, _): localInitializers(in: b, visit)
        default: break
        }
    }

    static func expr(_ e: Expr, _ loc: SourceLoc, _ visit: (Expr, SourceLoc) -> Void) {
        visit(e, loc)
        switch e {
        case .read(let lv), .addrOf(let lv), .startOf(let lv): lvalue(lv, loc, visit)
        case .unary(_, let a, _), .cast(_, let a), .current(_, let a), .pinned(_, _, let a): expr(a, loc, visit)
        case .binary(_, let a, let b, _): expr(a, loc, visit); expr(b, loc, visit)
        case .cond(let c, let a, let b, _): expr(c, loc, visit); expr(a, loc, visit); expr(b, loc, visit)
        case .compoundLiteral(_, let i): initializer(i, loc, visit)
        case .const, .function, .labelAddr, .sizeOf, .alignOf: break
        }
    }

    public static func lvalue(_ lv: LValue, _ loc: SourceLoc, _ visit: (Expr, SourceLoc) -> Void) {
        switch lv.host {
        case .mem(let e): expr(e, loc, visit)
        case .compound(_, let i): initializer(i, loc, visit)
        case .local, .global: break
        }
        for o in lv.offsets { if case .index(let e) = o { expr(e, loc, visit) } }
    }

    public static func initializer(_ i: Initializer, _ loc: SourceLoc, _ visit: (Expr, SourceLoc) -> Void) {
        switch i {
        case .expr(let e): expr(e, loc, visit)
        case .compound(_, let es): for en in es { initializer(en.value, loc, visit) }
        }
    }

    static func instr(_ i: Instr, _ visit: (Expr, SourceLoc) -> Void) {
        let loc = i.loc
        switch i {
        case .assign(let lv, let e, _): lvalue(lv, loc, visit); expr(e, loc, visit)
        case .call(let r, let c, let args, _):
            if let r { lvalue(r, loc, visit) }
            if case .indirect(let f) = c { expr(f, loc, visit) }
            for a in args { expr(a, loc, visit) }
        case .vaArg(let r, let l, _): lvalue(r, loc, visit); expr(l, loc, visit)
        case .note(_, let e, _): expr(e, loc, visit)
        case .asm(let a, _):
            for op in a.outputs + a.inputs {
                expr(op.value, loc, visit)
                if let lv = op.lvalue { lvalue(lv, loc, visit) }
            }
        }
    }

    static func stmt(_ s: Stmt, _ loc: SourceLoc, _ visit: (Expr, SourceLoc) -> Void) {
        switch s {
        case .instr(let i): instr(i, visit)
        case .block(let ss): for x in ss { stmt(x, loc, visit) }
        case .local(_, let i, let l): if let i { initializer(i, l, visit) }
        case .if(let c, let t, let e, let l):
            expr(c, l, visit); stmt(t, l, visit)
            if let e { stmt(e, l, visit) }
        case .loop(let b, let n, let l): stmt(b, l, visit); if let n { stmt(n, l, visit) }
        case .switch(let c, let b, let l): expr(c, l, visit); stmt(b, l, visit)
        case .return(let e, let l): if let e { expr(e, l, visit) }
        case .computedGoto(let e, let l): expr(e, l, visit)
        case .break, .continue, .label, .goto: break
        }
    }
}
