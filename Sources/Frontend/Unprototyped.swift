// Calls compiled against another type of their function than the one the
// program links (Specs/link.md LINK-3). A unit that calls `f` through an
// implicit declaration (C89) or a K&R one (`int f();`) passes its
// arguments with the default promotions only; a unit whose own declaration
// of `f` disagrees with the definition (`int f(long)` for `int f(int)`)
// passes them as it declared. `cc` and `ld` accept both when each argument
// travels the way the parameter is read (an integer or a pointer in a
// general-purpose register, a `double` in an SSE register), so graft makes
// the conversion explicit at the call, as the IR requires (IR-26); a call
// that passes something the parameter cannot receive is refused at the
// call, with what would make it work. A variable used through a
// declaration of another type is refused where it is declared (LINK-5).

import Foundation
import IR

extension Merge {
    /// How an argument reaches its parameter in the x86-64 calling convention.
    enum Passing: Equatable { case general, sse, other }

    static func passing(_ t: CType, in p: Program) -> Passing {
        switch p.valueType(t) {
        case .int, .pointer: return .general
        case .float(.float), .float(.double): return .sse
        default: return .other
        }
    }

    /// LINK-5: two declarations of one variable name storage of one type:
    /// equal up to typedef names and qualifiers, an array of unknown length
    /// standing for one of any length.
    static func sameObjectType(_ a: CType, _ b: CType, in p: Program) -> Bool {
        let x = bare(a, in: p), y = bare(b, in: p)
        if x == y { return true }
        if case .array(let e, let n) = x, case .array(let f, let m) = y, e == f, n == nil || m == nil { return true }
        return false
    }

    /// Whether a unit's code or initializers name its global `id`.
    static func uses(_ u: Program, global id: GlobalID) -> Bool {
        final class Seen { var hit = false }
        let seen = Seen()
        let m = IDMapper(global: { g in if g == id { seen.hit = true }; return g })
        for f in u.functions { _ = m.map(f) }
        for g in u.globals where g.id != id { if let i = g.initializer { _ = m.map(i) } }
        return seen.hit
    }

    /// A type as a diagnostic spells it (`struct num*`).
    static func show(_ p: Program, _ t: CType) -> String {
        if case .function(let f) = t {
            let params = f.params.map { show(p, $0) } + (f.variadic ? ["..."] : [])
            return "\(show(p, f.result)) (\(f.hasPrototype ? (params.isEmpty ? "void" : params.joined(separator: ", ")) : ""))"
        }
        return p.printed(t).replacingOccurrences(of: #"#[0-9]+"#, with: "", options: .regularExpression)
    }

    /// `t` with typedef names and qualifiers removed at every level, and enums as their integer
    /// type (`keepingEnums`: as themselves, which the IR tells apart, IR-26).
    static func bare(_ t: CType, in p: Program, keepingEnums: Bool = false) -> CType {
        var u = p.unroll(t)
        while case .atomic(let inner) = u { u = p.unroll(inner) }
        if !keepingEnums || !{ if case .enumeration = u { return true }; return false }() { u = p.valueType(u) }
        switch u {
        case .pointer(let e): return .pointer(bare(e, in: p, keepingEnums: keepingEnums))
        case .array(let e, let n): return .array(bare(e, in: p, keepingEnums: keepingEnums), length: n)
        case .function(let f):
            return .function(FunctionType(result: bare(f.result, in: p, keepingEnums: keepingEnums),
                                          params: f.params.map { bare($0, in: p, keepingEnums: keepingEnums) },
                                          variadic: f.variadic, hasPrototype: f.hasPrototype))
        case let u: return u
        }
    }

    /// Whether a value of type `a` is one of type `b` to the IR, without a conversion: the same type
    /// up to typedef names and qualifiers. Two units may see two enums for one typedef name
    /// (OpenSSH's `SyslogFacility` has a constant only where <syslog.h> came first): a value of
    /// one passes as the other by a conversion.
    static func sameForIR(_ a: CType, _ b: CType, in p: Program) -> Bool {
        bare(a, in: p, keepingEnums: true) == bare(b, in: p, keepingEnums: true)
    }

    /// How a unit saw a function it calls: without a prototype, or declared
    /// with another type than the program's (at that declaration).
    enum CallerView: Equatable {
        case noPrototype
        case declared(CType, SourceLoc)
    }

    /// LINK-3: `f`'s calls to `callees` (functions its unit saw without a
    /// prototype, or with another one, that the program has with a
    /// prototype), their arguments converted to the parameter types, extra
    /// arguments of a non-variadic callee dropped (they are pure and never
    /// read), an integer result of another width or a pointer result of
    /// another type read through a temporary;
    /// and the calls that cannot be made so.
    static func convertUnprototypedCalls(_ f: Function, calling callees: [FuncID: CallerView], in p: Program) -> (Function, [Diagnostic]) {
        guard let body = f.body, !callees.isEmpty else { return (f, []) }
        var fn = f
        var problems: [Diagnostic] = []
        func call(_ result: LValue?, _ c: FuncID, _ args: [Expr], _ loc: SourceLoc) -> Stmt? {
            let callee = p[c], ft = callee.type
            guard let view = callees[c], ft.hasPrototype else { return nil }
            func refuse(_ why: String) -> Stmt? {
                let linked = "it is \(callee.isDefinition ? "defined" : "declared") as '\(show(p, .function(ft)))' at \(callee.loc)"
                switch view {
                case .noPrototype:
                    problems.append(Diagnostic(.error, loc,
                        "call to '\(callee.sourceName)' without a prototype in scope \(why) (\(linked)); declare '\(callee.sourceName)' with its prototype before the call",
                        rule: "LINK-3"))
                case .declared(let t, let at):
                    problems.append(Diagnostic(.error, loc,
                        "call to '\(callee.sourceName)', declared as '\(show(p, t))' at \(at), \(why) (\(linked)); declare '\(callee.sourceName)' once, in a header both files include",
                        rule: "LINK-3"))
                }
                return nil
            }
            guard args.count >= ft.params.count else {
                return refuse("passes \(args.count) argument\(args.count == 1 ? "" : "s"), and the function takes \(ft.params.count)")
            }
            var converted: [Expr] = []
            for (k, a) in args.enumerated() {
                guard k < ft.params.count else {
                    if ft.variadic { converted.append(a) }
                    continue
                }
                let at = p.typeOf(a, in: fn), pt = ft.params[k]
                if sameForIR(at, pt, in: p) { converted.append(a); continue }
                let how = passing(at, in: p)
                guard how != .other, how == passing(pt, in: p) else {
                    return refuse("passes argument \(k + 1) as '\(show(p, at))', and the parameter is '\(show(p, pt))' (only integers and pointers, and float and double, are converted to their parameter's type)")
                }
                converted.append(.cast(pt, a))
            }
            guard let result else { return .instr(.call(result: nil, callee: .direct(c), args: converted, loc)) }
            let rt = p.typeOf(result, in: fn)
            if sameForIR(rt, ft.result, in: p) {
                return .instr(.call(result: result, callee: .direct(c), args: converted, loc))
            }
            // An integer of another width, or a pointer to another type (`struct umac_ctx *` declared, `struct
            // umac128_ctx *` defined: one file renames the tag by macro), comes back in the same register.
            func pointer(_ t: CType) -> Bool { if case .pointer = p.valueType(t) { return true }; return false }
            guard (p.isInteger(rt) && p.isInteger(ft.result)) || (pointer(rt) && pointer(ft.result)) else {
                return refuse("uses its result as '\(show(p, rt))', and the function returns '\(show(p, ft.result))'")
            }
            let temp = LocalID(fn.locals.count)
            fn.locals.append(Local(id: temp, name: "__link_result\(temp.index)", type: ft.result, isTemp: true, loc: loc))
            return .block([.instr(.call(result: .local(temp), callee: .direct(c), args: converted, loc)),
                           .instr(.assign(result, .cast(rt, .read(.local(temp))), loc))])
        }
        func map(_ s: Stmt) -> Stmt {
            switch s {
            case .instr(.call(let r, .direct(let c), let args, let loc)): return call(r, c, args, loc) ?? s
            case .block(let ss): return .block(ss.map(map))
            case .if(let c, let t, let e, let l): return .if(c, then: map(t), else: e.map(map), l)
            case .loop(let b, let n, let l): return .loop(body: map(b), next: n.map(map), l)
            case .switch(let e, let b, let l): return .switch(e, body: map(b), l)
            default: return s
            }
        }
        fn.body = map(body)
        return (fn, problems)
    }
}
