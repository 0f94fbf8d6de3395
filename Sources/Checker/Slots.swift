// Which functions of a program get a slot in an updatable build, and why
// the others stay direct (Specs/patch.md, PATCH-4): the facts the instrumentation
// (Sources/Instrument/Updatable.swift) applies and the patch rules
// (PATCH-4, PATCH-9, UPD-6) rely on, derived once, here.

import IR

public enum Slots {
    /// Whether `f` gets a slot and a trampoline: defined, not variadic, and not an inline-only definition.
    public static func isIndirected(_ f: Function) -> Bool {
        // The trampoline keeps the parameters as locals 0..<n; a function whose
        // parameter list was lowered with temporaries in between (a VLA parameter
        // with side effects, `int a[i++]`) keeps its direct calls.
        linkable(f) && !f.type.variadic && f.params.enumerated().allSatisfy { $0.offset == $0.element.index }
    }

    /// Whether a variadic `f` gets a slot (without a trampoline): its address is never taken.
    public static func hasVariadicSlot(_ f: Function, addressTaken: Set<FuncID>) -> Bool {
        linkable(f) && f.type.variadic && !addressTaken.contains(f.id)
    }

    /// A definition the program's own code is the only user of: not inline-only.
    public static func linkable(_ f: Function) -> Bool {
        f.isDefinition && !(f.isInline && f.storage != .static) && f.storage != .extern
    }

    /// Why a function of `p` has no slot in an updatable build of `p`; nil when it has one.
    public static func whyNoSlot(_ f: Function, in p: Program) -> String? { whyNoSlot(f, in: p, direct: nil) }

    public static func whyNoSlot(_ f: Function, in p: Program, direct: [FuncID: String]?) -> String? {
        guard f.isDefinition else { return "it is not defined in the program" }
        guard linkable(f) else { return "it is an inline definition with external linkage (callers may use their own copy of it)" }
        if let why = (direct ?? directReasons(p))[f.id] { return why }
        if f.type.variadic {
            guard addressTaken(p).contains(f.id) else { return nil }
            return "it is variadic and its address is taken (\(whereAddressTaken(f.id, in: p))), and C cannot pass a `...` on through a trampoline"
        }
        return isIndirected(f) ? nil : "its parameter list has side effects (a variable-length array parameter)"
    }

    /// The functions of `p` that could have a slot but stay direct, because
    /// calling them through a slot (or entering them through a trampoline)
    /// could change what the program does; each with the reason
    /// (bench/zero-diff-failures.md, causes 1-4).
    public static func directReasons(_ p: Program) -> [FuncID: String] {
        let named = liveAddressTaken(p)
        var out: [FuncID: String] = [:]
        // Direct call sites of each function, by caller.
        var callers: [FuncID: [FuncID]] = [:]
        var sites: [FuncID: Int] = [:]
        // Functions reading a return or frame address: the deepest level (nil: not a constant).
        var frameReaders: [(FuncID, String, Int?)] = []
        for f in p.functions where f.isDefinition {
            guard let body = f.body else { continue }
            var reads: (String, Int?)? = nil
            Walk.instructions(in: body) { ins in
                guard case .call(_, let callee, let args, _) = ins else { return }
                switch callee {
                case .direct(let g):
                    callers[g, default: []].append(f.id)
                    sites[g, default: 0] += 1
                case .builtin(let n) where n == "__builtin_return_address" || n == "__builtin_frame_address":
                    let level = args.first.flatMap(constantLevel)
                    if let r = reads {
                        reads = (r.0, r.1.flatMap { old in level.map { max(old, $0) } })
                    } else {
                        reads = (n, level)
                    }
                default: break
                }
            }
            if let (n, level) = reads { frameReaders.append((f.id, n, level)) }
        }
        for f in p.functions where linkable(f) {
            if f.isInline && f.storage == .static && !named.contains(f.id) {
                out[f.id] = "it is a static inline function whose address is not taken: its calls stay direct, so that gcc may inline them (or drop the function) as in the plain build"
            } else if (sites[f.id] ?? 0) >= 2, let body = f.body, takesLabelAddress(body) {
                out[f.id] = "it takes the address of a label (&&label) and is called from \(sites[f.id]!) places: calls through a slot are never inlined, and each inlined copy has its own label addresses"
            } else if f.type.variadic && f.storage != .static && isLibraryBuiltinName(f.name) {
                out[f.id] = "it has the name of a C library function that gcc treats as a builtin, and its calls stay calls by name so that gcc may fold them as in the plain build; it is variadic, so it has no trampoline that could forward them to a slot"
            }
        }
        // Return and frame addresses: the function and its callers as many levels up as it looks.
        for (g, builtin, level) in frameReaders {
            let name = p.functions[g.index].sourceName
            var frontier: Set<FuncID> = [g]
            var seen: Set<FuncID> = [g]
            if out[g] == nil && linkable(p.functions[g.index]) {
                out[g] = "it reads a \(builtin == "__builtin_return_address" ? "return" : "frame") address (\(builtin)(\(level.map(String.init) ?? "n"))): a trampoline would add a frame that the plain build does not have"
            }
            var depth = 0
            while !frontier.isEmpty, level.map({ depth < $0 }) ?? true {
                depth += 1
                var next: Set<FuncID> = []
                for h in frontier { for c in callers[h] ?? [] where seen.insert(c).inserted { next.insert(c) } }
                for c in next where linkable(p.functions[c.index]) && out[c] == nil {
                    out[c] = "it calls, \(depth == 1 ? "directly" : "\(depth) calls down"), '\(name)', which reads the \(builtin == "__builtin_return_address" ? "return" : "frame") address \(level.map(String.init) ?? "some") frame\(level == 1 ? "" : "s") up (\(builtin)): a trampoline would add a frame that the plain build does not have"
                }
                frontier = next
            }
        }
        return out
    }

    /// The level argument of `__builtin_return_address(n)`, when it is a constant.
    public static func constantLevel(_ e: Expr) -> Int? {
        switch e {
        case .const(.int(let v), _): return Int(v)
        case .cast(_, let a): return constantLevel(a)
        default: return nil
        }
    }

    public static func takesLabelAddress(_ body: Stmt) -> Bool {
        var found = false
        Walk.expressions(in: body, at: .unknown) { e, _ in if case .labelAddr = e { found = true } }
        return found
    }

    /// The inline-only definitions of `p` an updatable build emits `static
    /// inline`: static inline functions left direct, and C99 inline
    /// definitions (no external definition in the program) whose address is
    /// not taken. Neither has a slot.
    public static func inlineOnly(_ p: Program, direct: [FuncID: String]) -> Set<FuncID> {
        let named = liveAddressTaken(p)
        var out: Set<FuncID> = []
        for f in p.functions where f.isDefinition && f.isInline && !named.contains(f.id) {
            if f.storage == .static && direct[f.id] != nil { out.insert(f.id) }
            if f.storage == .none { out.insert(f.id) }
        }
        return out
    }

    /// Functions whose address the program takes (in code or in a global's initializer).
    public static func addressTaken(_ p: Program) -> Set<FuncID> {
        var out: Set<FuncID> = []
        for f in p.functions where f.isDefinition { out.formUnion(Uses.of(f, in: p).functionsNamed) }
        for g in p.globals { if let ini = g.initializer { out.formUnion(Uses.of(ini, in: p).functionsNamed) } }
        return out
    }

    /// Functions whose address is taken by code that is emitted: a global's
    /// initializer, or a function reachable from one that is not an inline
    /// definition (static or C99 `inline`) — gcc emits those only where they
    /// are referenced, so an address taken only in an unreferenced one is
    /// never taken (20011115-1: `foo == foo` in an unused static inline).
    public static func liveAddressTaken(_ p: Program) -> Set<FuncID> {
        func onlyWhereReferenced(_ f: Function) -> Bool { f.isInline && (f.storage == .static || f.storage == .none) }
        var uses: [FuncID: Uses] = [:]
        for f in p.functions where f.isDefinition { uses[f.id] = Uses.of(f, in: p) }
        var named: Set<FuncID> = []
        for g in p.globals { if let ini = g.initializer { named.formUnion(Uses.of(ini, in: p).functionsNamed) } }
        var reached: Set<FuncID> = []
        var work = p.functions.filter { $0.isDefinition && !onlyWhereReferenced($0) }.map(\.id) + Array(named)
        while let f = work.popLast() {
            guard reached.insert(f).inserted, let u = uses[f] else { continue }
            named.formUnion(u.functionsNamed)
            work += u.functionsNamed
            work += u.directCallees
        }
        return named
    }

    public static func whereAddressTaken(_ id: FuncID, in p: Program) -> String {
        if let g = p.functions.first(where: { $0.isDefinition && Uses.of($0, in: p).functionsNamed.contains(id) }) {
            return "in '\(g.sourceName)'"
        }
        if let g = p.globals.first(where: { $0.initializer.map { Uses.of($0, in: p).functionsNamed.contains(id) } ?? false }) {
            return "in the initializer of '\(g.sourceName)'"
        }
        return "in the program"
    }
}
