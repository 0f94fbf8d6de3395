// Δ at each update point (Specs/updatability.md): what the code still
// running there — the rest of the point's function and each caller's
// continuation — uses as it was compiled. `PatchBuilder.plan` turns it
// into a verdict per point (UPD-1, UPD-2, UPD-4).

import IR

/// Δ per update point (Specs/updatability.md).
public enum Updatability {
    /// What code still running at an update point may use in the form it
    /// was compiled against, by identity.
    public struct Delta: Hashable, Sendable {
        /// Functions it calls directly (UPD-1); an indirect call: any function whose address is taken.
        public var callees: Set<String> = []
        /// Types it handles concretely (UPD-2).
        public var types: Set<String> = []
        /// Globals it names (UPD-4).
        public var globals: Set<String> = []
        public init() {}
    }

    /// Where an entry of Δ comes from: the activation whose code still to
    /// run uses it, for a refusal that names the use that blocks.
    public struct Use: Hashable, Sendable {
        /// The function (identity) of that activation.
        public var function: String
        /// The first statement still to run there that uses it (or the local's declaration).
        public var loc: SourceLoc
        /// The use is a by-value local of the activation: its name (nil for a temporary).
        public var byValue: Bool = false
        public var local: String? = nil
        /// The activation is the update point's own function (else a caller, at a call into the stack).
        public var atPoint: Bool
    }

    /// An entity of Δ, by identity.
    public enum Entity: Hashable, Sendable {
        case callee(String), type(String), global(String)
    }

    /// The functions (by index) that may be on the stack at some update
    /// point: those that call `graft_update_point` and every possible caller.
    public static func functionsOnStackAtPoints(_ p: Program) -> Set<Int> {
        let s = Stacks(p)
        guard let pf = s.pointFunction else { return [] }
        var out: Set<Int> = []
        for (i, u) in s.uses.enumerated() where u.directCallees.contains(pf) { out.formUnion(s.stack(i)) }
        return out
    }

    /// The call graph of a program, for the activations that may be on the stack at a point.
    public struct Stacks {
        let p: Program
        let uses: [Uses]
        var callers: [Int: Set<Int>] = [:]
        var addressTaken: Set<Int> = []
        let indirectCallers: Set<Int>
        let byIdentity: [String: Int]
        let pointFunction: FuncID?

        public init(_ p: Program) {
            self.p = p
            let uses = p.functions.map { $0.isDefinition ? Uses.of($0, in: p) : Uses() }
            self.uses = uses
            for (i, u) in uses.enumerated() {
                for g in u.directCallees { callers[g.index, default: []].insert(i) }
                addressTaken.formUnion(u.functionsNamed.map(\.index))
            }
            for g in p.globals { if let ini = g.initializer { addressTaken.formUnion(Uses.of(ini, in: p).functionsNamed.map(\.index)) } }
            // An indirect call may come from any function whose address is taken.
            indirectCallers = Set(uses.indices.filter { uses[$0].callsIndirectly })
            byIdentity = Dictionary(p.functions.map { ($0.identity, $0.id.index) }, uniquingKeysWith: { a, _ in a })
            pointFunction = p.functions.first { $0.name == BuildManifest.updatePointFunction && !$0.isDefinition }?.id
        }

        /// `f` and every function that can call it, transitively: nearest first.
        func stack(_ f: Int) -> [Int] {
            var seen: Set<Int> = [f]
            var order = [f]
            var i = 0
            while i < order.count {
                let x = order[i]
                i += 1
                var next = callers[x] ?? []
                if addressTaken.contains(x) { next.formUnion(indirectCallers) }
                for y in next.sorted() where seen.insert(y).inserted { order.append(y) }
            }
            return order
        }

        /// Each activation that may be on the stack at `pt` with the code it may
        /// still run and the loops around where it stands (innermost first); nil: no such function.
        public func frames(_ pt: UpdatePoint) -> [(function: Int, cont: [Stmt], loops: [SourceLoc])]? {
            guard let f = byIdentity[pt.function] else { return nil }
            let order = stack(f)
            let onStack = Set(order)
            return order.compactMap { g in
                guard let body = p.functions[g].body else { return nil }
                // Where this activation stands: at the point (its own function), or at a call into the stack.
                let stands: (Instr) -> Bool = { i in
                    guard case .call(_, let c, _, let loc) = i else { return false }
                    switch c {
                    case .direct(let h):
                        if g == f && h == pointFunction && loc == pt.loc { return true }
                        return onStack.contains(h.index) && !(h == pointFunction)
                    case .indirect: return !onStack.isDisjoint(with: addressTaken)
                    case .builtin: return false
                    }
                }
                return (g, continuation(body, after: stands), enclosingLoops(body, at: stands))
            }
        }

        func matches(_ e: Entity, _ u: Uses) -> Bool {
            switch e {
            case .type(let t): return u.records.contains { p[$0].identity == t }
            case .global(let g): return u.globals.contains { p[$0].identity == g }
            case .callee(let c):
                return u.directCallees.contains { p.functions[$0.index].identity == c }
                    || (u.callsIndirectly && addressTaken.contains { p.functions[$0].identity == c })
            }
        }
    }

    /// For each update point: Δ over the code that can still run after
    /// it in the activations on the stack — the rest of the point's own
    /// function, and in each (transitive) caller the rest after its call
    /// of a function on the stack. Everything else is reached through a
    /// slot and runs new code. The frame's by-value locals count wherever
    /// they are used: they hold the old layout.
    public static func deltas(_ p: Program, points: [UpdatePoint]) -> [Int: Delta] {
        let s = Stacks(p)
        var out: [Int: Delta] = [:]
        for pt in points {
            guard let frames = s.frames(pt) else { continue }
            var d = Delta()
            for (g, cont, _) in frames {
                var u = Uses(in: p.functions[g])
                for l in p.functions[g].locals { u.byValue(l.type, p) }
                for st in cont { u.stmt(st, p) }
                var callees = Set(u.directCallees.map(\.index))
                if u.callsIndirectly { callees.formUnion(s.addressTaken) }
                d.callees.formUnion(callees.map { p.functions[$0].identity })
                d.types.formUnion(u.records.map { p[$0].identity })
                d.globals.formUnion(u.globals.map { p[$0].identity })
            }
            out[pt.id] = d
        }
        return out
    }

    /// The use that puts `entity` in Δ at `pt`: in the nearest activation,
    /// a by-value local (types) or the first statement still to run that
    /// uses it. nil when it is not in Δ there.
    public static func use(of entity: Entity, at pt: UpdatePoint, in p: Program) -> Use? {
        use(of: entity, at: pt, in: Stacks(p))
    }

    public static func use(of entity: Entity, at pt: UpdatePoint, in s: Stacks) -> Use? {
        let p = s.p
        guard let frames = s.frames(pt) else { return nil }
        for (g, cont, _) in frames {
            let fn = p.functions[g]
            let atPoint = fn.identity == pt.function
            if case .type = entity {
                for l in fn.locals {
                    var u = Uses()
                    u.byValue(l.type, p)
                    if s.matches(entity, u) {
                        return Use(function: fn.identity, loc: l.loc, byValue: true, local: l.isTemp ? nil : l.sourceName, atPoint: atPoint)
                    }
                }
            }
            for st in cont {
                if let loc = firstUse(st, p, in: fn, { s.matches(entity, $0) }) { return Use(function: fn.identity, loc: loc, atPoint: atPoint) }
            }
        }
        return nil
    }

    /// The loops that will come round again to where the activations on the
    /// stack at `pt` stand: for each (nearest first), the function's identity
    /// and the loops around its position, innermost first.
    public static func loopsAround(_ pt: UpdatePoint, in p: Program) -> [(function: String, loop: SourceLoc)] {
        guard let frames = Stacks(p).frames(pt) else { return [] }
        return frames.flatMap { g, _, loops in loops.map { (p.functions[g].identity, $0) } }
    }

    /// The locations of the loops of `body` around an instruction `at` matches, innermost first.
    static func enclosingLoops(_ body: Stmt, at: (Instr) -> Bool) -> [SourceLoc] {
        var out: [SourceLoc] = []
        func walk(_ s: Stmt) -> Bool {
            switch s {
            case .instr(let i): return at(i)
            case .block(let ss): return ss.contains { walk($0) }
            case .if(_, let t, let e, _): return walk(t) || (e.map(walk) ?? false)
            case .loop(let b, let n, let l):
                let hit = walk(b) || (n.map(walk) ?? false)
                if hit { out.append(l) }
                return hit
            case .switch(_, let b, _): return walk(b)
            default: return false
            }
        }
        _ = walk(body)
        return out
    }

    /// The location of the innermost statement of `s` whose own code satisfies `pred`.
    static func firstUse(_ s: Stmt, _ p: Program, in fn: Function?, _ pred: (Uses) -> Bool) -> SourceLoc? {
        var all = Uses(in: fn)
        all.stmt(s, p)
        guard pred(all) else { return nil }
        func own(_ e: Expr) -> Bool { var u = Uses(in: fn); u.expr(e, p); return pred(u) }
        func first(_ s: Stmt) -> SourceLoc? { firstUse(s, p, in: fn, pred) }
        switch s {
        case .instr(let i): return i.loc
        case .block(let ss):
            for x in ss { if let l = first(x) { return l } }
            return nil
        case .local(_, _, let l), .return(_, let l), .computedGoto(_, let l): return l
        case .if(let c, let t, let e, let l):
            if own(c) { return l }
            return first(t) ?? e.flatMap { first($0) } ?? l
        case .loop(let b, let n, let l): return first(b) ?? n.flatMap { first($0) } ?? l
        case .switch(let e, let b, let l):
            if own(e) { return l }
            return first(b) ?? l
        case .break(let l), .continue(let l), .label(_, let l), .goto(_, let l): return l
        }
    }

    /// The statements that may run after an instruction `at` matches: the
    /// rest of each enclosing block, and the whole of each enclosing loop
    /// (it may go round again). A body with labels is taken whole (a goto
    /// may lead anywhere); so is one where nothing matches (conservative).
    static func continuation(_ body: Stmt, after at: (Instr) -> Bool) -> [Stmt] {
        func hasLabels(_ s: Stmt) -> Bool {
            switch s {
            case .label(.named, _), .goto, .computedGoto: return true
            case .block(let ss): return ss.contains(where: hasLabels)
            case .if(_, let t, let e, _): return hasLabels(t) || (e.map(hasLabels) ?? false)
            case .loop(let b, let n, _): return hasLabels(b) || (n.map(hasLabels) ?? false)
            case .switch(_, let b, _): return hasLabels(b)
            default: return false
            }
        }
        if hasLabels(body) { return [body] }
        var out: [Stmt] = []
        var found = false
        // Returns whether `s` contains a match; collects what follows it on the way out.
        func walk(_ s: Stmt) -> Bool {
            switch s {
            case .instr(let i):
                return at(i)
            case .block(let ss):
                var hit = false
                for x in ss {
                    if hit { out.append(x) } else if walk(x) { hit = true }
                }
                return hit
            case .if(let c, let t, let e, let l):
                let a = walk(t), b = e.map(walk) ?? false
                _ = (c, l)
                return a || b
            case .loop(let b, let n, _):
                let hit = walk(b) || (n.map(walk) ?? false)
                if hit { out.append(s) }
                return hit
            case .switch(_, let b, _):
                return walk(b)
            default:
                return false
            }
        }
        found = walk(body)
        return found ? out : [body]
    }
}
