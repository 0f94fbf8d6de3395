// The wrapping pass (Specs/representation.md REP-2, REP-3, REP-6): an
// IR → IR pass that makes every representation check of an updatable
// build explicit, so that every back end prints or lowers the same checks
// and the interpreter runs them (Specs/ir.md IR-36).
//
//   * Every access to a field of a wrapped record reaches the object
//     through `current(R, &object)`; so does every whole-object read or
//     write of a wrapped record (a copy of a stale object is a copy of its
//     converted value; an assignment converts its target first).
//   * `note(t, &x)` records as new, once their types are pending, what this
//     code makes: a by-value parameter or a local holding wrapped records
//     (at function entry, or where the local is declared), and the object
//     an allocator returns when it is given exactly `sizeof(T)`.
//   * `free`, `realloc` and `reallocarray` (calls and addresses alike) are
//     the runtime's `graft_free`, `graft_realloc` and `graft_reallocarray`:
//     what the side tables know of an object goes or moves with it.
//
// The pass is pure. Its input is an instrumented program (Updatable.swift)
// and the wrapping of the program it came from; record ids are the same.

import Checker
import IR

extension TypeWrapping {
    /// The runtime's stand-ins for C library functions in a build with
    /// wrapped types (REP-3, REP-6), by the library name.
    public static let standIns = ["free": "graft_free", "realloc": "graft_realloc", "reallocarray": "graft_reallocarray"]

    /// `p` with every representation check and note explicit (IR-36).
    /// The identity when nothing is wrapped.
    public func apply(to input: Program) -> Program {
        guard !isEmpty else { return input }
        var pass = WrapPass(p: input, w: self)
        return pass.run()
    }
}

private struct WrapPass {
    var p: Program
    let w: TypeWrapping
    /// Library function (by id) → its stand-in's declaration.
    var standIn: [FuncID: FuncID] = [:]
    var standInByName: [String: FuncID] = [:]
    /// The function being rewritten (for the types of its locals).
    var fn: Function? = nil
    /// Rewriting a global's initializer: its addresses are the loader's (ALIAS-7).
    var staticInitializer = false

    init(p: Program, w: TypeWrapping) { self.p = p; self.w = w }

    mutating func run() -> Program {
        for f in p.functions where f.body == nil {
            if let to = TypeWrapping.standIns[f.sourceName] { standIn[f.id] = declare(to, f.type) }
        }
        for i in p.functions.indices where p.functions[i].body != nil {
            fn = p.functions[i]
            var f = p.functions[i]
            f.locals = f.locals.map { var l = $0; l.type = type(l.type); return l }
            fn = f
            var body = stmt(f.body!)
            // At entry: by-value parameters, and locals without a declaration point (temporaries).
            let declared = Walk.declaredLocals(in: body)
            var entry: [Stmt] = []
            for id in f.params where f.locals.indices.contains(id.index) {
                if let n = note(id, f.loc) { entry.append(n) }
            }
            for l in f.locals where !l.isParam && !declared.contains(l.id) && !f.params.contains(l.id) {
                if let n = note(l.id, f.loc) { entry.append(n) }
            }
            if !entry.isEmpty {
                if case .block(let ss) = body { body = .block(entry + ss) } else { body = .block(entry + [body]) }
            }
            f.body = body
            p.functions[i] = f
        }
        fn = nil
        // ALIAS-7: a static initializer's `&x.f` is computed by the loader, in the layout this program gives
        // the record, which is the layout of every object of static storage it defines when it is loaded.
        staticInitializer = true
        for i in p.globals.indices {
            if let ini = p.globals[i].initializer { p.globals[i].initializer = initializer(ini) }
        }
        staticInitializer = false
        return p
    }

    /// The extern declaration of the stand-in `name`, of type `t`, added once.
    mutating func declare(_ name: String, _ t: FunctionType) -> FuncID {
        if let id = standInByName[name] { return id }
        let id = FuncID(p.functions.count)
        p.functions.append(Function(id: id, name: name, type: t, storage: .extern, identity: name, loc: .unknown))
        p.order.append(.function(id))
        standInByName[name] = id
        return id
    }

    /// `note(T, &x)` for a local that holds wrapped records (not a VLA).
    func note(_ id: LocalID, _ loc: SourceLoc) -> Stmt? {
        guard let f = fn, f.locals.indices.contains(id.index) else { return nil }
        let t = f.locals[id.index].type
        if case .vla = p.unroll(t) { return nil }
        guard w.holdsWrapped(t, in: p) else { return nil }
        return .instr(.note(t, .addrOf(LValue(.local(id), [])), loc))
    }

    // MARK: Statements

    mutating func stmt(_ s: Stmt) -> Stmt {
        switch s {
        case .instr(let i): return instr(i)
        case .block(let ss):
            var out: [Stmt] = []
            for x in ss {
                out.append(stmt(x))
                // A local (and what it holds) is new where it is declared.
                if case .local(let id, _, let loc) = x, let n = declared(id, loc) { out.append(n) }
            }
            return .block(out)
        case .local(let id, let i, let l): return .local(id, i.map { initializer($0) }, l)
        case .if(let c, let t, let e, let l): return .if(expr(c), then: body(t), else: e.map { body($0) }, l)
        case .loop(let b, let n, let l): return .loop(body: body(b), next: n.map { body($0) }, l)
        case .switch(let e, let b, let l): return .switch(expr(e), body: body(b), l)
        case .computedGoto(let e, let l): return .computedGoto(expr(e), l)
        case .return(let e, let l): return .return(e.map { expr($0) }, l)
        case .break, .continue, .label, .goto: return s
        }
    }

    /// A statement that is a branch or body of its own: a local declared
    /// there (its only statement) is noted there.
    mutating func body(_ s: Stmt) -> Stmt {
        let out = stmt(s)
        if case .local(let id, _, let loc) = s, let n = declared(id, loc) { return .block([out, n]) }
        return out
    }

    /// The note of a local at its declaration point; parameters are noted at entry.
    func declared(_ id: LocalID, _ loc: SourceLoc) -> Stmt? {
        guard let f = fn, f.locals.indices.contains(id.index), !f.locals[id.index].isParam, !f.params.contains(id) else { return nil }
        return note(id, loc)
    }

    mutating func instr(_ i: Instr) -> Stmt {
        switch i {
        case .assign(let lv, let e, let l):
            return .instr(.assign(whole(lv), expr(e), l))
        case .call(let r, let c, let args, let l):
            let callee: Callee
            switch c {
            case .direct(let f): callee = .direct(standIn[f] ?? f)
            case .indirect(let e): callee = .indirect(expr(e))
            case .builtin(let name):
                if name.hasPrefix("__builtin_"), let to = TypeWrapping.standIns[String(name.dropFirst("__builtin_".count))],
                   let t = Self.standInType[to] {
                    callee = .direct(declare(to, t))
                } else {
                    callee = c
                }
            }
            let call = Instr.call(result: r.map { whole($0) }, callee: callee, args: args.map { expr($0) }, l)
            guard let r, let t = allocated(c, args) else { return .instr(call) }
            // REP-3: an object made for exactly sizeof(T) is this code's T.
            let obj = Expr.read(lvalue(r))
            return .block([.instr(call), .if(obj, then: .instr(.note(t, .cast(.pointer(t), obj), l)), else: nil, l)])
        case .vaArg(let r, let list, let l): return .instr(.vaArg(result: lvalue(r), list: expr(list), l))
        case .asm(var a, let l):
            func op(_ o: InlineAsm.Operand) -> InlineAsm.Operand {
                InlineAsm.Operand(name: o.name, constraint: o.constraint, value: expr(o.value), lvalue: o.lvalue.map { lvalue($0) })
            }
            a.outputs = a.outputs.map(op); a.inputs = a.inputs.map(op)
            return .instr(.asm(a, l))
        case .note(let t, let e, let l): return .instr(.note(t, expr(e), l))
        }
    }

    static let standInType: [String: FunctionType] = [
        "graft_free": FunctionType(result: .void, params: [.voidPtr]),
        "graft_realloc": FunctionType(result: .voidPtr, params: [.voidPtr, .sizeT]),
        "graft_reallocarray": FunctionType(result: .voidPtr, params: [.voidPtr, .sizeT, .sizeT]),
    ]

    /// The type an allocator call is given exactly the size of, when it
    /// holds wrapped records: a callee whose name has "alloc" in it (not
    /// "realloc"), with an argument `sizeof(T)` (REP-3).
    func allocated(_ callee: Callee, _ args: [Expr]) -> CType? {
        // Builtins (`__builtin_malloc`) are not counted.
        if case .builtin = callee { return nil }
        guard TypeWrapping.isAllocator(TypeWrapping.calleeName(callee, in: p)) else { return nil }
        for a in args {
            if let t = TypeWrapping.sizedType(a, in: p, flexible: true), w.holdsWrapped(t, in: p) { return t }
        }
        return nil
    }

    // MARK: Expressions and lvalues

    mutating func expr(_ e: Expr) -> Expr {
        switch e {
        case .const, .function, .labelAddr, .sizeOf, .alignOf:
            if case .function(let f) = e, let to = standIn[f] { return .function(to) }
            return e
        case .read(let lv): return .read(whole(lv))
        case .addrOf(let lv): return .addrOf(lvalue(lv))
        case .startOf(let lv): return .startOf(lvalue(lv))
        case .unary(let op, let a, let t): return .unary(op, expr(a), type(t))
        case .binary(let op, let a, let b, let t): return .binary(op, expr(a), expr(b), type(t))
        case .cond(let c, let a, let b, let t): return .cond(expr(c), expr(a), expr(b), type(t))
        case .cast(let t, let a): return .cast(type(t), expr(a))
        case .compoundLiteral(let t, let i): return .compoundLiteral(type(t), initializer(i))
        case .current(let r, let a): return .current(r, expr(a))
        case .pinned(let r, let k, let a): return .pinned(r, k, expr(a))
        }
    }

    mutating func initializer(_ i: Initializer) -> Initializer {
        switch i {
        case .expr(let e): return .expr(expr(e))
        case .compound(let t, let es):
            return .compound(type(t), es.map { en in var en = en; en.value = initializer(en.value); return en })
        }
    }

    /// VLA lengths are expressions too.
    mutating func type(_ t: CType) -> CType {
        switch t {
        case .vla(let e, let n): return .vla(type(e), length: expr(n))
        case .pointer(let e): return .pointer(type(e))
        case .array(let e, let n): return .array(type(e), length: n)
        case .qualified(let e, let q): return .qualified(type(e), q)
        default: return t
        }
    }

    /// An lvalue used as a whole value: a wrapped record is reached
    /// through `current` as a whole (REP-2).
    mutating func whole(_ lv: LValue) -> LValue {
        let t = p.typeOf(lv, in: fn)
        let inner = lvalue(lv)
        guard let rid = w.wrappedRecord(t, in: p) else { return inner }
        if case .mem(let e) = inner.host, inner.offsets.isEmpty { return LValue(.mem(.current(rid, e))) }
        return LValue(.mem(.current(rid, .addrOf(inner))))
    }

    /// An lvalue whose every field of a wrapped record is reached through
    /// `current` on the object that holds it (REP-2).
    mutating func lvalue(_ lv: LValue) -> LValue {
        var host: LHost
        switch lv.host {
        case .local, .global: host = lv.host
        case .mem(let e): host = .mem(expr(e))
        case .compound(let t, let i): host = .compound(type(t), initializer(i))
        }
        if staticInitializer { return LValue(host, lv.offsets) }
        var offsets: [Offset] = []
        for o in lv.offsets {
            switch o {
            case .field(let rid, let k) where w.tags[rid] != nil && w.pinned[rid]?.contains(k) == true:
                // REP-8: a pinned field is where the object's layout put it, never in a moved value.
                let object: Expr
                if offsets.isEmpty, case .mem(let e) = host { object = e } else { object = .addrOf(LValue(host, offsets)) }
                host = .mem(.pinned(rid, k, object))
                offsets = []
            case .field(let rid, _) where w.tags[rid] != nil:
                if offsets.isEmpty, case .mem(let e) = host {
                    host = .mem(.current(rid, e))
                } else {
                    host = .mem(.current(rid, .addrOf(LValue(host, offsets))))
                    offsets = []
                }
                offsets.append(o)
            case .field: offsets.append(o)
            case .index(let e): offsets.append(.index(expr(e)))
            }
        }
        return LValue(host, offsets)
    }
}
