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
// For F whose body holds a call where F may stand at a point
// (`Updatability.standing`) — a statement of the body, looking through
// nested blocks and into `if` branches, not into loops (a marked loop's
// body is UPD-3's) or `switch` — followed by code that does more than
// return a constant, the first such call is cut at:
//
//   static R F__graft_cont_callee<k>(T1 *p_x1, …, Tn *p_xn) {
//       REST'   // x → *p_x; return e stays return e
//       [return 0;]   // F is main: C's implicit return
//   }
//
// and in F: `…; call; r = F__graft_cont_callee<k>(&x1, …); return r;` (or the call
// and `return;` for a void F). REST is the rest of each statement list
// around the call, innermost first; where the call is in an `if` branch,
// the code after the `if` also stays in F for the other way. REST' returns
// what F returns, so F's residue only hands it on. The parameters are F's
// variables REST uses and does not declare, ordered by their names in the
// source as for loop bodies (UPD-3): a patch matches NEW's continuation to
// the running F's arguments by the variables' names. Locals REST declares
// move to the new function. Its identity names the call it follows,
// `F#cont<k>:callee` for the k-th call of `callee` where F may stand, so a
// call into the stack added before it leaves it its identity; it may itself
// hold such a call and is then split in turn (named from F, as that call).
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
        var placed: [(before: FuncID, new: FuncID)] = []
        var work = onStack.sorted().filter { p.functions[$0].body != nil && !p.functions[$0].name.hasPrefix("graft_") }
        // Each function the programmer's code is split from, by identity: its standing calls' names and ranks.
        var keys: [String: [SourceLoc: (callee: String, rank: Int)]] = [:]
        for i in work { keys[p.functions[i].identity] = callKeys(p.functions[i], in: p, stands) }
        while !work.isEmpty {
            let i = work.removeFirst()
            var fn = out.functions[i]
            guard let body = fn.body, case .block(let ss) = body, let cut = cut(ss, stands), !trivial(cut.rest) else { continue }
            let root = Self.root(fn.identity)
            let key = keys[root]?[cut.call.loc] ?? (callee(cut.call, in: out), 1)
            // The temporary the call's result lands in (`x = f()` is `t = f(); x = t;` for a struct) is named for
            // the call, as the continuation is: its number differs between versions, and the running F's
            // arguments are matched to NEW's continuation's parameters by name.
            if case .call(let r?, _, _, _) = cut.call, r.offsets.isEmpty, case .local(let t) = r.host,
               fn.locals.indices.contains(t.index), fn.locals[t.index].isTemp {
                let stable = "__graft_result_" + String(key.callee.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }) + "\(key.rank)"
                if !fn.locals.contains(where: { $0.name == stable }) {
                    fn.locals[t.index].name = stable
                    fn.locals[t.index].sourceName = stable
                    out.functions[i] = fn
                }
            }
            var x = Extractor(program: out, fn: fn, usedNames: usedNames)
            var scan = LocalScan(program: nil)
            scan.stmt(body)
            x.counts = scan.uses
            x.declaredInF = scan.declared
            let identity = Extracted.continuation(parent: root, after: key.callee, rank: key.rank)
            // Named, like its identity, by the call it follows: the same in every version that has that call.
            let rootName = out.functions.first { $0.identity == root }?.name ?? fn.name
            let callee = String(key.callee.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
            let name = "\(rootName)\(nameInfix)_\(callee)\(key.rank)"
            switch x.continuation(cut: cut, identity: identity, name: name) {
            case .failure(let why):
                diags.append(Diagnostic(.warning, cut.call.loc,
                    "the code after this call in '\(fn.sourceName)' is not moved into a function of its own: \(why); it runs its old code when the call returns",
                    rule: rule))
            case .success(let newBody):
                out.functions[i] = x.compacted(body: newBody)
                let g = x.made[0]
                precondition(g.id.index == out.functions.count)
                out.functions.append(g)
                usedNames = x.usedNames
                placed.append((FuncID(i), g.id))
                // The moved code may stand at another such call.
                work.append(g.id.index)
            }
        }
        for (before, id) in placed {
            if let k = out.order.firstIndex(of: .function(before)) {
                out.order.insert(.function(id), at: k)
            } else {
                out.order.append(.function(id))
            }
        }
        return (out, diags)
    }

    /// The function the programmer's code of `identity` is split from: itself, or what its continuations were made from.
    static func root(_ identity: String) -> String {
        var id = identity
        while let o = Extracted.origin(id), o.kind == .cont { id = o.parent }
        return id
    }

    /// The name a continuation gives the callee of a call: its name in the source; `*` through a pointer.
    static func callee(_ i: Instr, in p: Program) -> String {
        guard case .call(_, let c, _, _) = i else { return "*" }
        switch c {
        case .direct(let f): return p.functions[f.index].sourceName
        case .builtin(let b): return b
        case .indirect: return "*"
        }
    }

    /// Each standing call of `f` (by location): its callee's name and its rank among `f`'s standing calls of that callee.
    static func callKeys(_ f: Function, in p: Program, _ stands: (Instr) -> Bool) -> [SourceLoc: (callee: String, rank: Int)] {
        guard let b = f.body else { return [:] }
        var out: [SourceLoc: (callee: String, rank: Int)] = [:], seen: [String: Int] = [:]
        Walk.instructions(in: b) { i in
            guard stands(i) else { return }
            let c = callee(i, in: p)
            seen[c, default: 0] += 1
            if out[i.loc] == nil { out[i.loc] = (c, seen[c]!) }
        }
        return out
    }

    /// Where F's body is cut: the first call (looking through nested blocks
    /// and into `if` branches, not into loops or `switch`) where F may stand
    /// at a point; the code after it (the rest of each enclosing statement
    /// list, innermost first); and F's new body given what replaces that
    /// code at the cut. Where the call is in an `if` branch, the code after
    /// the `if` stays in F for the other way too.
    struct Cut {
        var call: Instr
        var rest: [Stmt]
        var rebuild: ([Stmt]) -> [Stmt]
    }

    static func cut(_ ss: [Stmt], _ stands: (Instr) -> Bool) -> Cut? {
        for (k, s) in ss.enumerated() {
            let before = Array(ss[..<k]), after = Array(ss[(k + 1)...])
            switch s {
            case .instr(let i) where stands(i):
                return Cut(call: i, rest: after, rebuild: { before + [s] + $0 })
            case .block(let inner):
                if let c = cut(inner, stands) {
                    return Cut(call: c.call, rest: [.block(c.rest)] + after, rebuild: { before + [.block(c.rebuild($0))] })
                }
            case .if(let cond, let t, let e, let l):
                if let c = cut(statements(t), stands) {
                    return Cut(call: c.call, rest: [.block(c.rest)] + after,
                               rebuild: { before + [.if(cond, then: .block(c.rebuild($0)), else: e, l)] + after })
                }
                if let e, let c = cut(statements(e), stands) {
                    return Cut(call: c.call, rest: [.block(c.rest)] + after,
                               rebuild: { before + [.if(cond, then: t, else: .block(c.rebuild($0)), l)] + after })
                }
            default: break
            }
        }
        return nil
    }

    static func statements(_ s: Stmt) -> [Stmt] {
        if case .block(let ss) = s { return ss }
        return [s]
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
    /// F's new body, with the code after the cut replaced by the call of a
    /// new function holding it (ContinuationExtraction), or why that code
    /// stays in F.
    mutating func continuation(cut: ContinuationExtraction.Cut, identity: String, name base: String) -> Result<Stmt, Refusal> {
        let p = program
        let loc = cut.call.loc
        var scan = LocalScan(program: p, variadic: fn.type.variadic)
        let restBlock = Stmt.block(cut.rest)
        scan.stmt(restBlock)
        if fn.isInline && fn.storage != .static { scan.reason("the function is an inline definition with external linkage") }
        let (outer, moved) = partition(scan: &scan)
        if !scan.reasons.isEmpty { return .failure(Refusal(why: scan.reasons.joined(separator: "; "))) }

        let resultType = Self.dropTopQualifiers(fn.type.result)
        let isVoid = p.unroll(resultType).isVoid
        // F itself extracted (a loop body, a continuation): its parameters point to its parent's variables; they are passed on.
        let forwarded = Extracted.origin(fn.identity) == nil ? [] : Set(outer.filter { fn.locals[$0.index].isParam })
        let (locals, paramOf, movedTo, _) = newLocals(outer: outer, moved: moved, forwarded: forwarded)
        let params = locals.filter(\.isParam).map(\.id)
        var rw = BodyRewriter(paramOf: paramOf, movedTo: movedTo, retParam: nil, loc: loc)
        rw.rewriteControl = false
        var body = [rw.stmt(restBlock)]
        // C's implicit `return 0` at the end of main.
        if fn.name == "main", !isVoid { body.append(.return(.const(.int(0), resultType), loc)) }
        let newID = nextID
        let name = uniqueName(base, usedNames)
        usedNames.insert(name)
        made.append(Function(id: newID, name: name,
                             type: FunctionType(result: resultType, params: params.map { locals[$0.index].type }),
                             storage: .static, params: params, locals: locals, body: .block(body),
                             identity: identity, loc: loc))

        // F: the call, its result handed on.
        for id in outer where fn.locals[id.index].isRegister { fn.locals[id.index].isRegister = false }
        let args = outer.map { forwarded.contains($0) ? Expr.read(.local($0)) : .addrOf(.local($0)) }
        let tail: [Stmt]
        if isVoid {
            tail = [.instr(.call(result: nil, callee: .direct(newID), args: args, loc)), .return(nil, loc)]
        } else {
            let r = LocalID(fn.locals.count)
            fn.locals.append(Local(id: r, name: uniqueName("graft_cont_ret", Set(fn.locals.map(\.name))), type: resultType, isTemp: true, loc: loc))
            tail = [.instr(.call(result: .local(r), callee: .direct(newID), args: args, loc)), .return(.read(.local(r)), loc)]
        }
        let newBody = Stmt.block(cut.rebuild(tail))
        // Code after an `if` stays in F for the other way: its locals stay too (the new function has its own).
        var kept = LocalScan(program: nil)
        kept.stmt(newBody)
        movedOut.subtract(kept.uses.keys)
        return .success(newBody)
    }
}
