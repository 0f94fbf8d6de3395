// Continuation extraction (UPD-8; Ginseng's code extraction, for the code
// after a call): an IR → IR pass run after loop extraction, before the
// updatable build (Updatable.swift).
//
// A function that is on the stack at an update point runs its old code
// when the call it stands at returns. `main` holding the session state of
// a forking server by value, calling the accept loop, which returns in the
// child, and then serving the session, would keep that state's type in Δ
// at the accept loop's point for as long as it runs. So the code after
// such a call becomes a function of its own, called through its slot when
// the call returns: after a patch, it is NEW's code that runs on, and the
// frame's variables, passed by address, are objects the update converts
// like any other (REP-4, REP-5).
//
// For F whose body's statement list (looking through nested blocks, not
// into `if`, loops or `switch`) holds a call where F may stand at a point
// (`Updatability.standing`) followed by code that does more than return a
// constant:
//
//   static R F__graft_cont<k>(T1 *p_x1, …, Tn *p_xn) {
//       REST'   // x → *p_x; return e stays return e
//       [return 0;]   // F is main: C's implicit return
//   }
//
// and in F: `…; call; r = F__graft_cont<k>(&x1, …); return r;` (or the
// call and `return;` for a void F). REST' returns what F returns, so F's
// residue only hands it on. The parameters are F's variables REST uses
// and does not declare, ordered by their names in the source as for loop
// bodies (UPD-3): a patch matches NEW's continuation to the running F's
// arguments by the variables' names. Locals REST declares move to the new
// function. Its identity is `F#cont<k>`, k its rank among F's
// continuations; it may itself hold such a call and is then split in turn
// (`F#cont1#cont1`).
//
// Not extracted (a warning, rule UPD-8, at the call): REST with labels,
// goto, computed goto, label addresses or asm goto; a variable-length
// array; F's variable arguments; alloca, setjmp and frame/return-address
// builtins; an outer parameter of array, function or va_list type or an
// explicit register variable; an inline definition with external linkage.
// The code then stays in F, on the stack, for Δ.
//
// The pass is pure.

import Checker
import IR

public enum ContinuationExtraction {
    public static let rule = "UPD-8"
    public static let nameInfix = "__graft_cont"

    /// Moves the code after each call into the stack into a function of its own. Returns the new program and one
    /// warning Diagnostic (rule "UPD-8") per such call whose code could not be moved, saying why, at the call.
    public static func extract(_ p: Program) -> (Program, [Diagnostic]) {
        let (onStack, stands) = Updatability.standing(p)
        guard !onStack.isEmpty else { return (p, []) }
        var out = p
        var diags: [Diagnostic] = []
        var usedNames = Set(p.functions.map(\.name)).union(p.globals.map(\.name))
        var placed: [(before: FuncID, new: [FuncID])] = []
        var work = onStack.sorted().filter { p.functions[$0].body != nil && !p.functions[$0].name.hasPrefix("graft_") }
        var rank: [String: Int] = [:]
        while !work.isEmpty {
            let i = work.removeFirst()
            let fn = out.functions[i]
            guard let body = fn.body, case .block(let ss) = body, let cut = cut(ss, stands), !trivial(cut.rest) else { continue }
            var x = Extractor(program: out, fn: fn, usedNames: usedNames)
            var scan = LocalScan(program: nil)
            scan.stmt(body)
            x.counts = scan.uses
            x.declaredInF = scan.declared
            let k = rank[fn.identity, default: 0] + 1
            switch x.continuation(head: cut.head, rest: cut.rest, at: cut.loc, rank: k) {
            case .failure(let why):
                diags.append(Diagnostic(.warning, cut.loc,
                    "the code after this call in '\(fn.sourceName)' is not moved into a function of its own: \(why); it runs its old code when the call returns",
                    rule: rule))
            case .success(let newBody):
                rank[fn.identity] = k
                out.functions[i] = x.compacted(body: newBody)
                let g = x.made[0]
                precondition(g.id.index == out.functions.count)
                out.functions.append(g)
                usedNames = x.usedNames
                placed.append((FuncID(i), [g.id]))
                // The moved code may stand at another such call.
                work.append(g.id.index)
            }
        }
        for (before, ids) in placed {
            if let k = out.order.firstIndex(of: .function(before)) {
                out.order.insert(contentsOf: ids.map { .function($0) }, at: k)
            } else {
                out.order += ids.map { .function($0) }
            }
        }
        return (out, diags)
    }

    /// The first call in `ss` (looking through nested blocks) where the
    /// function may stand at a point: the statements up to it, with it, and
    /// those after it. Calls inside `if`, loops and `switch` are not cut at.
    static func cut(_ ss: [Stmt], _ stands: (Instr) -> Bool) -> (head: [Stmt], rest: [Stmt], loc: SourceLoc)? {
        for (k, s) in ss.enumerated() {
            switch s {
            case .instr(let i) where stands(i):
                return (Array(ss[...k]), Array(ss[(k + 1)...]), i.loc)
            case .block(let inner):
                if let c = cut(inner, stands) {
                    return (Array(ss[..<k]) + [.block(c.head)], [.block(c.rest)] + Array(ss[(k + 1)...]), c.loc)
                }
            default: break
            }
        }
        return nil
    }

    /// Code that only returns, a constant or nothing: moving it would change nothing Δ sees.
    static func trivial(_ ss: [Stmt]) -> Bool {
        ss.allSatisfy { s in
            switch s {
            case .block(let inner): return trivial(inner)
            case .return(nil, _), .return(.const, _): return true
            default: return false
            }
        }
    }
}

extension Extractor {
    /// F's body `head` followed by the call of a new function holding
    /// `rest` (ContinuationExtraction), or why `rest` stays in F.
    mutating func continuation(head: [Stmt], rest: [Stmt], at loc: SourceLoc, rank k: Int) -> Result<Stmt, Refusal> {
        let p = program
        var scan = LocalScan(program: p, variadic: fn.type.variadic)
        let restBlock = Stmt.block(rest)
        scan.stmt(restBlock)
        if fn.isInline && fn.storage != .static { scan.reason("the function is an inline definition with external linkage") }
        let (outer, moved) = partition(scan: &scan)
        if !scan.reasons.isEmpty { return .failure(Refusal(why: scan.reasons.joined(separator: "; "))) }

        let resultType = Self.dropTopQualifiers(fn.type.result)
        let isVoid = p.unroll(resultType).isVoid
        let (locals, paramOf, movedTo, _) = newLocals(outer: outer, moved: moved)
        let params = locals.filter(\.isParam).map(\.id)
        var rw = BodyRewriter(paramOf: paramOf, movedTo: movedTo, retParam: nil, loc: loc)
        rw.rewriteControl = false
        var body = [rw.stmt(restBlock)]
        // C's implicit `return 0` at the end of main.
        if fn.name == "main", !isVoid { body.append(.return(.const(.int(0), resultType), loc)) }
        let newID = nextID
        let name = uniqueName(fn.name + ContinuationExtraction.nameInfix + "\(k)", usedNames)
        usedNames.insert(name)
        made.append(Function(id: newID, name: name,
                             type: FunctionType(result: resultType, params: params.map { locals[$0.index].type }),
                             storage: .static, params: params, locals: locals, body: .block(body),
                             identity: Extracted.identity(parent: fn.identity, kind: .cont, rank: k), loc: loc))

        // F: the call and its result handed on.
        for id in outer where fn.locals[id.index].isRegister { fn.locals[id.index].isRegister = false }
        let args = outer.map { Expr.addrOf(.local($0)) }
        if isVoid {
            return .success(.block(head + [.instr(.call(result: nil, callee: .direct(newID), args: args, loc)), .return(nil, loc)]))
        }
        let r = LocalID(fn.locals.count)
        fn.locals.append(Local(id: r, name: uniqueName("graft_cont\(k)_ret", Set(fn.locals.map(\.name))), type: resultType, isTemp: true, loc: loc))
        return .success(.block(head + [.instr(.call(result: .local(r), callee: .direct(newID), args: args, loc)),
                                       .return(.read(.local(r)), loc)]))
    }
}
