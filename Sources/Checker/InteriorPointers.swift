// PATCH-7 (Specs/patch.md): a field whose address the running program
// takes must keep its place, its type and its object when a patch
// converts the struct around it. A pointer kept across the update — in a
// global, in a frame on the stack, in a library that holds `&conn->ev` —
// was computed from the old layout; a conversion that moves the field (or
// the whole payload, onto the heap: REP-5) leaves it pointing at bytes that
// mean something else. Conversions are lazy, so graft cannot find and fix
// such pointers; it refuses the patch instead.
//
// What a value may point into is followed through the program (`Fact`):
// through casts, pointer arithmetic, `?:`, every function's locals
// (flow-insensitive), parameters and results of the program's functions
// (a fixpoint over direct calls). An address into a struct is
//   - `&lv` or an array decay of an lvalue whose path goes through a field;
//   - a struct's address seen as a pointer to another type than the struct,
//     `char` or `void` (`long *hits = (void *)ctr`: its first field), after
//     byte arithmetic (`(char *)(void *)c + off`: any field), or as an
//     integer (any field);
//   - a `void *` graft does not follow (a parameter of a function called
//     from outside, a global, a field, a library's result) seen as such a
//     pointer: the first field of that type (after byte arithmetic, any
//     field) of every struct whose address the program lets go as a
//     `void *` into memory or to code it does not follow.
// It is *kept* when it may outlive an update point:
//   - stored anywhere but in a local (or in a local whose address is
//     taken), returned, or in a static initializer;
//   - held in a local (a parameter, a local's initializer) of a function
//     that may be on the stack at an update point (`onStack`);
//   - passed to an external function that may keep it (any but the C
//     library's functions that only read or write through their arguments,
//     `transient`) or through a function pointer;
//   - the result of `strchr`-like functions that return a pointer into their
//     argument, when it is kept as above.
// A field used only through `p->f` (read, written, called) is not counted.
// Limits: an address stored as bytes (`memcpy(&g, &p, sizeof p)`) or
// through an out-parameter (`strtol`'s end pointer) is not seen.

import IR

public enum InteriorPointers {
    /// C library functions that only read or write through their pointer
    /// arguments during the call.
    static let transient: Set<String> = [
        "memcpy", "memmove", "memset", "memcmp", "memchr", "strcpy", "strncpy", "strcat", "strncat", "strcmp",
        "strncmp", "strcasecmp", "strncasecmp", "strlen", "strnlen", "strchr", "strrchr", "strstr", "strpbrk",
        "strspn", "strcspn", "strdup", "strndup", "printf", "fprintf", "sprintf", "snprintf", "vprintf",
        "vfprintf", "vsnprintf", "vsprintf", "sscanf", "puts", "fputs", "fwrite", "fread", "fgets", "read",
        "write", "recv", "send", "recvfrom", "sendto", "atoi", "atol", "atoll", "strtol", "strtoul", "strtoll",
        "strtoull", "strtod", "free", "inet_pton", "inet_ntop", "qsort", "bsearch", "getsockopt", "setsockopt",
        "bind", "connect", "accept", "accept4", "getsockname", "getpeername", "clock_gettime", "gettimeofday",
        "time", "localtime_r", "gmtime_r", "strftime", "stat", "fstat", "lstat", "poll", "select", "epoll_ctl",
        "epoll_wait", "pipe", "pipe2", "writev", "readv", "sigaction", "sigemptyset", "sigaddset",
    ]
    /// Of those, the ones whose result points into their first argument.
    static let intoArgument: Set<String> = ["strchr", "strrchr", "strstr", "strpbrk", "memchr"]

    /// A field whose address the program keeps: where it does so first, and,
    /// when the address is not written `&lv`, how it is made.
    public struct Use: Hashable, Sendable {
        public var loc: SourceLoc
        public var how: String?
        public init(_ loc: SourceLoc, how: String? = nil) { self.loc = loc; self.how = how }
    }

    /// What a value may point into, for PATCH-7.
    enum Fact: Hashable {
        /// The address of field `i` of a T (or of something inside it).
        case field(RecordID, Int)
        /// The address of a T, held as another type (`void *`, an integer).
        case start(RecordID)
        /// An address inside a T at an offset graft does not follow (byte arithmetic, an integer).
        case inside(RecordID)
        /// A pointer from where graft does not follow it (a parameter of a
        /// function called from outside, a global, memory, a library's
        /// result), and the same moved by byte arithmetic.
        case unknown, unknownInside
        /// Such a pointer seen as a pointer to S: the first field of type S
        /// (moved: any field holding an S) of every struct whose address the
        /// program lets go untracked (`escaped`).
        case view(CType), viewInside(CType)
        /// The address of global g, or of something inside it (PATCH-3).
        case global(GlobalID)
    }

    /// For each record, the fields (by index) that the program's code reaches
    /// around the record's con function — through a view of an object's
    /// address as another type (`long *h = raw` where raw holds a `struct
    /// counter *`), an integer, or the first-member idiom through `void *` —
    /// wherever it does so, kept or not, with the first place. Run on NEW:
    /// such code, applied to an object the running program made, sees its
    /// bytes as they are, not converted (PATCH-7).
    public static func views(in p: Program) -> [RecordID: [Int: Use]] {
        analyze(p, onStack: []).views
    }

    /// What the program keeps (see above), each with the first place it
    /// does so: for each record, the fields (by index) whose address it
    /// keeps (PATCH-7); and the globals whose address it keeps (PATCH-3; a
    /// pointer a function returns counts only where its caller keeps it).
    /// `onStack`: the functions (by index) that may be on the stack at an
    /// update point.
    public static func kept(in p: Program, onStack: Set<Int>) -> (fields: [RecordID: [Int: Use]], globals: [GlobalID: Use]) {
        let a = analyze(p, onStack: onStack)
        return (a.taken, a.globals)
    }

    static func analyze(_ p: Program, onStack: Set<Int>) -> (taken: [RecordID: [Int: Use]], views: [RecordID: [Int: Use]], globals: [GlobalID: Use]) {
        var out: [RecordID: [Int: Use]] = [:], views: [RecordID: [Int: Use]] = [:]
        var globals: [GlobalID: Use] = [:]
        var viewing = false
        func noteField(_ r: RecordID, _ i: Int, _ use: Use) {
            if viewing { if views[r]?[i] == nil { views[r, default: [:]][i] = use } }
            else if out[r]?[i] == nil { out[r, default: [:]][i] = use }
        }
        func record(_ t: CType) -> RecordID? {
            if case .record(let id) = p.unroll(t), p[id].fields != nil { return id }
            return nil
        }
        /// The records whose first member (transitively) is a U, by U.
        var firstOf: [RecordID: [RecordID]] = [:]
        for r in p.records {
            var cur = r.id, seen: Set<RecordID> = []
            while seen.insert(cur).inserted, let f = p[cur].fields?.first, f.offsetBits == 0, f.bitWidth == nil, let inner = record(f.type) {
                firstOf[inner, default: []].append(r.id)
                cur = inner
            }
        }
        func isByte(_ t: CType) -> Bool {
            switch p.valueType(t) {
            case .void: return true
            case .int(let k): return k == .char || k == .schar || k == .uchar
            default: return false
            }
        }
        /// An object of type `f` may be accessed at its start through an
        /// lvalue of type `s`: the same scalar (signedness aside), any two
        /// pointers, or `s` fits the first element or first member of `f`.
        func fits(_ s: CType, _ f: CType, depth: Int = 0) -> Bool {
            let a = p.valueType(s), b = p.valueType(f)
            switch (a, b) {
            case let (.int(x), .int(y)): if x.size == y.size { return true }
            case let (.float(x), .float(y)): if x == y { return true }
            case (.pointer, .pointer): return true
            case let (.record(x), .record(y)): if x == y { return true }
            default: break
            }
            guard depth < 16 else { return true }
            switch b {
            case .array(let e, _): return fits(s, e, depth: depth + 1)
            case .record(let r):
                if let g = p[r].fields?.first, g.offsetBits == 0, g.bitWidth == nil { return fits(s, g.type, depth: depth + 1) }
            default: break
            }
            return false
        }
        /// An object of type `f` holds an S somewhere.
        func holds(_ s: CType, _ f: CType, depth: Int = 0) -> Bool {
            if fits(s, f) { return true }
            guard depth < 16 else { return true }
            switch p.valueType(f) {
            case .array(let e, _): return holds(s, e, depth: depth + 1)
            case .record(let r): return (p[r].fields ?? []).contains { holds(s, $0.type, depth: depth + 1) }
            default: return false
            }
        }
        func spell(_ t: CType) -> String {
            switch t {
            case .void: return "void"
            case .int(let k): return k.spelling
            case .float(let k): return k.spelling
            case .pointer(let x): return spell(x) + " *"
            case .record(let r): return "\(p[r].kind) \(p[r].tag)"
            case .typedef(let d): return p[d].name
            case .qualified(let x, _), .atomic(let x): return spell(x)
            case .enumeration(let e): return "enum \(p[e].tag)"
            default: return "…"
            }
        }

        /// The C library function an external callee stands for (`__builtin_strchr`
        /// is `strchr`); nil for the program's own functions and indirect calls.
        func libraryName(_ c: Callee) -> String? {
            switch c {
            case .direct(let g): return p[g].body == nil ? p[g].sourceName : nil
            case .builtin(let name): return name.hasPrefix("__builtin_") ? String(name.dropFirst("__builtin_".count)) : name
            case .indirect: return nil
            }
        }
        func keeps(_ c: Callee) -> Bool {
            if case .indirect = c { return true }
            return libraryName(c).map { !transient.contains($0) } ?? false
        }
        func defined(_ c: Callee) -> FuncID? {
            if case .direct(let g) = c, p[g].body != nil { return g }
            return nil
        }
        func nonRecordPointer(_ t: CType) -> Bool { p.pointee(t).map { record($0) == nil } ?? false }

        /// The facts of `e` in function `fn` (nil: a static initializer), given its locals' facts.
        func facts(_ e: Expr, _ fn: Function?, _ locals: [LocalID: Set<Fact>]) -> Set<Fact> {
            func of(_ x: Expr) -> Set<Fact> { facts(x, fn, locals) }
            switch e {
            case .addrOf(let lv), .startOf(let lv):
                var s: Set<Fact> = []
                var onField = false
                for o in lv.offsets { if case .field(let r, let i) = o { s.insert(.field(r, i)); onField = true } }
                if case .global(let g) = lv.host { s.insert(.global(g)) }
                if case .mem(let x) = lv.host {
                    // `&x->f` points into what x points to; `&x[i]` is x moved within its array.
                    let fx = of(x)
                    s.formUnion(onField ? fx.filter {
                        switch $0 { case .field, .inside, .global: return true; default: return false }
                    } : fx)
                }
                var t = p.typeOf(lv, in: fn)
                while case .array(let el, _) = p.unroll(t) { t = el }
                if let r = record(t) { s.insert(.start(r)) }
                return s
            case .cast(let to, let a):
                var s = of(a)
                let fromPointee = p.pointee(p.typeOf(a, in: fn))
                if let fp = fromPointee, let r = record(fp) { s.insert(.start(r)) }
                if case .int = p.valueType(to) {
                    // An integer holding an address: any field may be reached from it.
                    return Set(s.map { if case .start(let r) = $0 { return .inside(r) }; return $0 })
                }
                guard let tp = p.pointee(to), !isByte(tp), fromPointee.map({ p.valueType($0) != p.valueType(tp) }) ?? true else { return s }
                // The address seen as a pointer to another type than its own, char or void.
                var r: Set<Fact> = []
                let target = record(tp)
                for x in s {
                    switch x {
                    case .field, .inside, .view, .viewInside, .global: r.insert(x)
                    case .start(let t):
                        if target == t { r.insert(x) }
                        else if let v = target, (firstOf[t] ?? []).contains(v) { continue }   // T is V's first member: V's address
                        else { r.insert(.field(t, 0)) }
                    case .unknown: if target == nil { r.insert(.view(p.valueType(tp))) }
                    case .unknownInside: if target == nil { r.insert(.viewInside(p.valueType(tp))) }
                    }
                }
                return r
            case .binary(let op, let a, let b, _):
                switch op {
                case .ptrAdd, .ptrSub:
                    let s = of(a)
                    guard let pt = p.pointee(p.typeOf(a, in: fn)), isByte(pt) else { return s }
                    // Byte arithmetic: anywhere in the records it points into.
                    return Set(s.map { x -> Fact in
                        switch x {
                        case .start(let r), .field(let r, _): return .inside(r)
                        case .unknown: return .unknownInside
                        default: return x
                        }
                    })
                case .lt, .gt, .le, .ge, .eq, .ne, .logAnd, .logOr, .ptrDiff: return []
                default: return of(a).union(of(b))
                }
            case .unary(let op, let a, _): return op == .logNot ? [] : of(a)
            case .current(_, let a), .pinned(_, _, let a): return of(a)
            case .cond(_, let a, let b, _): return of(a).union(of(b))
            case .read(let lv):
                if case .local(let id) = lv.host { return locals[id] ?? [] }
                return nonRecordPointer(p.typeOf(lv, in: fn)) ? [.unknown] : []
            case .compoundLiteral(_, let ini): return initExprs(ini).reduce(into: []) { $0.formUnion(of($1)) }
            case .const, .function, .labelAddr, .sizeOf, .alignOf: return []
            }
        }

        // Functions that code graft does not follow may call: their parameters are ⊤.
        var open: Set<FuncID> = []
        Walk.expressions(in: p) { e, _, _ in if case .function(let g) = e { open.insert(g) } }
        let dlopen = p.functions.contains { $0.body == nil && ($0.sourceName == "dlopen" || $0.sourceName == "dlmopen") }
        for f in p.functions where f.body != nil && (f.sourceName == "main" || (dlopen && f.storage != .static)) { open.insert(f.id) }

        /// Allocators: their result is fresh memory, no one's field.
        let fresh: Set<String> = ["malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "strdup", "strndup"]

        /// One function's assignments to its locals, and its locals whose address it takes.
        enum Source { case expr(Expr), call(Callee, [Expr], CType), opaque(CType), start(RecordID) }
        struct Body { var sources: [(LocalID, Source)] = []; var copies: [(LocalID, LocalID)] = []; var addressTaken: Set<LocalID> = [] }
        var bodies: [FuncID: Body] = [:]
        for f in p.functions {
            guard let body = f.body else { continue }
            var b = Body()
            func local(_ e: Expr) -> LocalID? {
                switch e {
                case .read(let lv): if lv.offsets.isEmpty, case .local(let id) = lv.host { return id }; return nil
                case .cast(_, let a): return local(a)
                default: return nil
                }
            }
            Walk.expressions(in: body, at: f.loc) { e, _ in
                switch e {
                case .addrOf(let lv), .startOf(let lv): if case .local(let id) = lv.host { b.addressTaken.insert(id) }
                case .cast(let to, let a):
                    // The memory a `void *` local points to, seen as a T (`void *m = malloc(…); t = m; …`): a T.
                    if let id = local(a), let tp = p.pointee(to), let r = record(tp), nonRecordPointer(f.locals[id.index].type) {
                        b.sources.append((id, .start(r)))
                    }
                default: break
                }
            }
            func assign(_ lv: LValue, _ s: Source) {
                guard case .local(let id) = lv.host else { return }
                b.sources.append((id, s))
                if case .expr(let e) = s, lv.offsets.isEmpty, let from = local(e) { b.copies.append((id, from)) }
            }
            func stmt(_ s: Stmt) {
                switch s {
                case .local(let id, let ini?, _):
                    if case .expr(let e) = ini { assign(LValue(.local(id), []), .expr(e)) }
                    else { for e in initExprs(ini) { b.sources.append((id, .expr(e))) } }
                case .instr(.assign(let lv, let e, _)): assign(lv, .expr(e))
                case .instr(.call(let r?, let c, let args, _)): assign(r, .call(c, args, p.typeOf(r, in: f)))
                case .instr(.vaArg(let r, _, _)): assign(r, .opaque(p.typeOf(r, in: f)))
                case .instr(.asm(let a, _)): for o in a.outputs { if let lv = o.lvalue { assign(lv, .opaque(p.typeOf(lv, in: f))) } }
                case .block(let ss): ss.forEach(stmt)
                case .if(_, let t, let e, _): stmt(t); if let e { stmt(e) }
                case .loop(let body, let n, _): stmt(body); if let n { stmt(n) }
                case .switch(_, let body, _): stmt(body)
                default: break
                }
            }
            stmt(body)
            bodies[f.id] = b
        }

        // Facts of every function's locals, parameters and result, to a fixpoint over direct calls.
        var params: [FuncID: [Set<Fact>]] = [:]
        var results: [FuncID: Set<Fact>] = [:]
        var flows: [FuncID: [LocalID: Set<Fact>]] = [:]
        func localFixpoint(_ f: Function) -> [LocalID: Set<Fact>] {
            let b = bodies[f.id]!
            var locals: [LocalID: Set<Fact>] = [:]
            for (k, id) in f.params.enumerated() {
                var s = params[f.id]?[k] ?? []
                if open.contains(f.id), nonRecordPointer(f.locals[id.index].type) { s.insert(.unknown) }
                locals[id] = s
            }
            var changed = true
            while changed {
                changed = false
                for (id, src) in b.sources {
                    let add: Set<Fact>
                    switch src {
                    case .expr(let e): add = facts(e, f, locals)
                    case .start(let r): add = [.start(r)]
                    case .opaque(let t): add = nonRecordPointer(t) ? [.unknown] : []
                    case .call(let c, let args, let t):
                        if let g = defined(c) { add = results[g] ?? [] }
                        else if let name = libraryName(c), intoArgument.contains(name), let a = args.first {
                            add = Set(facts(a, f, locals).map { if case .start(let r) = $0 { return .inside(r) }; return $0 })
                        } else if let name = libraryName(c), fresh.contains(name) { add = [] }
                        else { add = nonRecordPointer(t) ? [.unknown] : [] }
                    }
                    let before = locals[id] ?? []
                    if !add.isSubset(of: before) { locals[id] = before.union(add); changed = true }
                }
                // Copies share the T their memory is seen as.
                for (a, c) in b.copies {
                    let sa = (locals[a] ?? []).filter { if case .start = $0 { return true }; return false }
                    let sc = (locals[c] ?? []).filter { if case .start = $0 { return true }; return false }
                    if !sa.isSubset(of: locals[c] ?? []) { locals[c, default: []].formUnion(sa); changed = true }
                    if !sc.isSubset(of: locals[a] ?? []) { locals[a, default: []].formUnion(sc); changed = true }
                }
            }
            return locals
        }
        var changed = true
        while changed {
            changed = false
            for f in p.functions where f.body != nil {
                let locals = localFixpoint(f)
                flows[f.id] = locals
                var ret: Set<Fact> = []
                Walk.returns(in: f.body!) { e in ret.formUnion(facts(e, f, locals)) }
                if ret != results[f.id] ?? [] { results[f.id] = ret; changed = true }
                Walk.instructions(in: f.body!) { i in
                    guard case .call(_, let c, let args, _) = i, let g = defined(c) else { return }
                    var ps = params[g] ?? Array(repeating: [], count: p[g].params.count)
                    for (k, a) in args.enumerated() where k < ps.count {
                        let s = facts(a, f, locals)
                        if !s.isSubset(of: ps[k]) { ps[k].formUnion(s); changed = true }
                    }
                    params[g] = ps
                }
            }
        }

        /// Calls `site` on every place of `f` where a value may outlive an
        /// update point; `untracked` on the ones where it goes where graft does
        /// not follow it (memory, a library, a caller it does not see).
        /// `kept`'s third argument: the value is only returned, and every caller
        /// is followed (the function is not called from outside): a caller that
        /// keeps it is a site of its own.
        func sites(_ f: Function, kept: (Expr, SourceLoc, Bool) -> Void, untracked: (Expr, SourceLoc) -> Void) {
            guard let body = f.body else { return }
            let held = onStack.contains(f.id.index), taken = bodies[f.id]!.addressTaken
            func isLocal(_ lv: LValue) -> Bool {
                guard case .local(let id) = lv.host else { return false }
                return !taken.contains(id)
            }
            Walk.instructions(in: body) { i in
                switch i {
                case .assign(let lv, let e, let loc):
                    if !isLocal(lv) { kept(e, loc, false); untracked(e, loc) } else if held { kept(e, loc, false) }
                case .call(let r, let c, let args, let loc):
                    if defined(c) == nil, keeps(c) { args.forEach { kept($0, loc, false); untracked($0, loc) } }
                    if let r, !isLocal(r) || held, let first = args.first, libraryName(c).map(intoArgument.contains) == true {
                        kept(first, loc, false)
                    }
                case .vaArg, .asm, .note:
                    break
                }
            }
            Walk.returns(in: body) { e in
                kept(e, f.loc, !open.contains(f.id))
                if open.contains(f.id) { untracked(e, f.loc) }
            }
            func inits(_ s: Stmt) {
                switch s {
                case .local(let id, let ini?, let loc):
                    if held || taken.contains(id) { for e in initExprs(ini) { kept(e, loc, false) } }
                    if taken.contains(id) { for e in initExprs(ini) { untracked(e, loc) } }
                case .block(let ss): ss.forEach(inits)
                case .if(_, let t, let e, _): inits(t); if let e { inits(e) }
                case .loop(let b, let n, _): inits(b); if let n { inits(n) }
                case .switch(_, let b, _): inits(b)
                default: break
                }
            }
            inits(body)
            // A frame on the stack at an update point keeps its parameters.
            if held { for id in f.params { kept(.read(LValue(.local(id), [])), f.loc, false) } }
        }

        // The structs whose address goes where graft does not follow it: what a ⊤ pointer may be.
        var escaped: Set<RecordID> = [], escapedInside: Set<RecordID> = []
        func escape(_ s: Set<Fact>) {
            for x in s {
                switch x {
                case .start(let r): escaped.insert(r)
                case .inside(let r), .field(let r, _): escapedInside.insert(r)
                default: break
                }
            }
        }
        for g in p.globals { if let i = g.initializer { for e in initExprs(i) { escape(facts(e, nil, [:])) } } }
        for f in p.functions where f.body != nil {
            let locals = flows[f.id]!
            sites(f, kept: { _, _, _ in }, untracked: { e, _ in escape(facts(e, f, locals)) })
        }
        // A T at the start of an escaped struct escapes with it; one anywhere inside it, inside.
        var firstClosure: Set<RecordID> = [], heldClosure: Set<RecordID> = []
        for r in escaped {
            var cur = r, seen: Set<RecordID> = []
            while seen.insert(cur).inserted {
                firstClosure.insert(cur)
                guard let f = p[cur].fields?.first, f.offsetBits == 0, f.bitWidth == nil, let inner = record(f.type) else { break }
                cur = inner
            }
        }
        var work = Array(escaped.union(escapedInside))
        while let r = work.popLast() {
            guard heldClosure.insert(r).inserted else { continue }
            for f in p[r].fields ?? [] {
                var t = f.type
                while case .array(let e, _) = p.unroll(t) { t = e }
                if let inner = record(t) { work.append(inner) }
            }
        }

        /// The fields a kept value may point into.
        /// `globalsToo`: a global's address counts (PATCH-3); not for a value
        /// only returned to callers that are followed.
        func keep(_ s: Set<Fact>, _ use: Use, globalsToo: Bool = true) {
            for x in s {
                switch x {
                case .field(let r, let i): noteField(r, i, use)
                case .inside(let r): for i in (p[r].fields ?? []).indices { noteField(r, i, use) }
                case .view(let t):
                    for r in firstClosure.sorted() {
                        if let f = p[r].fields?.first, f.offsetBits == 0, f.bitWidth == nil, fits(t, f.type) { noteField(r, 0, use) }
                    }
                case .viewInside(let t):
                    for r in heldClosure.sorted() {
                        for (i, f) in (p[r].fields ?? []).enumerated() where holds(t, f.type) { noteField(r, i, use) }
                    }
                case .global(let g):
                    if !viewing, globalsToo, globals[g] == nil { globals[g] = use }
                default: break
                }
            }
        }
        /// How a kept value that is not `&lv` was made, for the diagnostic.
        func how(_ e: Expr, _ fn: Function?) -> String? {
            var e = e
            while case .cast(_, let a) = e, case .cast = a { e = a }
            guard case .cast(let to, let a) = e, let tp = p.pointee(to) else { return nil }
            let inner = p.typeOf(a, in: fn)
            if let fn, case .read(let lv) = a, case .local(let id) = lv.host, lv.offsets.isEmpty {
                return "as a `\(spell(tp)) *` made from `\(fn.locals[id.index].sourceName)`, a `\(spell(inner))`"
            }
            return "as a `\(spell(tp)) *` made from a `\(spell(inner))`"
        }

        // Two ways to reach a field without `&`, counted wherever they occur:
        // the address of a T converted to an integer (`(uintptr_t)c +
        // offsetof(struct T, f)` reaches any field: all of T's count), and a
        // `void *` converted to a pointer to a struct U that is the first
        // member of T (the first-member idiom through `void *`: T's first
        // field counts). Any other view of T's address (a `long *` made from
        // it through `void *`) counts when it is kept (below).
        for pass in [false, true] {
            viewing = pass
            Walk.expressions(in: p) { e, loc, fn in
                guard case .cast(let to, let inner) = e else { return }
                let locals = fn.flatMap { flows[$0.id] } ?? [:]
                if case .int(let k) = p.unroll(to), k != .bool {
                    var starts = facts(inner, fn, locals).compactMap { if case .start(let r) = $0 { return r }; return nil }
                    if let pt = p.pointee(p.typeOf(inner, in: fn)), let r = record(pt) { starts.append(r) }
                    for r in starts { for i in (p[r].fields ?? []).indices { noteField(r, i, Use(loc, how: "as an integer")) } }
                } else if let fromPointee = p.pointee(p.typeOf(inner, in: fn)), case .void = p.unroll(fromPointee),
                          let pt = p.pointee(to), let u = record(pt) {
                    for t in firstOf[u] ?? [] { noteField(t, 0, Use(loc, how: "as a `struct \(p[u].tag) *` made from a `void *`")) }
                } else if viewing {
                    // A view the conversion itself makes (not one its operand already was).
                    var before = facts(inner, fn, locals)
                    if let pt = p.pointee(p.typeOf(inner, in: fn)), let r = record(pt) { before.insert(.start(r)) }
                    keep(facts(e, fn, locals).subtracting(before), Use(loc, how: how(e, fn)))
                }
            }
        }
        viewing = false
        for g in p.globals { if let i = g.initializer { for e in initExprs(i) { keep(facts(e, nil, [:]), Use(g.loc)) } } }
        for f in p.functions where f.body != nil {
            let locals = flows[f.id]!
            sites(f, kept: { e, loc, viaCallers in keep(facts(e, f, locals), Use(loc, how: how(e, f)), globalsToo: !viaCallers) },
                  untracked: { _, _ in })
        }
        return (out, views, globals)
    }

    /// PATCH-7: the refusals for converting `old` (of the running program,
    /// fields whose address it takes: `taken`) to `new`. `sameType` says
    /// whether a field's old and new types are the same type; `movesToHeap`
    /// whether the new payload outgrows the old objects' room (REP-5).
    /// PATCH-7: the refusals for converting `old` to `new` when NEW's code
    /// reaches fields of `new` around its con function (`views`, by NEW's
    /// field index; `InteriorPointers.views`): on an object the running
    /// program made, that code sees the bytes as they are — in the old
    /// layout until the object is converted, the old bytes once its value
    /// moved to the heap (REP-5). Such a field must be one the old layout has
    /// at the same place with the same type, and the struct must not grow.
    public static func viewedFields(old: Record, new: Record, views: [Int: Use], movesToHeap: Bool,
                                    sameType: (CType, CType) -> Bool) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let fields = new.fields ?? []
        for (i, use) in views.sorted(by: { $0.key < $1.key }) where i < fields.count {
            let n = fields[i]
            let name = n.name ?? "#\(i)"
            let at = use.how.map { "at \(use.loc), \($0)" } ?? "at \(use.loc)"
            let what = "struct \(new.tag) field '\(name)': NEW's code reaches it without going through struct \(new.tag)'s con function (\(at)); on an object the running program made it would"
            let fix = "reach it as `p->\(name)` through a `struct \(new.tag) *`"
            guard !movesToHeap else {
                out.append(Diagnostic(.error, new.loc, "\(what) see the old bytes once the patch moves every struct \(new.tag) to the heap (it grows past its objects' room); keep the struct within its room, or \(fix)", rule: "PATCH-7"))
                continue
            }
            guard let f = (old.fields ?? []).first(where: { $0.name != nil && $0.name == n.name }) else {
                out.append(Diagnostic(.error, new.loc, "\(what) read bytes of the old layout, which has no '\(name)', until the object is converted; \(fix)", rule: "PATCH-7"))
                continue
            }
            if n.offsetBits != f.offsetBits || n.bitWidth != f.bitWidth || !sameType(f.type, n.type) {
                let how = n.offsetBits != f.offsetBits ? "'\(name)' is at byte \(f.offsetBits / 8) of the old layout, not \(n.offsetBits / 8)" : "'\(name)' has another type in the old layout"
                out.append(Diagnostic(.error, new.loc, "\(what) read the wrong bytes until the object is converted: \(how); keep '\(name)' where it is, or \(fix)", rule: "PATCH-7"))
            }
        }
        return out
    }

    public static func movedFields(old: Record, new: Record, taken: [Int: Use], movesToHeap: Bool,
                                   sameType: (CType, CType) -> Bool) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let fields = old.fields ?? []
        for (i, use) in taken.sorted(by: { $0.key < $1.key }) where i < fields.count {
            let f = fields[i]
            let name = f.name ?? "#\(i)"
            let at = use.how.map { "at \(use.loc), \($0)" } ?? "at \(use.loc)"
            let what = "struct \(old.tag) field '\(name)': the running program takes its address (\(at)), and a pointer kept across the update would"
            guard !movesToHeap else {
                out.append(Diagnostic(.error, new.loc, "\(what) still point into the old bytes once the patch moves every struct \(old.tag) to the heap (it grows past its objects' room); keep the struct within its room, or stop keeping pointers into it", rule: "PATCH-7"))
                continue
            }
            guard let n = (new.fields ?? []).first(where: { $0.name != nil && $0.name == f.name }) else {
                out.append(Diagnostic(.error, new.loc, "\(what) point at bytes of another field once the patch removes '\(name)'", rule: "PATCH-7"))
                continue
            }
            if n.offsetBits != f.offsetBits || n.bitWidth != f.bitWidth || !sameType(f.type, n.type) {
                let how = n.offsetBits != f.offsetBits ? "moves '\(name)' from byte \(f.offsetBits / 8) to byte \(n.offsetBits / 8)" : "changes the type of '\(name)'"
                out.append(Diagnostic(.error, new.loc, "\(what) read the wrong bytes once the patch \(how); keep '\(name)' where it is (add new fields after it)", rule: "PATCH-7"))
            }
        }
        return out
    }
}

private func initExprs(_ i: Initializer) -> [Expr] {
    switch i {
    case .expr(let e): return [e]
    case .compound(_, let es): return es.flatMap { initExprs($0.value) }
    }
}
