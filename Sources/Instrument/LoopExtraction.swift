// Loop-body extraction (Ginseng's answer to long-running loops): an IR → IR
// pass run before the updatable build (Updatable.swift).
//
// In an updatable build the next *call* of a function runs its newest
// code, but a loop that never returns (a server's event loop) would run its
// old body forever. So the body of each *marked* loop becomes a function
// of its own, called (through its slot, once the updatable build has run)
// on every iteration: after a patch, the next iteration runs the new body.
//
// A loop is marked when its body starts with a direct call of
// `graft_update_point` (looking through leading nested blocks). The
// frontend puts a `while`/`for` condition first in the body
// (`if (!c) break;`, after the condition's side effects); such a leading
// condition test is looked through as well and stays in F, before the
// update point, so the order of evaluation is unchanged.
//
// For a marked loop `loop(body: [cond…] point(); B, next: N)` in F:
//
//   static int F__graft_loop<k>(T1 *p_x1, …, Tn *p_xn[, R *graft_ret]) {
//       B'   // x → *p_x; break/continue of the loop → return 1 / return 0;
//            // return e → *graft_ret = e; return 2
//       return 0;
//   }
//
// and in F: `loop(body: [cond…] point(); r = F__graft_loop<k>(&x1, …);
// if (r == 1) break; if (r == 2) return ret;, next: N)`.
//
// The parameters are the locals of F that B uses and does not declare,
// ordered by their names in the source (compiler temporaries last, in
// LocalID order): the order does not depend on where F declares them, so a
// patch matches the running F's arguments to the new body's parameters by
// the variables' names (UPD-3). Locals declared in B move to the new function, as
// do compiler temporaries with no declaration point that only B uses
// (their value never outlives one evaluation, so per-call storage is the
// same; passing them by pointer would only cost); they leave F's table,
// whose other locals are renumbered. The update point stays in F: when it
// runs, no extracted body is on the stack.
//
// Not extracted (a warning, rule UPD-3, at the loop): bodies with labels,
// goto, computed goto, label addresses or asm goto (a jump cannot cross
// functions); case labels of an enclosing switch; any variable-length
// array type; F's variable arguments (va_arg, va_start, … in a variadic F);
// alloca, setjmp and frame/return-address builtins (their meaning is tied
// to F's frame); an outer parameter of array, function or va_list type or
// an explicit register variable (no address to pass); an inline definition
// with external linkage (it may not call a static function). Nested marked
// loops: the outermost is extracted (an inner one is tried only when the
// outer one cannot be).
//
// The pass is pure.

import Checker
import IR

public enum LoopExtraction {
    public static let rule = "UPD-3"
    public static let nameInfix = "__graft_loop"

    /// Outlines the body of every marked loop into a new function. Returns the new program and one warning
    /// Diagnostic (rule "UPD-3") per marked loop that could not be extracted, saying why, at the loop's location.
    public static func extract(_ p: Program) -> (Program, [Diagnostic]) {
        var out = p
        var diags: [Diagnostic] = []
        var usedNames = Set(p.functions.map(\.name)).union(p.globals.map(\.name))
        var placed: [(before: FuncID, new: [FuncID])] = []
        for i in p.functions.indices {
            guard let body = p.functions[i].body else { continue }
            var x = Extractor(program: out, fn: p.functions[i], usedNames: usedNames)
            var scan = LocalScan(program: nil)
            scan.stmt(body)
            x.counts = scan.uses
            x.declaredInF = scan.declared
            let newBody = x.walk(body)
            diags += x.diags
            guard !x.made.isEmpty else { continue }
            out.functions[i] = x.compacted(body: newBody)
            var ids: [FuncID] = []
            for g in x.made {
                precondition(g.id.index == out.functions.count)
                ids.append(g.id)
                out.functions.append(g)
            }
            usedNames = x.usedNames
            placed.append((FuncID(i), ids))
        }
        // Each new function right before its function (the emitter declares
        // every function first; this keeps the source order readable).
        for (before, ids) in placed {
            if let k = out.order.firstIndex(of: .function(before)) {
                out.order.insert(contentsOf: ids.map { .function($0) }, at: k)
            } else {
                out.order += ids.map { .function($0) }
            }
        }
        return (out, diags)
    }

    /// Whether `s` is a direct call of `graft_update_point`.
    static func marker(_ s: Stmt, _ p: Program) -> Instr? {
        guard case .instr(let i) = s, case .call(_, .direct(let id), _, _) = i,
              p.functions.indices.contains(id.index), p.functions[id.index].name == Updatable.updatePointFunction else { return nil }
        return i
    }

    /// The leading update-point call of `s` (looking through leading nested
    /// blocks) and `s` without it.
    static func stripMarker(_ s: Stmt, _ p: Program) -> (Instr, Stmt)? {
        if let i = marker(s, p) { return (i, .block([])) }
        guard case .block(let ss) = s, let first = ss.first else { return nil }
        if let i = marker(first, p) { return (i, .block(Array(ss.dropFirst()))) }
        guard case .block = first, let (i, rest) = stripMarker(first, p) else { return nil }
        return (i, .block([rest] + ss.dropFirst()))
    }

    /// Splits a loop body into the leading condition test that stays in F,
    /// the update point, and the part that is extracted. nil: not marked.
    public static func split(_ body: Stmt, _ p: Program) -> (prefix: [Stmt], point: Instr, rest: Stmt)? {
        if let (i, rest) = stripMarker(body, p) { return ([], i, rest) }
        guard case .block(let ss) = body else { return nil }
        // `[condition code…] if (c) break; <marked statements>`
        for (k, s) in ss.enumerated() {
            if case .if(_, .break, .none, _) = s {
                guard ss[..<k].allSatisfy({ LocalScan.isPlain($0, p) }), k + 1 < ss.count,
                      let (i, rest) = stripMarker(.block(Array(ss[(k + 1)...])), p) else { return nil }
                return (Array(ss[...k]), i, rest)
            }
        }
        return nil
    }
}

// MARK: - Scanning

/// What a statement uses and contains, for the extraction's decisions.
struct LocalScan {
    let program: Program?
    let variadic: Bool
    /// Occurrences of each local.
    var uses: [LocalID: Int] = [:]
    /// Locals with a declaration point in the scanned statement.
    var declared: Set<LocalID> = []
    var reasons: [String] = []
    var hasReturn = false
    var loopDepth = 0
    var switchDepth = 0

    init(program: Program?, variadic: Bool = false) { self.program = program; self.variadic = variadic }

    /// Condition code: no control transfer, no update point.
    static func isPlain(_ s: Stmt, _ p: Program) -> Bool {
        switch s {
        case .instr: return LoopExtraction.marker(s, p) == nil
        case .local: return true
        case .block(let ss): return ss.allSatisfy { isPlain($0, p) }
        case .if(_, let t, let e, _): return isPlain(t, p) && (e.map { isPlain($0, p) } ?? true)
        case .loop, .break, .continue, .switch, .label, .goto, .computedGoto, .return: return false
        }
    }

    mutating func reason(_ r: String) { if !reasons.contains(r) { reasons.append(r) } }

    mutating func stmt(_ s: Stmt) {
        switch s {
        case .instr(let i): instr(i)
        case .block(let ss): for x in ss { stmt(x) }
        case .local(let id, let ini, _):
            declared.insert(id)
            uses[id, default: 0] += 1
            if let ini { initializer(ini) }
        case .if(let c, let t, let e, _):
            expr(c); stmt(t); if let e { stmt(e) }
        case .loop(let b, let n, _):
            loopDepth += 1
            stmt(b); if let n { stmt(n) }
            loopDepth -= 1
        case .break, .continue: break
        case .switch(let e, let b, _):
            expr(e)
            switchDepth += 1
            stmt(b)
            switchDepth -= 1
        case .label(let l, _):
            switch l {
            case .named(let n): reason("it contains the label '\(n)'")
            case .case, .caseRange, .default:
                if switchDepth == 0 { reason("it contains a case label of an enclosing switch") }
            }
        case .goto: reason("it contains a goto")
        case .computedGoto(let e, _): expr(e); reason("it contains a computed goto")
        case .return(let e, _):
            hasReturn = true
            if let e { expr(e) }
        }
    }

    mutating func instr(_ i: Instr) {
        switch i {
        case .assign(let lv, let e, _): lvalue(lv); expr(e)
        case .call(let r, let callee, let args, _):
            if let r { lvalue(r) }
            var name: String?
            switch callee {
            case .direct(let id):
                if let p = program, p.functions.indices.contains(id.index) { name = p.functions[id.index].name }
            case .indirect(let e): expr(e)
            case .builtin(let n): name = n
            }
            if let name { called(name) }
            for a in args { expr(a) }
        case .note(let t, let e, _): type(t); expr(e)
        case .vaArg(let r, let list, _):
            lvalue(r); expr(list)
            if variadic { reason("it uses the function's variable arguments (va_arg)") }
        case .asm(let a, _):
            for o in a.outputs + a.inputs { expr(o.value); if let lv = o.lvalue { lvalue(lv) } }
            if !a.labels.isEmpty { reason("it contains an asm goto") }
        }
    }

    mutating func called(_ name: String) {
        let bare = name.hasPrefix("__builtin_") ? String(name.dropFirst("__builtin_".count)) : name
        if variadic && ["va_start", "va_arg", "va_end", "va_copy", "va_arg_pack", "va_arg_pack_len", "c23_va_start"].contains(bare) {
            reason("it uses the function's variable arguments (\(bare))")
        }
        if bare.hasPrefix("alloca") || bare == "__alloca" {
            reason("it calls \(name) (the memory would not outlive the iteration)")
        }
        if ["setjmp", "_setjmp", "sigsetjmp", "__sigsetjmp", "savectx", "vfork", "getcontext"].contains(bare) {
            reason("it calls \(name) (tied to the function's frame)")
        }
        if ["return_address", "frame_address", "extract_return_addr", "eh_return", "apply_args"].contains(bare) {
            reason("it uses \(name) (tied to the function's frame)")
        }
    }

    mutating func type(_ t: CType) {
        if let p = program, LocalScan.hasVLA(t, p, depth: 0) { reason("it uses a variable-length array") }
    }

    static func hasVLA(_ t: CType, _ p: Program, depth: Int) -> Bool {
        guard depth < 64 else { return false }
        switch t {
        case .vla: return true
        case .void, .int, .float, .complex, .record, .enumeration, .vaList: return false
        case .pointer(let e), .array(let e, _), .qualified(let e, _), .atomic(let e), .vector(let e, _):
            return hasVLA(e, p, depth: depth + 1)
        case .function(let f): return ([f.result] + f.params).contains { hasVLA($0, p, depth: depth + 1) }
        case .typedef(let id): return p.typedefs.indices.contains(id.index) && hasVLA(p.typedefs[id.index].type, p, depth: depth + 1)
        }
    }

    mutating func expr(_ e: Expr) {
        switch e {
        case .const(_, let t): type(t)
        case .read(let lv), .addrOf(let lv), .startOf(let lv): lvalue(lv)
        case .function: break
        case .labelAddr(let l): reason("it takes the address of the label '\(l)'")
        case .unary(_, let a, let t): expr(a); type(t)
        case .binary(_, let a, let b, let t): expr(a); expr(b); type(t)
        case .cond(let a, let b, let c, let t): expr(a); expr(b); expr(c); type(t)
        case .cast(let t, let a): type(t); expr(a)
        case .sizeOf(let t, _), .alignOf(let t, _): type(t)
        case .compoundLiteral(let t, let i): type(t); initializer(i)
        case .current(_, let a), .pinned(_, _, let a): expr(a)
        }
    }

    mutating func lvalue(_ lv: LValue) {
        switch lv.host {
        case .local(let id): uses[id, default: 0] += 1
        case .global: break
        case .mem(let e): expr(e)
        case .compound(let t, let i): type(t); initializer(i)
        }
        for o in lv.offsets { if case .index(let e) = o { expr(e) } }
    }

    mutating func initializer(_ i: Initializer) {
        switch i {
        case .expr(let e): expr(e)
        case .compound(let t, let es): type(t); for x in es { initializer(x.value) }
        }
    }
}

// MARK: - Extraction within one function

struct Extractor {
    var program: Program
    var fn: Function
    var usedNames: Set<String>
    /// Occurrences of each local in F's original body, and the locals it declares.
    var counts: [LocalID: Int] = [:]
    var declaredInF: Set<LocalID> = []
    var made: [Function] = []
    var diags: [Diagnostic] = []
    /// F's locals that moved into a new function.
    var movedOut: Set<LocalID> = []

    init(program: Program, fn: Function, usedNames: Set<String>) {
        self.program = program; self.fn = fn; self.usedNames = usedNames
    }

    /// The table index the next new function gets (they are appended in order).
    var nextID: FuncID { FuncID(program.functions.count + made.count) }

    mutating func walk(_ s: Stmt) -> Stmt {
        switch s {
        case .block(let ss): return .block(ss.map { walk($0) })
        case .if(let c, let t, let e, let l): return .if(c, then: walk(t), else: e.map { walk($0) }, l)
        case .switch(let e, let b, let l): return .switch(e, body: walk(b), l)
        case .loop(let b, let n, let l):
            if let (prefix, point, rest) = LoopExtraction.split(b, program) {
                switch extract(prefix: prefix, point: point, rest: rest, next: n, loc: l) {
                case .success(let loop): return loop
                case .failure(let why):
                    diags.append(Diagnostic(.warning, l,
                        "the body of this loop in '\(fn.sourceName)' is not extracted: \(why); it runs its old code until the function returns",
                        rule: LoopExtraction.rule))
                }
            }
            return .loop(body: walk(b), next: n.map { walk($0) }, l)
        default: return s
        }
    }

    struct Refusal: Error { var why: String }

    /// F with `body` and without the locals that moved out (the rest renumbered in order).
    func compacted(body: Stmt) -> Function {
        var f = fn
        var newID: [LocalID: LocalID] = [:]
        f.locals = []
        for l in fn.locals where !movedOut.contains(l.id) {
            var l = l
            newID[l.id] = LocalID(f.locals.count)
            l.id = newID[l.id]!
            f.locals.append(l)
        }
        f.params = fn.params.map { newID[$0] ?? $0 }
        var rw = BodyRewriter(paramOf: [:], movedTo: newID, retParam: nil, loc: fn.loc)
        rw.rewriteControl = false
        f.body = rw.stmt(body)
        return f
    }

    func uniqueName(_ base: String, _ taken: Set<String>) -> String {
        var name = base
        var n = 2
        while taken.contains(name) { name = "\(base)_\(n)"; n += 1 }
        return name
    }

    static func dropTopQualifiers(_ t: CType) -> CType {
        if case .qualified(let inner, _) = t { return dropTopQualifiers(inner) }
        return t
    }

    /// The locals `rest` uses, split into F's variables it takes by address
    /// (ordered by their names in the source, temporaries last) and those
    /// that move with it (declared in it, or temporaries only it uses);
    /// reasons not to move it are added to `scan`.
    func partition(scan: inout LocalScan) -> (outer: [LocalID], moved: [LocalID]) {
        let p = program
        let used = scan.uses.keys.sorted()
        var outer: [LocalID] = []
        var moved: [LocalID] = []
        for id in used {
            guard fn.locals.indices.contains(id.index) else { scan.reason("it uses a local that does not exist"); continue }
            let l = fn.locals[id.index]
            if scan.declared.contains(id) && !l.isParam {
                moved.append(id)
            } else if l.isTemp && !l.isParam && counts[id] == scan.uses[id] && !declaredInF.contains(id) {
                moved.append(id)
            } else {
                outer.append(id)
            }
            if LocalScan.hasVLA(l.type, p, depth: 0) { scan.reason("it uses the variable-length array '\(l.sourceName)'") }
        }
        // By the programmer's names, not by declaration order: a patch that
        // reorders F's declarations keeps the body's signature, and the
        // running F passes each variable where the new body expects it (UPD-3).
        outer.sort { a, b in
            let x = fn.locals[a.index], y = fn.locals[b.index]
            if x.isTemp != y.isTemp { return !x.isTemp }
            if x.sourceName != y.sourceName { return x.sourceName < y.sourceName }
            return a < b
        }
        for id in outer {
            let l = fn.locals[id.index]
            if l.isParam {
                switch p.unroll(l.type) {
                case .array, .vla, .function, .vaList:
                    scan.reason("it uses the parameter '\(l.sourceName)', whose address is not that of its declared type")
                default: break
                }
            }
            if l.isRegister && l.attributes.contains(where: { $0.name.lowercased().contains("asm") }) {
                scan.reason("it uses the register variable '\(l.sourceName)', which has no address")
            }
        }
        return (outer, moved)
    }

    /// The new function's locals: a pointer parameter per outer variable
    /// (named `p_x`, its source name the variable's), then `ret` if given
    /// (a pointer parameter for F's result), then the moved locals.
    /// `forwarded`: outer variables that are F's own parameters pointing to
    /// its parent's variables (F was extracted): passed on as they are, so
    /// the new function takes the parent's variables as F does (UPD-8).
    mutating func newLocals(outer: [LocalID], moved: [LocalID], ret: (type: CType, loc: SourceLoc)? = nil, forwarded: Set<LocalID> = [])
        -> (locals: [Local], paramOf: [LocalID: LocalID], movedTo: [LocalID: LocalID], ret: LocalID?) {
        var locals: [Local] = []
        var names = Set(moved.map { fn.locals[$0.index].name })
        var paramOf: [LocalID: LocalID] = [:]
        var movedTo: [LocalID: LocalID] = [:]
        for id in outer {
            let l = fn.locals[id.index]
            if forwarded.contains(id) {
                let name = uniqueName(l.name, names)
                names.insert(name)
                let nid = LocalID(locals.count)
                movedTo[id] = nid
                locals.append(Local(id: nid, name: name, sourceName: l.sourceName, type: l.type, isParam: true, loc: l.loc))
                continue
            }
            let name = uniqueName("p_" + l.name, names)
            names.insert(name)
            let nid = LocalID(locals.count)
            paramOf[id] = nid
            // Its source name is the outer variable's: diagnostics about the loop speak of it.
            locals.append(Local(id: nid, name: name, sourceName: l.sourceName, type: .pointer(l.type), isParam: true, loc: l.loc))
        }
        var retParam: LocalID?
        if let ret {
            let name = uniqueName("graft_ret", names)
            names.insert(name)
            retParam = LocalID(locals.count)
            locals.append(Local(id: retParam!, name: name, type: .pointer(ret.type), isParam: true, loc: ret.loc))
        }
        for id in moved {
            movedOut.insert(id)
            var l = fn.locals[id.index]
            l.id = LocalID(locals.count)
            movedTo[id] = l.id
            locals.append(l)
        }

        return (locals, paramOf, movedTo, retParam)
    }

    mutating func extract(prefix: [Stmt], point: Instr, rest: Stmt, next: Stmt?, loc: SourceLoc) -> Result<Stmt, Refusal> {
        let p = program
        var scan = LocalScan(program: p, variadic: fn.type.variadic)
        scan.stmt(rest)
        if fn.isInline && fn.storage != .static { scan.reason("the function is an inline definition with external linkage") }

        let (outer, moved) = partition(scan: &scan)
        if !scan.reasons.isEmpty { return .failure(Refusal(why: scan.reasons.joined(separator: "; "))) }

        // The new function's locals: parameters first, then the moved locals.
        let k = made.count + 1
        let resultType = Self.dropTopQualifiers(fn.type.result)
        let needsRet = scan.hasReturn && !p.unroll(resultType).isVoid
        let (locals, paramOf, movedTo, retParam) = newLocals(outer: outer, moved: moved,
                                                             ret: needsRet ? (resultType, loc) : nil)
        let params = locals.filter(\.isParam).map(\.id)
        var rw = BodyRewriter(paramOf: paramOf, movedTo: movedTo, retParam: retParam, loc: loc)
        let body = Stmt.block([rw.stmt(rest), .return(.const(.int(0), .int), loc)])
        let newID = nextID
        let name = uniqueName(fn.name + LoopExtraction.nameInfix + "\(k)", usedNames)
        usedNames.insert(name)
        made.append(Function(id: newID, name: name,
                             type: FunctionType(result: .int, params: locals[..<params.count].map(\.type)),
                             storage: .static, params: params, locals: locals, body: body,
                             identity: Extracted.loop(parent: fn.identity, rank: k), loc: loc))

        // F: the call, its status, and (for a return) its value.
        let fnNames = Set(fn.locals.map(\.name))
        let r = LocalID(fn.locals.count)
        fn.locals.append(Local(id: r, name: uniqueName("graft_loop\(k)_status", fnNames), type: .int, isTemp: true, loc: loc))
        var retLocal: LocalID?
        if needsRet {
            retLocal = LocalID(fn.locals.count)
            fn.locals.append(Local(id: retLocal!, name: uniqueName("graft_loop\(k)_ret", fnNames), type: resultType, isTemp: true, loc: loc))
        }
        for id in outer where fn.locals[id.index].isRegister { fn.locals[id.index].isRegister = false }
        var args = outer.map { Expr.addrOf(.local($0)) }
        if let retLocal { args.append(.addrOf(.local(retLocal))) }
        func status(is v: Int64) -> Expr {
            .binary(.eq, .read(.local(r)), .const(.int(v), .int), .int)
        }
        var stmts = prefix + [.instr(point), .instr(.call(result: .local(r), callee: .direct(newID), args: args, loc)),
                              .if(status(is: 1), then: .break(loc), else: nil, loc)]
        if scan.hasReturn {
            stmts.append(.if(status(is: 2), then: .return(retLocal.map { .read(.local($0)) }, loc), else: nil, loc))
        }
        return .success(.loop(body: .block(stmts), next: next, loc))
    }

}

// MARK: - Rewriting the extracted body

/// Outer locals become `*p_x`, moved locals get their new ids, and the
/// loop's own break/continue and F's returns become status returns.
struct BodyRewriter {
    let paramOf: [LocalID: LocalID]
    let movedTo: [LocalID: LocalID]
    let retParam: LocalID?
    let loc: SourceLoc
    var loopDepth = 0
    var switchDepth = 0
    /// false: only renumber locals.
    var rewriteControl = true

    func status(_ v: Int64, _ l: SourceLoc) -> Stmt { .return(.const(.int(v), .int), l) }

    mutating func stmt(_ s: Stmt) -> Stmt {
        switch s {
        case .instr(let i): return .instr(instr(i))
        case .block(let ss): return .block(ss.map { stmt($0) })
        case .local(let id, let ini, let l): return .local(movedTo[id] ?? id, ini.map(initializer), l)
        case .if(let c, let t, let e, let l): return .if(expr(c), then: stmt(t), else: e.map { stmt($0) }, l)
        case .loop(let b, let n, let l):
            loopDepth += 1
            defer { loopDepth -= 1 }
            return .loop(body: stmt(b), next: n.map { stmt($0) }, l)
        case .break(let l):
            return rewriteControl && loopDepth == 0 && switchDepth == 0 ? status(1, l) : s
        case .continue(let l):
            return rewriteControl && loopDepth == 0 ? status(0, l) : s
        case .switch(let e, let b, let l):
            switchDepth += 1
            defer { switchDepth -= 1 }
            return .switch(expr(e), body: stmt(b), l)
        case .label, .goto: return s
        case .computedGoto(let e, let l): return .computedGoto(expr(e), l)
        case .return(let e, let l):
            guard rewriteControl else { return .return(e.map(expr), l) }
            if let retParam, let e {
                return .block([.instr(.assign(.mem(.read(.local(retParam))), expr(e), l)), status(2, l)])
            }
            return status(2, l)
        }
    }

    func instr(_ i: Instr) -> Instr {
        switch i {
        case .assign(let lv, let e, let l): return .assign(lvalue(lv), expr(e), l)
        case .call(let r, let c, let args, let l):
            let callee: Callee
            if case .indirect(let e) = c { callee = .indirect(expr(e)) } else { callee = c }
            return .call(result: r.map(lvalue), callee: callee, args: args.map(expr), l)
        case .vaArg(let r, let list, let l): return .vaArg(result: lvalue(r), list: expr(list), l)
        case .note(let t, let e, let l): return .note(t, expr(e), l)
        case .asm(var a, let l):
            func op(_ o: InlineAsm.Operand) -> InlineAsm.Operand {
                InlineAsm.Operand(name: o.name, constraint: o.constraint, value: expr(o.value), lvalue: o.lvalue.map(lvalue))
            }
            a.outputs = a.outputs.map(op); a.inputs = a.inputs.map(op)
            return .asm(a, l)
        }
    }

    func expr(_ e: Expr) -> Expr {
        switch e {
        case .const, .function, .labelAddr, .sizeOf, .alignOf: return e
        case .read(let lv): return .read(lvalue(lv))
        case .addrOf(let lv):
            if case .local(let x) = lv.host, lv.offsets.isEmpty, let px = paramOf[x] { return .read(.local(px)) }
            return .addrOf(lvalue(lv))
        case .startOf(let lv): return .startOf(lvalue(lv))
        case .unary(let op, let a, let t): return .unary(op, expr(a), t)
        case .binary(let op, let a, let b, let t): return .binary(op, expr(a), expr(b), t)
        case .cond(let a, let b, let c, let t): return .cond(expr(a), expr(b), expr(c), t)
        case .cast(let t, let a): return .cast(t, expr(a))
        case .compoundLiteral(let t, let i): return .compoundLiteral(t, initializer(i))
        case .current(let r, let a): return .current(r, expr(a))
        case .pinned(let r, let k, let a): return .pinned(r, k, expr(a))
        }
    }

    func lvalue(_ lv: LValue) -> LValue {
        let offsets = lv.offsets.map { o -> Offset in
            if case .index(let e) = o { return .index(expr(e)) }
            return o
        }
        switch lv.host {
        case .local(let x):
            if let px = paramOf[x] { return LValue(.mem(.read(.local(px))), offsets) }
            return LValue(.local(movedTo[x] ?? x), offsets)
        case .global: return LValue(lv.host, offsets)
        case .mem(let e): return LValue(.mem(expr(e)), offsets)
        case .compound(let t, let i): return LValue(.compound(t, initializer(i)), offsets)
        }
    }

    func initializer(_ i: Initializer) -> Initializer {
        switch i {
        case .expr(let e): return .expr(expr(e))
        case .compound(let t, let es): return .compound(t, es.map { InitEntry($0.designator, initializer($0.value)) })
        }
    }
}
