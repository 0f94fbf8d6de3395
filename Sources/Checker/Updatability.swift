// Δ at each update point (Specs/updatability.md): what the code still
// running there — the rest of the point's function and each caller's
// continuation — uses as it was compiled. `PatchRules.plan` turns it
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
        /// The first statement still to run there that uses it.
        public var loc: SourceLoc
        /// The activation is the update point's own function (else a caller, at a call into the stack).
        public var atPoint: Bool
    }

    /// An entity of Δ, by identity.
    public enum Entity: Hashable, Sendable {
        case callee(String), type(String), global(String)
    }

    /// The functions (by index) that may be on the stack at some update
    /// point: those that call `graft_update_point` and every possible caller.
    public static func functionsOnStackAtPoints(_ p: Program) -> Set<Int> { Stacks(p).onStackAtPoints() }

    /// UPD-8: the functions that may be on the stack at some update point,
    /// and the calls where such a function may stand there: a call of the
    /// update point, of a function on the stack, and (once a function on
    /// the stack may have been entered through a pointer) an indirect call
    /// or a call of a library function that may call back.
    public static func standing(_ p: Program) -> (functions: Set<Int>, stands: @Sendable (Instr) -> Bool) {
        let s = Stacks(p)
        let onStack = s.onStackAtPoints()
        let byPointer = !onStack.isDisjoint(with: s.addressTaken)
        let point = s.pointFunction, callsBack = s.callsBack
        return (onStack, { i in
            guard case .call(_, let c, _, _) = i else { return false }
            switch c {
            case .direct(let h): return h == point || onStack.contains(h.index) || (byPointer && callsBack.contains(h.index))
            case .indirect: return byPointer
            case .builtin: return false
            }
        })
    }

    /// The call graph of a program, for the activations that may be on the stack at a point.
    public struct Stacks {
        let p: Program
        let uses: [Uses]
        var callers: [Int: Set<Int>] = [:]
        var addressTaken: Set<Int> = []
        let indirectCallers: Set<Int>
        /// Functions that call a library function that may call back into
        /// the program (`mayCallBack`): qsort's comparison, an event
        /// library's handler.
        let externalCallers: Set<Int>
        /// The library functions (by index) that may call back (`mayCallBack`).
        let callsBack: Set<Int>
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
            // A function whose address is taken may also be called by code graft did not build.
            let callsBack = Set(p.functions.indices.filter { Updatability.mayCallBack(p.functions[$0], in: p) })
            self.callsBack = callsBack
            externalCallers = Set(uses.indices.filter { i in uses[i].directCallees.contains { callsBack.contains($0.index) } })
            byIdentity = Dictionary(p.functions.map { ($0.identity, $0.id.index) }, uniquingKeysWith: { a, _ in a })
            pointFunction = p.functions.first { $0.name == BuildManifest.updatePointFunction && !$0.isDefinition }?.id
        }

        /// The functions (by index) that may be on the stack at some update point.
        func onStackAtPoints() -> Set<Int> {
            guard let pf = pointFunction else { return [] }
            var out: Set<Int> = []
            for (i, u) in uses.enumerated() where u.directCallees.contains(pf) { out.formUnion(stack(i)) }
            return out
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
                if addressTaken.contains(x) { next.formUnion(indirectCallers); next.formUnion(externalCallers) }
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
            // A function on the stack may have been entered through a pointer.
            let enteredByPointer = !onStack.isDisjoint(with: addressTaken)
            return order.compactMap { g in
                guard let body = p.functions[g].body else { return nil }
                // Where this activation stands: at the point (its own function), or at a call into the stack.
                let stands: (Instr) -> Bool = { i in
                    guard case .call(_, let c, _, let loc) = i else { return false }
                    switch c {
                    case .direct(let h):
                        if g == f && h == pointFunction && loc == pt.loc { return true }
                        if onStack.contains(h.index) && !(h == pointFunction) { return true }
                        return callsBack.contains(h.index) && enteredByPointer
                    case .indirect: return enteredByPointer
                    case .builtin: return false
                    }
                }
                // A longjmp back to a setjmp before where it stands would run the code in between again.
                let cont = callsSetjmp(body, p) ? [body] : continuation(body, after: stands)
                return (g, cont, enclosingLoops(body, at: stands))
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
    /// slot and runs new code. The frame's by-value locals count where the
    /// code still to run declares them, or reads or writes them whole or
    /// field by field: the update converts them as it converts any object
    /// (REP-4, REP-5), new code reaches them through their address, and
    /// only that old code sees their old layout.
    public static func deltas(_ p: Program, points: [UpdatePoint]) -> [Int: Delta] {
        let s = Stacks(p)
        var out: [Int: Delta] = [:]
        for pt in points {
            guard let frames = s.frames(pt) else { continue }
            var d = Delta()
            for (g, cont, _) in frames {
                var u = Uses(in: p.functions[g], countingLocals: true)
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
        var all = Uses(in: fn, countingLocals: true)
        all.stmt(s, p)
        guard pred(all) else { return nil }
        func own(_ e: Expr) -> Bool { var u = Uses(in: fn, countingLocals: true); u.expr(e, p); return pred(u) }
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
    /// Whether a library function (declared, not defined in the program)
    /// may call back into the program's code: it may when it is not
    /// prototyped, when it is handed a pointer to anything but characters
    /// (a callback, an object holding one, a library's handle that holds
    /// the ones registered before: `qsort(a, n, sz, cmp)`,
    /// `event_base_dispatch(base)`, `fflush(fp)` with a cookie stream), or
    /// when it runs handlers registered earlier (`exit`, `raise`). `graft_*`
    /// and the update point are the runtime's and call nothing back.
    public static func mayCallBack(_ f: Function, in p: Program) -> Bool {
        guard f.body == nil, !f.name.hasPrefix("graft_"), f.name != BuildManifest.updatePointFunction else { return false }
        if ["exit", "quick_exit", "raise", "kill", "pthread_kill", "tgkill", "pthread_exit"].contains(f.name) { return true }
        if neverCallsBack.contains(f.name) { return false }
        guard f.type.hasPrototype else { return true }
        return f.type.params.contains { t in
            guard case .pointer(let e) = p.unroll(t) else { return false }
            var u = p.unroll(e)
            while case .qualified(let inner, _) = u { u = p.unroll(inner) }
            if case .int(let k) = u, [.char, .schar, .uchar].contains(k) { return false }
            return true
        }
    }

    /// UPD-7: the functions (by index) a signal handler may run, each with
    /// the handler it is reached from. A handler is a function named in a
    /// call of `signal` (or `sigset`, `bsd_signal`, `sysv_signal`) and, once
    /// the program calls `sigaction` or registers a handler held in a
    /// variable, every function whose address it takes and whose type is a
    /// handler's (`void (int)`, `void (int, siginfo_t *, void *)`): `struct
    /// sigaction` is filled field by field, in a global's initializer or
    /// through a pointer, which no call names. From a
    /// handler: its direct callees, and at an indirect call every function
    /// whose address is taken.
    public static func signalReach(_ p: Program) -> [Int: Int] {
        let registers: Set<String> = ["signal", "sigset", "bsd_signal", "sysv_signal", "__sysv_signal"]
        var handlers: Set<Int> = []
        var byType = false  // a handler no call names
        let uses = p.functions.map { $0.isDefinition ? Uses.of($0, in: p) : Uses() }
        let taken = Slots.addressTaken(p).map(\.index).sorted()
        for f in p.functions {
            guard let body = f.body else { continue }
            Walk.instructions(in: body) { ins in
                guard case .call(_, .direct(let g), let args, _) = ins else { return }
                let name = p.functions[g.index].name
                if name == "sigaction" { byType = true }
                guard registers.contains(name), args.count >= 2 else { return }
                var e = args[1]
                while case .cast(_, let inner) = e { e = inner }
                if case .function(let h) = e { handlers.insert(h.index) } else { byType = true }
            }
        }
        if byType {
            handlers.formUnion(taken.filter { isHandlerType(p.functions[$0].type, in: p) })
        }
        var reach: [Int: Int] = [:]
        for h in handlers.sorted() {
            for f in Self.reach(from: [h], uses: uses, addressTaken: taken) where reach[f] == nil { reach[f] = h }
        }
        return reach
    }

    /// The functions (by index) that code of `roots` may run: the roots,
    /// their direct callees and, at an indirect call, every function of
    /// `addressTaken`, transitively (UPD-7's handlers, PATCH-10's code that
    /// runs after an update point).
    public static func reach(from roots: [Int], uses: [Uses], addressTaken: [Int]) -> Set<Int> {
        var work = roots, out: Set<Int> = []
        while let f = work.popLast() {
            guard out.insert(f).inserted else { continue }
            work += uses[f].directCallees.map(\.index)
            if uses[f].callsIndirectly { work += addressTaken }
        }
        return out
    }

    /// `void (int)` or `void (int, T *, void *)`: the types of a signal handler.
    static func isHandlerType(_ t: FunctionType, in p: Program) -> Bool {
        guard case .void = p.unroll(t.result), let first = t.params.first, case .int = p.unroll(first) else { return false }
        switch t.params.count {
        case 1: return true
        case 3:
            if case .pointer = p.unroll(t.params[1]), case .pointer = p.unroll(t.params[2]) { return true }
            return false
        default: return false
        }
    }

    /// C library functions that take pointers but never call the program's code.
    static let neverCallsBack: Set<String> = [
        "memset", "memcpy", "memmove", "memcmp", "memchr", "bzero", "explicit_bzero",
        "malloc", "calloc", "realloc", "reallocarray", "free", "posix_memalign", "aligned_alloc",
        "strtol", "strtoul", "strtoll", "strtoull", "strtod", "strtof", "strtold", "strtoimax", "strtoumax",
        "read", "write", "pread", "pwrite", "readv", "writev", "recv", "send", "recvfrom", "sendto", "recvmsg", "sendmsg",
        "accept", "accept4", "bind", "connect", "getsockopt", "setsockopt", "getsockname", "getpeername",
        "poll", "ppoll", "select", "pselect", "epoll_wait", "epoll_ctl", "pipe", "pipe2", "socketpair",
        "time", "gettimeofday", "clock_gettime", "nanosleep", "localtime", "gmtime", "localtime_r", "gmtime_r", "mktime",
        "stat", "fstat", "lstat", "getrlimit", "setrlimit", "uname", "sysinfo", "getaddrinfo", "freeaddrinfo",
        "inet_pton", "inet_ntop", "sigemptyset", "sigfillset", "sigaddset", "sigdelset", "sigprocmask", "pthread_sigmask",
        "fread", "fwrite", "fclose", "fgets", "fputs", "fputc", "fgetc", "fprintf", "vfprintf", "fscanf", "fseek", "ftell",
        "setvbuf", "setbuf", "fileno", "feof", "ferror", "clearerr", "getline", "getdelim", "vsnprintf", "vsprintf",
        "sscanf", "vsscanf", "wait", "waitpid", "pthread_mutex_lock", "pthread_mutex_unlock", "pthread_mutex_init",
        "pthread_join", "pthread_self", "getrusage", "times", "sysconf",
    ]

    /// Whether `body` calls setjmp (any of its forms): a longjmp may come back to it.
    static func callsSetjmp(_ body: Stmt, _ p: Program) -> Bool {
        var found = false
        Walk.instructions(in: body) { i in
            guard case .call(_, let c, _, _) = i else { return }
            let name: String
            switch c {
            case .direct(let f): name = p.functions[f.index].name
            case .builtin(let b): name = b
            case .indirect: return
            }
            if ["setjmp", "_setjmp", "sigsetjmp", "__sigsetjmp", "__builtin_setjmp", "savectx", "getcontext"].contains(name) { found = true }
        }
        return found
    }

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
        // A break or continue in the code that follows may leave for code further out.
        func leaves(_ s: Stmt) -> Bool {
            switch s {
            case .break, .continue: return true
            case .block(let ss): return ss.contains(where: leaves)
            case .if(_, let t, let e, _): return leaves(t) || (e.map(leaves) ?? false)
            case .loop(let b, let n, _): return leaves(b) || (n.map(leaves) ?? false)
            case .switch(_, let b, _): return leaves(b)
            default: return false
            }
        }
        var out: [Stmt] = []
        enum Hit { case none, hit, returned }
        // Either way: code further out runs unless both ways return (or one does not match).
        func join(_ a: Hit, _ b: Hit) -> Hit {
            if a == .hit || b == .hit { return .hit }
            return a == .none ? b : a
        }
        // Whether `s` contains a match, and whether control then leaves the
        // function before it reaches code further out (an unconditional
        // return after the match, with no break or continue before it);
        // collects what follows the match on the way out.
        func walk(_ s: Stmt) -> Hit {
            switch s {
            case .instr(let i):
                guard at(i) else { return .none }
                // The call stores its result when it returns: that store is still to run.
                if case .call(let r?, _, _, let loc) = i { out.append(.instr(.call(result: r, callee: .builtin("graft_returned"), args: [], loc))) }
                return .hit
            case .block(let ss):
                var hit = Hit.none, mayLeave = false
                for x in ss {
                    switch hit {
                    case .none: hit = walk(x)
                    case .hit:
                        out.append(x)
                        if case .return = x, !mayLeave { hit = .returned }
                        mayLeave = mayLeave || leaves(x)
                    case .returned: return .returned
                    }
                }
                return hit
            case .if(_, let t, let e, _):
                return join(walk(t), e.map(walk) ?? .none)
            case .loop(let b, let n, _):
                let hit = join(walk(b), n.map(walk) ?? .none)
                if hit == .hit { out.append(s) }
                return hit
            case .switch(_, let b, _):
                return walk(b)
            default:
                return .none
            }
        }
        let found = walk(body) != .none
        return found ? out : [body]
    }
}
