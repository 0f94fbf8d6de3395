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

    /// For each update point: Δ over the code that can still run after
    /// it in the activations on the stack — the rest of the point's own
    /// function, and in each (transitive) caller the rest after its call
    /// of a function on the stack. Everything else is reached through a
    /// slot and runs new code. The frame's by-value locals count wherever
    /// they are used: they hold the old layout.
    public static func deltas(_ p: Program, points: [UpdatePoint]) -> [Int: Delta] {
        let uses = p.functions.map { $0.isDefinition ? Uses.of($0, in: p) : Uses() }
        var callers: [Int: Set<Int>] = [:]
        var addressTaken: Set<Int> = []
        for (i, u) in uses.enumerated() {
            for g in u.directCallees { callers[g.index, default: []].insert(i) }
            addressTaken.formUnion(u.functionsNamed.map(\.index))
        }
        for g in p.globals { if let ini = g.initializer { addressTaken.formUnion(Uses.of(ini, in: p).functionsNamed.map(\.index)) } }
        // An indirect call may come from any function whose address is taken.
        let indirectCallers = Set(uses.indices.filter { uses[$0].callsIndirectly })
        func stack(_ f: Int) -> Set<Int> {
            var seen: Set<Int> = [f]
            var work = [f]
            while let x = work.popLast() {
                var next = callers[x] ?? []
                if addressTaken.contains(x) { next.formUnion(indirectCallers) }
                for y in next where seen.insert(y).inserted { work.append(y) }
            }
            return seen
        }
        let byIdentity = Dictionary(p.functions.map { ($0.identity, $0.id.index) }, uniquingKeysWith: { a, _ in a })
        let pointFunction = p.functions.first { $0.name == Updatable.updatePointFunction && !$0.isDefinition }?.id
        var out: [Int: Delta] = [:]
        for pt in points {
            guard let f = byIdentity[pt.function] else { continue }
            let onStack = stack(f)
            var d = Delta()
            for g in onStack {
                let fn = p.functions[g]
                guard let body = fn.body else { continue }
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
                var u = Uses()
                for l in fn.locals { u.byValue(l.type, p) }
                for s in continuation(body, after: stands) { u.stmt(s, p) }
                var callees = Set(u.directCallees.map(\.index))
                if u.callsIndirectly { callees.formUnion(addressTaken) }
                d.callees.formUnion(callees.map { p.functions[$0].identity })
                d.types.formUnion(u.records.map { p[$0].identity })
                d.globals.formUnion(u.globals.map { p[$0].identity })
            }
            out[pt.id] = d
        }
        return out
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
