// PATCH-7 (Specs/patch.md): a field whose address the running program
// takes must keep its place, its type and its object when a patch
// converts the struct around it. A pointer kept across the update — in a
// global, in a frame on the stack, in a library that holds `&conn->ev` —
// was computed from the old layout; a conversion that moves the field (or
// the whole payload, onto the heap: REP-5) leaves it pointing at bytes that
// mean something else. Conversions are lazy, so graft cannot find and fix
// such pointers; it refuses the patch instead.
//
// "Keeps the address" is syntactic, and counts an address `&lv` or array
// decay of an lvalue whose path goes through a field of the struct when it
// may outlive an update point:
//   - stored anywhere but in a local, returned, or in a static initializer;
//   - held in a local (or a local's initializer) of a function that may be
//     on the stack at an update point (`onStack`);
//   - passed to an external function that may keep it (any but the C
//     library's functions that only read or write through their arguments,
//     `transient`), or to a function of the program whose parameter escapes
//     (stored, returned or passed on in its body);
//   - the result of `strchr`-like functions that return a pointer into their
//     argument, when it is kept as above.
// A field used only through `p->f` (read, written, called) is not counted.
// Limits: an address passed through `void *` user data to code that stores
// it, or through an out-parameter (`strtol`'s end pointer), is not seen.

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

    /// For each record, the fields (by index) whose address the program
    /// keeps (see above), with the first place it does so. `onStack`: the
    /// functions (by index) that may be on the stack at an update point.
    public static func taken(in p: Program, onStack: Set<Int>) -> [RecordID: [Int: SourceLoc]] {
        var out: [RecordID: [Int: SourceLoc]] = [:]
        /// The fields whose address is the value of `e` (through casts,
        /// pointer arithmetic and `?:`), not one it merely dereferences.
        func fields(_ e: Expr) -> [(RecordID, Int)] {
            switch e {
            case .addrOf(let lv), .startOf(let lv):
                return lv.offsets.compactMap { if case .field(let r, let i) = $0 { return (r, i) } else { return nil } }
            case .cast(_, let a), .binary(.ptrAdd, let a, _, _), .binary(.ptrSub, let a, _, _): return fields(a)
            case .cond(_, let a, let b, _): return fields(a) + fields(b)
            default: return []
            }
        }
        func keep(_ e: Expr, _ loc: SourceLoc) {
            for (r, i) in fields(e) where out[r]?[i] == nil { out[r, default: [:]][i] = loc }
        }
        // Which parameters of the program's functions escape: their value is
        // stored, returned, or passed to code that may keep it — to another
        // function of the program only if that one's parameter escapes
        // (a fixpoint over the call graph).
        var escaping: [FuncID: Set<Int>] = [:]
        var passes: [(from: FuncID, param: Int, to: FuncID, arg: Int)] = []
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
        for f in p.functions where f.body != nil {
            let params = Dictionary(f.params.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            func flows(_ e: Expr) -> Int? {
                switch e {
                case .read(let lv): if lv.offsets.isEmpty, case .local(let id) = lv.host { return params[id] }; return nil
                case .cast(_, let a), .binary(.ptrAdd, let a, _, _), .binary(.ptrSub, let a, _, _): return flows(a)
                case .cond(_, let a, let b, _): return flows(a) ?? flows(b)
                default: return nil
                }
            }
            func escape(_ e: Expr) { if let k = flows(e) { escaping[f.id, default: []].insert(k) } }
            Walk.instructions(in: f.body!) { i in
                switch i {
                case .assign(_, let e, _): escape(e)
                case .call(_, let c, let args, _):
                    for (j, a) in args.enumerated() {
                        guard let k = flows(a) else { continue }
                        if case .direct(let g) = c, p[g].body != nil { passes.append((f.id, k, g, j)) }
                        else if keeps(c) { escaping[f.id, default: []].insert(k) }
                    }
                default: break
                }
            }
            Walk.returns(in: f.body!) { e in escape(e) }
        }
        var changed = true
        while changed {
            changed = false
            for x in passes where escaping[x.to]?.contains(x.arg) == true && escaping[x.from]?.contains(x.param) != true {
                escaping[x.from, default: []].insert(x.param)
                changed = true
            }
        }
        // Two ways to reach a field without `&`, counted wherever they occur:
        // a `struct T *` converted to an integer (`(uintptr_t)c +
        // offsetof(struct T, f)` reaches any field: all of T's count), and a
        // `void *` converted to a pointer to a struct U that is the first
        // member of T (the first-member idiom through `void *`: T's first
        // field counts). The same idiom with a scalar first member
        // (`long *first = (void *)t`) is not seen.
        func record(_ t: CType) -> RecordID? {
            var u = p.unroll(t)
            while case .qualified(let inner, _) = u { u = p.unroll(inner) }
            if case .record(let id) = u, p[id].fields != nil { return id }
            return nil
        }
        var firstOf: [RecordID: [RecordID]] = [:]
        for r in p.records {
            var cur = r.id, seen: Set<RecordID> = []
            while seen.insert(cur).inserted, let f = p[cur].fields?.first, f.offsetBits == 0, f.bitWidth == nil, let inner = record(f.type) {
                firstOf[inner, default: []].append(r.id)
                cur = inner
            }
        }
        func noteField(_ r: RecordID, _ i: Int, _ loc: SourceLoc) { if out[r]?[i] == nil { out[r, default: [:]][i] = loc } }
        Walk.expressions(in: p) { e, loc, fn in
            guard case .cast(let to, let inner) = e, let fromPointee = p.pointee(p.typeOf(inner, in: fn)) else { return }
            if case .int(let k) = p.unroll(to), k != .bool, let r = record(fromPointee) {
                for i in (p[r].fields ?? []).indices { noteField(r, i, loc) }
            } else if case .void = p.unroll(fromPointee), let pt = p.pointee(to), let u = record(pt) {
                for t in firstOf[u] ?? [] { noteField(t, 0, loc) }
            }
        }
        for g in p.globals { if let i = g.initializer { Walk.initializer(i, g.loc) { e, l in keep(e, l) } } }
        for f in p.functions {
            guard let body = f.body else { continue }
            let held = onStack.contains(f.id.index)
            func isLocal(_ lv: LValue) -> Bool {
                if case .local = lv.host { return true }
                return false
            }
            Walk.instructions(in: body) { i in
                switch i {
                case .assign(let lv, let e, let loc):
                    if !isLocal(lv) || held { keep(e, loc) }
                case .call(let r, let c, let args, let loc):
                    var into = false
                    switch c {
                    case .direct(let g) where p[g].body != nil:
                        for (k, a) in args.enumerated() where escaping[g]?.contains(k) == true { keep(a, loc) }
                    default:
                        if keeps(c) { args.forEach { keep($0, loc) } }
                        into = libraryName(c).map(intoArgument.contains) ?? false
                    }
                    if into, let r, let first = args.first, !isLocal(r) || held { keep(first, loc) }
                case .vaArg, .asm:
                    break
                }
            }
            Walk.returns(in: body) { e in keep(e, f.loc) }
            if held { Walk.localInitializers(in: body) { i, loc in Walk.initializer(i, loc) { e, l in keep(e, l) } } }
        }
        return out
    }

    /// PATCH-7: the refusals for converting `old` (of the running program,
    /// fields whose address it takes: `taken`) to `new`. `sameType` says
    /// whether a field's old and new types are the same type; `movesToHeap`
    /// whether the new payload outgrows the old objects' room (REP-5).
    public static func movedFields(old: Record, new: Record, taken: [Int: SourceLoc], movesToHeap: Bool,
                                   sameType: (CType, CType) -> Bool) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let fields = old.fields ?? []
        for (i, loc) in taken.sorted(by: { $0.key < $1.key }) where i < fields.count {
            let f = fields[i]
            let name = f.name ?? "#\(i)"
            let what = "struct \(old.tag) field '\(name)': the running program takes its address (at \(loc)), and a pointer kept across the update would"
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
