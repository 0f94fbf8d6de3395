// The type transformer checker: rules TRANS-1 … TRANS-5 of
// Specs/transformers.md.
//
// A hand-written transformer `void graft_transform_<tag>(struct X *old,
// struct <tag> *new)` runs in the middle of an update, on a copy of one old
// value, after the default transformer has filled the new one. The checker
// makes sure it can only do what that moment allows: read the old value,
// write the new one inside its fields, allocate, and keep no pointer into
// the old copy (which the runtime discards).
//
// It is one pass over the body after a flow-insensitive taint over locals:
// each local gets the set of places its pointer value may come from
// (`Origin`), the union over every assignment to it, to a fixpoint. Pure
// functions over IR values; no file or process effects.

import IR

public enum TransformerCheck {
    /// What NEW's sources add for the patch itself (its `transformers.c`):
    /// `graft_transform_<tag>` for a type, `graft_state_transform` once.
    public static let transformerPrefix = "graft_transform_"
    public static let stateTransformerName = "graft_state_transform"

    /// Checks a hand-written type transformer `f` (a function of program `p`, which holds NEW's types and the
    /// transformers file merged in). `newRecord`: the NEW representation's record id in `p`. `oldLayout`: the record
    /// as it was in `oldProgram` (OLD). `defaultable`: names of NEW fields the default transformer fills; every
    /// other field of the new record must be written by `f` (TRANS-4).
    public static func check(_ f: Function, in p: Program, newRecord: RecordID,
                             oldLayout: Record, oldProgram: Program, defaultable: Set<String>) -> [Diagnostic] {
        var run = TransformerRun(f: f, p: p, newRecord: newRecord, oldLayout: oldLayout, oldProgram: oldProgram,
                                 defaultable: defaultable)
        run.run()
        return run.diags
    }

    /// What a libc function does with its arguments (TRANS-2, TRANS-5).
    struct Libc {
        enum Result { case value, fresh, aliasOfArg0 }
        /// Pointer arguments it only reads, and does not keep.
        var reads: Set<Int> = []
        /// The pointer argument it writes through, and the argument that bounds the write.
        var dest: Int? = nil
        var size: Int? = nil
        var result: Result = .value
    }

    /// The external functions a transformer may call (TRANS-2). Anything else
    /// not defined in the program may write anywhere.
    static let libc: [String: Libc] = {
        var t: [String: Libc] = [
            "strlen": Libc(reads: [0]), "strnlen": Libc(reads: [0]),
            "memcmp": Libc(reads: [0, 1]), "strcmp": Libc(reads: [0, 1]), "strncmp": Libc(reads: [0, 1]),
            "strcasecmp": Libc(reads: [0, 1]), "strncasecmp": Libc(reads: [0, 1]),
            "memchr": Libc(reads: [0], result: .aliasOfArg0), "strchr": Libc(reads: [0], result: .aliasOfArg0),
            "strrchr": Libc(reads: [0], result: .aliasOfArg0), "strstr": Libc(reads: [0, 1], result: .aliasOfArg0),
            "memcpy": Libc(reads: [1], dest: 0, size: 2), "memmove": Libc(reads: [1], dest: 0, size: 2),
            "memset": Libc(dest: 0, size: 2),
            "malloc": Libc(result: .fresh), "calloc": Libc(result: .fresh), "realloc": Libc(result: .fresh),
            "strdup": Libc(reads: [0], result: .fresh), "strndup": Libc(reads: [0], result: .fresh),
            "free": Libc(), "abort": Libc(), "__assert_fail": Libc(reads: [0, 1, 3]),
            "__ctype_b_loc": Libc(), "__ctype_tolower_loc": Libc(), "__ctype_toupper_loc": Libc(),
        ]
        for pure in ["abs", "labs", "llabs", "toupper", "tolower", "isalnum", "isalpha", "isdigit", "islower",
                     "isspace", "isupper", "isxdigit", "isprint"] { t[pure] = Libc() }
        return t
    }()

    /// Compiler builtins without memory effects.
    static func isPureBuiltin(_ name: String) -> Bool {
        let n = name.hasPrefix("__builtin_") ? String(name.dropFirst(10)) : name
        return ["expect", "unreachable", "trap", "constant_p", "object_size", "assume"].contains(n)
            || ["clz", "ctz", "popcount", "bswap", "ffs", "parity"].contains { n.hasPrefix($0) }
    }
}

private struct TransformerRun {
    /// Where a pointer value may point.
    enum Origin: Hashable { case old, new, fresh, stack, global, other }
    /// How a use of an expression is placed, for TRANS-3.
    enum Role { case value, memBase, compare, readOnly, memDest }

    let f: Function, p: Program, newRecord: RecordID, oldLayout: Record, oldProgram: Program
    let defaultable: Set<String>
    var diags: [Diagnostic] = []
    var seen: Set<Diagnostic> = []
    var oldParam: LocalID?, newParam: LocalID?
    var origins: [LocalID: Set<Origin>] = [:]
    /// For a local that may point into the old value: the expression that made it so.
    var witness: [LocalID: Expr] = [:]
    /// Locals whose address the transformer takes, and its compound literals'
    /// values: the stack memory a pointer graft does not follow may point to.
    var addressTaken: Set<LocalID> = []
    var compoundValues: [Expr] = []
    var written: Set<String> = []
    var allWritten = false

    init(f: Function, p: Program, newRecord: RecordID, oldLayout: Record, oldProgram: Program, defaultable: Set<String>) {
        self.f = f; self.p = p; self.newRecord = newRecord; self.oldLayout = oldLayout; self.oldProgram = oldProgram
        self.defaultable = defaultable
    }

    mutating func report(_ rule: Int, _ loc: SourceLoc, _ message: String) {
        // Every TRANS-n check refuses here: a rule switched off (Rules.swift) refuses nothing.
        guard Rules.enforced("TRANS-\(rule)") else { return }
        let d = Diagnostic(.error, loc, "transformer `\(f.sourceName)`: " + message, rule: "TRANS-\(rule)")
        if seen.insert(d).inserted { diags.append(d) }
    }

    mutating func run() {
        checkSignature()
        guard let body = f.body, oldParam != nil, newParam != nil else { return }
        computeOrigins(body)
        walk(body)
        // TRANS-4: every field the default transformer does not fill is written.
        if !allWritten {
            for field in flatFields(p[newRecord], in: p) where !defaultable.contains(field.name) && !written.contains(field.name) {
                report(4, f.loc, "never writes `\(newName)->\(field.name)`, which the default transformer does not fill")
            }
        }
    }

    var oldName: String { oldParam.map { f.locals[$0.index].sourceName } ?? "old" }
    var newName: String { newParam.map { f.locals[$0.index].sourceName } ?? "new" }
    var newTag: String { "\(p[newRecord].kind) \(p[newRecord].tag)" }

    // MARK: TRANS-1 signature and old layout

    mutating func checkSignature() {
        // TRANS-1: returns void, exactly (struct X *old, struct <tag> *new).
        if !p.valueType(f.type.result).isVoid {
            report(1, f.loc, "returns `\(spell(f.type.result, p))`; a transformer returns void")
        }
        if f.params.count != 2 || f.type.variadic {
            report(1, f.loc, "takes \(f.params.count) parameter\(f.params.count == 1 ? "" : "s")\(f.type.variadic ? " and is variadic" : ""); a transformer takes exactly (struct X *old, \(newTag) *new)")
        }
        if f.body == nil { report(1, f.loc, "is declared but not defined") }
        guard f.params.count >= 2 else { return }
        oldParam = f.params[0]; newParam = f.params[1]
        let newType = f.locals[f.params[1].index].type
        if !isPointer(to: newRecord, newType) {
            report(1, f.loc, "second parameter `\(newName)` has type `\(spell(newType, p))`; it must be `\(newTag) *`")
        }
        let oldType = f.locals[f.params[0].index].type
        guard let pointee = p.pointee(oldType), case .record(let x) = p.unroll(pointee), p[x].fields != nil else {
            report(1, f.loc, "first parameter `\(oldName)` has type `\(spell(oldType, p))`; it must point to a struct describing the old layout of \(oldLayout.kind) \(oldLayout.tag)")
            return
        }
        // TRANS-1: X describes OLD's layout, field by field.
        let xr = p[x], xname = "\(xr.kind) \(xr.tag)", oname = "the old \(oldLayout.kind) \(oldLayout.tag)"
        if xr.kind != oldLayout.kind { report(1, xr.loc, "\(xname) is a \(xr.kind) but \(oname) is a \(oldLayout.kind)") }
        let olds = Dictionary(flatFields(oldLayout, in: oldProgram).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for xf in flatFields(xr, in: p) {
            let culprit = "`\(oldName)->\(xf.name)`"
            guard let of = olds[xf.name] else {
                report(1, xr.loc, "\(xname) declares \(culprit), but \(oname) has no field `\(xf.name)`")
                continue
            }
            if of.offsetBits != xf.offsetBits {
                report(1, xr.loc, "\(culprit) is at byte \(xf.offsetBits / 8) of \(xname) but at byte \(of.offsetBits / 8) of \(oname)")
            } else if !sameType(xf.field.type, p, of.field.type, oldProgram) {
                report(1, xr.loc, "\(culprit) has type `\(spell(xf.field.type, p))` in \(xname) but `\(spell(of.field.type, oldProgram))` in \(oname)")
            } else if xf.field.bitWidth != of.field.bitWidth {
                report(1, xr.loc, "\(culprit) is \(xf.field.bitWidth.map { "a \($0)-bit field" } ?? "not a bit-field") in \(xname) but \(of.field.bitWidth.map { "a \($0)-bit field" } ?? "not a bit-field") in \(oname)")
            }
        }
    }

    func isPointer(to r: RecordID, _ t: CType) -> Bool {
        guard let pt = p.pointee(t), case .record(let q) = p.unroll(pt) else { return false }
        return q == r || p[q].identity == p[r].identity
    }

    /// Named fields, through anonymous members, with offsets from the record's start.
    func flatFields(_ r: Record, in prog: Program, base: Int = 0) -> [(name: String, field: Field, offsetBits: Int)] {
        var out: [(name: String, field: Field, offsetBits: Int)] = []
        for fl in r.fields ?? [] {
            if let n = fl.name { out.append((n, fl, base + fl.offsetBits)) }
            else if case .record(let a) = prog.unroll(fl.type) { out += flatFields(prog[a], in: prog, base: base + fl.offsetBits) }
        }
        return out
    }

    /// Same representation across two programs: scalars by kind, pointers to
    /// records by identity, embedded records field by field, arrays by element and length.
    func sameType(_ a: CType, _ pa: Program, _ b: CType, _ pb: Program, pointee: Bool = false) -> Bool {
        switch (pa.valueType(a), pb.valueType(b)) {
        case (.void, .void), (.vaList, .vaList): return true
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)), let (.complex(x), .complex(y)): return x == y
        case let (.pointer(x), .pointer(y)): return sameType(x, pa, y, pb, pointee: true)
        case let (.array(x, n), .array(y, m)): return n == m && sameType(x, pa, y, pb, pointee: pointee)
        case let (.vector(x, n), .vector(y, m)): return n == m && sameType(x, pa, y, pb, pointee: pointee)
        case let (.record(x), .record(y)):
            let rx = pa[x], ry = pb[y]
            if pointee { return rx.identity == ry.identity }
            guard rx.kind == ry.kind, rx.size == ry.size, let fx = rx.fields, let fy = ry.fields, fx.count == fy.count else { return false }
            return zip(fx, fy).allSatisfy { u, v in
                u.name == v.name && u.offsetBits == v.offsetBits && u.bitWidth == v.bitWidth && sameType(u.type, pa, v.type, pb)
            }
        case let (.function(x), .function(y)):
            return x.variadic == y.variadic && x.params.count == y.params.count && sameType(x.result, pa, y.result, pb, pointee: true)
                && zip(x.params, y.params).allSatisfy { sameType($0, pa, $1, pb, pointee: true) }
        default: return false
        }
    }

    // MARK: Origins (flow-insensitive taint over locals)

    /// `copy(src)`: the bytes of what `src` points to (memcpy, memmove into a local).
    enum Source { case expr(Expr), call(Callee, [Expr]), opaque, copy(Expr) }

    mutating func computeOrigins(_ body: Stmt) {
        var assigns: [(LocalID, Source)] = []
        var taken: Set<LocalID> = [], compounds: [Expr] = [], pendingCopies: [Expr] = []
        func addrTaken(_ e: Expr) {
            forEachExpr(e) { x in
                if case .addrOf(let lv) = x, case .local(let id) = lv.host { assigns.append((id, .opaque)); taken.insert(id) }
                if case .startOf(let lv) = x, case .local(let id) = lv.host { assigns.append((id, .opaque)); taken.insert(id) }
                switch x {
                case .compoundLiteral(_, let ini): compounds += initExprs(ini)
                case .read(let lv), .addrOf(let lv), .startOf(let lv): if case .compound(_, let ini) = lv.host { compounds += initExprs(ini) }
                default: break
                }
            }
        }
        /// TRANS-5: memcpy and memmove into the transformer's locals copy the pointers stored in their source.
        func copies(_ c: Callee, _ args: [Expr]) {
            guard let spec = libcSpec(c).spec, let d = spec.dest, spec.reads.contains(1), args.count > 1, d < args.count else { return }
            if let id = stackLocal(args[d]) { assigns.append((id, .copy(args[1]))) }
            else { pendingCopies.append(args[1]) }
        }
        forEachStmt(body) { s in
            switch s {
            case .local(let id, let ini, _): if let ini { for e in initExprs(ini) { assigns.append((id, .expr(e))); addrTaken(e) } }
            case .instr(.assign(let lv, let e, _)):
                if case .local(let id) = lv.host { assigns.append((id, .expr(e))) }
                addrTaken(e)
            case .instr(.call(let r, let c, let args, _)):
                if let r, case .local(let id) = r.host { assigns.append((id, .call(c, args))) }
                args.forEach(addrTaken)
                copies(c, args)
            case .instr(.vaArg(let r, _, _)): if case .local(let id) = r.host { assigns.append((id, .opaque)) }
            case .instr(.asm(let a, _)):
                for o in a.outputs { if let lv = o.lvalue, case .local(let id) = lv.host { assigns.append((id, .opaque)) } }
            default: break
            }
        }
        addressTaken = taken
        compoundValues = compounds
        // A copy into stack memory graft cannot name may land in any local whose address is taken.
        for src in pendingCopies { for id in taken { assigns.append((id, .copy(src))) } }
        origins[oldParam!] = [.old]
        origins[newParam!] = [.new]
        var changed = true
        while changed {
            changed = false
            for (id, src) in assigns {
                let add: Set<Origin>
                switch src {
                case .expr(let e): add = origin(e)
                case .call(let c, let args): add = callOrigin(c, args)
                case .opaque: add = [.other]
                case .copy(let from): add = contents(from)
                }
                let before = origins[id, default: []]
                let after = before.union(add)
                if after != before { origins[id] = after; changed = true }
                if add.contains(.old), witness[id] == nil, id != oldParam {
                    switch src {
                    case .expr(let e): witness[id] = e
                    case .call(_, let args): witness[id] = args.first
                    case .copy(let from): witness[id] = from
                    case .opaque: break
                    }
                }
            }
        }
    }

    func callOrigin(_ c: Callee, _ args: [Expr]) -> Set<Origin> {
        guard let spec = libcSpec(c).spec else { return [.other] }
        // memcpy, memmove and memset return their destination (and writes through it are checked as foreign).
        if let d = spec.dest, d < args.count { return origin(args[d]).union([.other]) }
        switch spec.result {
        case .fresh: return [.fresh]
        case .aliasOfArg0: return args.first.map(origin) ?? [.other]
        case .value: return [.other]
        }
    }

    func origin(_ e: Expr) -> Set<Origin> {
        switch e {
        case .const(.string, _), .function, .labelAddr: return [.other]
        case .const, .sizeOf, .alignOf: return []
        case .read(let lv):
            switch lv.host {
            case .local(let id): return origins[id, default: []]
            case .compound(_, let ini): return initExprs(ini).reduce(into: []) { $0.formUnion(origin($1)) }
            case .global: return [.other]
            case .mem(let x): return contents(x).union([.other])   // `*(char **)&p` reads p
            }
        case .addrOf(let lv), .startOf(let lv): return hostOrigin(lv.host)
        case .unary(let op, let a, _): return op == .logNot ? [] : origin(a)
        case .binary(let op, let a, let b, _):
            switch op {
            case .lt, .gt, .le, .ge, .eq, .ne, .logAnd, .logOr, .ptrDiff: return []
            case .ptrAdd, .ptrSub: return origin(a)  // the pointer operand; the offset is a number
            default: return origin(a).union(origin(b))  // integer arithmetic on a pointer keeps its origins
            }
        case .cond(_, let a, let b, _): return origin(a).union(origin(b))
        case .cast(_, let x), .current(_, let x), .pinned(_, _, let x): return origin(x)
        case .compoundLiteral(_, let ini): return initExprs(ini).reduce(into: []) { $0.formUnion(origin($1)) }
        }
    }

    /// Where the storage of an lvalue with this host is.
    func hostOrigin(_ h: LHost) -> Set<Origin> {
        switch h {
        case .local, .compound: return [.stack]
        case .global: return [.global]
        case .mem(let e): return origin(e)
        }
    }

    func has(_ e: Expr, _ o: Origin) -> Bool { origin(e).contains(o) }

    /// The local whose storage `e` points into, when it is written so (`&p`, `buf`, `(char *)&s.f + 1`).
    func stackLocal(_ e: Expr) -> LocalID? {
        switch e {
        case .addrOf(let lv), .startOf(let lv): if case .local(let id) = lv.host { return id }; return nil
        case .cast(_, let x), .binary(.ptrAdd, let x, _, _), .binary(.ptrSub, let x, _, _): return stackLocal(x)
        default: return nil
        }
    }

    /// Where the pointers stored in the memory `e` points to may point: for
    /// the transformer's own locals, what was assigned or copied to them
    /// (the local `e` names, else any whose address is taken, and any
    /// compound literal); nothing else graft follows holds a pointer into
    /// the old value or the stack (storing one anywhere else is refused).
    func contents(_ e: Expr) -> Set<Origin> {
        if let id = stackLocal(e) { return origins[id, default: []] }
        var stripped = e
        while case .cast(_, let x) = stripped { stripped = x }
        if case .addrOf(let lv) = stripped, case .compound(_, let ini) = lv.host { return initExprs(ini).reduce(into: []) { $0.formUnion(origin($1)) } }
        if case .startOf(let lv) = stripped, case .compound(_, let ini) = lv.host { return initExprs(ini).reduce(into: []) { $0.formUnion(origin($1)) } }
        guard origin(e).contains(.stack) else { return [] }
        var s: Set<Origin> = []
        for id in addressTaken { s.formUnion(origins[id, default: []]) }
        for x in compoundValues { s.formUnion(origin(x)) }
        return s
    }

    /// A pointer into the transformer's own frame: its locals, its compound literals.
    func intoFrame(_ e: Expr) -> Bool { has(e, .stack) }

    /// The libc spec of a callee, and its name; `known` false for an external graft cannot see.
    func libcSpec(_ c: Callee) -> (spec: TransformerCheck.Libc?, name: String, known: Bool) {
        switch c {
        case .direct(let id):
            let g = p[id]
            if g.isDefinition { return (nil, g.sourceName, true) }
            if let s = TransformerCheck.libc[g.name] { return (s, g.sourceName, true) }
            return (nil, g.sourceName, false)
        case .builtin(let b):
            let n = b.hasPrefix("__builtin_") ? String(b.dropFirst(10)) : b
            if let s = TransformerCheck.libc[n] { return (s, b, true) }
            return (TransformerCheck.Libc(), b, TransformerCheck.isPureBuiltin(b))
        case .indirect(let e): return (nil, describe(e), false)
        }
    }

    // MARK: The body

    mutating func walk(_ s: Stmt) {
        switch s {
        case .instr(let i): instr(i)
        case .block(let ss): ss.forEach { walk($0) }
        case .local(_, let ini, let loc):
            // Initializing a local is how taint flows: only TRANS-3 applies here.
            if let ini { for e in initExprs(ini) { structural(e, .value, loc, describe(e)) } }
        case .if(let c, let t, let el, let loc):
            structural(c, .compare, loc, describe(c)); walk(t); if let el { walk(el) }
        case .loop(let b, let n, _): walk(b); if let n { walk(n) }
        case .switch(let x, let b, let loc): structural(x, .compare, loc, describe(x)); walk(b)
        case .computedGoto(let x, let loc): structural(x, .value, loc, describe(x))
        case .return(let x, let loc):
            if let x {
                structural(x, .value, loc, describe(x))
                // TRANS-5: no pointer into old leaves through the result.
                if has(x, .old) { report(5, loc, "returns a pointer into the old value, \(oldCulprit(x))") }
                // TRANS-5: nor one into the transformer's own frame.
                else if intoFrame(x) { report(5, loc, "returns a pointer into its own locals, `\(describe(x))`, which die when it returns") }
            }
        case .break, .continue, .label, .goto: break
        }
    }

    mutating func instr(_ i: Instr) {
        switch i {
        case .assign(let lv, let e, let loc):
            write(lv, loc)
            structural(e, .value, loc, describe(e))
            // TRANS-5: a pointer into old is stored only in locals (which die with the call).
            if !isLocalHost(lv.host), has(e, .old) {
                report(5, loc, "stores a pointer into the old value, \(oldCulprit(e)), in `\(describe(lv))`; copy the bytes it points to into the new value or into memory the transformer allocates instead")
            } else if !isLocalHost(lv.host), intoFrame(e) {
                // TRANS-5: so is a pointer into the transformer's own locals (a copy of the old value among them).
                report(5, loc, "stores a pointer into its own locals, \(frameCulprit(e)), in `\(describe(lv))`: they die when the transformer returns; copy the bytes into the new value or into memory the transformer allocates instead")
            }
        case .note:
            break   // instrumentation only: transformers are checked before it
        case .call(let result, let callee, let args, let loc):
            if let result { write(result, loc) }
            let (spec, name, known) = libcSpec(callee)
            if case .indirect(let e) = callee {
                structural(e, .value, loc, describe(e))
                // TRANS-2: an indirect call may reach anything.
                report(2, loc, "calls through the function pointer `\(name)`, which may write anywhere")
            } else if !known {
                // TRANS-2: an external function graft cannot see may write anywhere.
                report(2, loc, "calls `\(name)`, an external function that may write anywhere (allowed: functions of the program and pure libc functions such as memcpy, strlen, malloc, free)")
            }
            for (k, a) in args.enumerated() {
                let role: Role = spec?.dest == k ? .memDest : (spec?.reads.contains(k) == true ? .readOnly : .value)
                structural(a, role, loc, describe(a))
                if role == .memDest {
                    checkDest(a, size: spec?.size.flatMap { $0 < args.count ? args[$0] : nil }, callee: name, loc)
                    // TRANS-5: memcpy and memmove copy the pointers stored in their source, byte by byte.
                    if let spec, spec.reads.contains(1), args.count > 1, !origin(a).isSubset(of: [.stack]) {
                        let held = contents(args[1])
                        let into: String
                        if case .addrOf(let lv) = stripCasts(a) { into = describe(lv) } else { into = describe(stripCasts(a)) }
                        if held.contains(.old) {
                            report(5, loc, "`\(name)` copies a pointer into the old value, held in \(heldCulprit(args[1])), into `\(into)`; copy the bytes it points to instead")
                        } else if held.contains(.stack) {
                            report(5, loc, "`\(name)` copies a pointer into its own locals, held in \(heldCulprit(args[1])), into `\(into)`: they die when the transformer returns")
                        }
                    }
                } else if role == .value, has(a, .old) {
                    // TRANS-5: the callee could keep the pointer.
                    report(5, loc, "passes a pointer into the old value, \(oldCulprit(a)), to `\(name)`")
                }
            }
        case .vaArg(let result, let list, let loc):
            write(result, loc)
            structural(list, .value, loc, describe(list))
        case .asm(_, let loc):
            // TRANS-2: inline assembly may write anywhere.
            report(2, loc, "uses inline assembly, which may write anywhere")
        }
    }

    func isLocalHost(_ h: LHost) -> Bool {
        switch h { case .local, .compound: return true; default: return false }
    }

    /// An lvalue written by an assignment, a call result or va_arg.
    mutating func write(_ lv: LValue, _ loc: SourceLoc) {
        structuralLV(lv, loc, describe(lv))
        let text = "`\(describe(lv))`"
        switch lv.host {
        case .local(let id):
            if lv.offsets.isEmpty, id == newParam {
                // TRANS-3: `new` keeps pointing to the new value.
                report(3, loc, "assigns the parameter `\(newName)`: \(text) must keep pointing to the new value")
            } else if lv.offsets.isEmpty, id == oldParam {
                // TRANS-2: `old` keeps pointing to the old value, and only it is read.
                report(2, loc, "assigns the parameter `\(oldName)`: \(text) must keep pointing to the old value")
            }
        case .compound: break
        case .global(let g):
            // TRANS-2: no write to a global.
            let whole = lv.offsets.isEmpty ? "" : " (\(text))"
            report(2, loc, "writes the global `\(p[g].sourceName)`\(whole); a transformer writes only the new value and memory it allocates")
        case .mem(let e):
            let o = origin(e)
            if o.contains(.old) {
                // TRANS-2: no write through old.
                report(2, loc, "writes through the old value: \(text); `\(oldName)` may only be read")
            } else if o.contains(.global) {
                // TRANS-2: no write to a global, even through a pointer.
                report(2, loc, "writes a global through a pointer: \(text)")
            } else if o.isEmpty || !o.isSubset(of: [.new, .fresh, .stack]) {
                // TRANS-2: only new, fresh memory and the transformer's own locals are written.
                report(2, loc, "writes through `\(describe(e))`, a pointer derived neither from `\(newName)` nor from memory the transformer allocated: \(text)")
            }
            if isNewBase(e) { markWritten(lv.offsets) }
        }
    }

    /// TRANS-4 bookkeeping: the new field an lvalue `new->…` writes.
    mutating func markWritten(_ offsets: [Offset]) {
        if offsets.isEmpty { allWritten = true; return }
        for o in offsets {
            guard case .field(let r, let k) = o, let fl = p[r].fields?[k] else { return }
            if let n = fl.name { written.insert(n); return }
        }
    }

    /// The destination of memcpy/memmove/memset.
    mutating func checkDest(_ a: Expr, size: Expr?, callee: String, _ loc: SourceLoc) {
        let o = origin(a)
        let target = stripCasts(a)
        if o.contains(.old) {
            // TRANS-2: no write through old.
            report(2, loc, "`\(callee)` writes through the old value: `\(describe(target))`")
        } else if o.contains(.new) {
            // TRANS-3: the write stays inside one field of new.
            guard case .addrOf(let lv) = target, isNewRooted(lv) else {
                if case .startOf(let lv) = target, isNewRooted(lv) { boundWrite(lv, size: size, callee: callee, loc); return }
                return  // `new` used as a value: reported by `structural`
            }
            boundWrite(lv, size: size, callee: callee, loc)
        } else if o.isEmpty || !o.isSubset(of: [.fresh, .stack]) {
            // TRANS-2: only new, fresh memory and locals are written.
            report(2, loc, "`\(callee)` writes through `\(describe(target))`, a pointer derived neither from `\(newName)` nor from memory the transformer allocated")
        }
    }

    mutating func boundWrite(_ lv: LValue, size: Expr?, callee: String, _ loc: SourceLoc) {
        let bound = p.size(of: p.typeOf(lv, in: f))
        if let n = size.flatMap(constInt), let bound, n >= 0, n <= Int64(bound) {
            markWritten(lv.offsets)
        } else {
            // TRANS-3: a write through a pointer into new must be bounded by its field.
            let what = size.flatMap(constInt).map { "\($0) bytes" } ?? "`\(size.map(describe) ?? "?")` bytes"
            report(3, loc, "`\(callee)` writes \(what) at `\(describe(.addrOf(lv)))`, which has \(bound.map(String.init) ?? "an unknown number of") bytes: the write may leave the new value")
        }
    }

    // MARK: TRANS-3 structure of the uses of `new`

    func isNewParam(_ lv: LValue) -> Bool {
        if lv.offsets.isEmpty, case .local(let id) = lv.host, id == newParam { return true }
        return false
    }

    /// `new` itself, possibly through casts that keep its type.
    func isNewBase(_ e: Expr) -> Bool {
        switch e {
        case .read(let lv): return isNewParam(lv)
        case .cast(let t, let x): return isPointer(to: newRecord, t) && isNewBase(x)
        default: return false
        }
    }

    func isNewRooted(_ lv: LValue) -> Bool {
        if case .mem(let e) = lv.host { return isNewBase(e) }
        return false
    }

    mutating func structural(_ e: Expr, _ role: Role, _ loc: SourceLoc, _ ctx: String) {
        switch e {
        case .read(let lv):
            if isNewParam(lv) {
                if role != .memBase && role != .compare {
                    // TRANS-3: `new` is only the base of a field access.
                    report(3, loc, "uses `\(newName)` as a value in `\(ctx)`: only `\(newName)->field` stays inside the new value (no pointer arithmetic, indexing, cast or passing it)")
                }
            } else {
                structuralLV(lv, loc, ctx)
            }
        case .addrOf(let lv), .startOf(let lv):
            structuralLV(lv, loc, ctx)
            if isNewRooted(lv), role != .readOnly, role != .memDest, role != .compare {
                // TRANS-3: a pointer into new could be used to write outside its fields.
                let d = describe(e), inCtx = d == ctx ? "" : " in `\(ctx)`"
                report(3, loc, "takes a pointer into the new value, `\(d)`\(inCtx); write through `\(newName)->field` instead")
            }
        case .cast(let t, let x):
            let inner: Role = role == .memBase ? (isPointer(to: newRecord, t) ? .memBase : .value) : role
            structural(x, inner, loc, ctx)
        case .unary(let op, let a, _): structural(a, op == .logNot ? .compare : .value, loc, ctx)
        case .current(_, let x), .pinned(_, _, let x): structural(x, role, loc, ctx)
        case .binary(let op, let a, let b, _):
            let r: Role
            switch op {
            case .lt, .gt, .le, .ge, .eq, .ne, .logAnd, .logOr, .ptrDiff: r = .compare
            default: r = .value
            }
            structural(a, r, loc, ctx); structural(b, r, loc, ctx)
        case .cond(let c, let a, let b, _):
            structural(c, .compare, loc, ctx); structural(a, .value, loc, ctx); structural(b, .value, loc, ctx)
        case .compoundLiteral(_, let ini): for x in initExprs(ini) { structural(x, .value, loc, ctx) }
        case .const, .function, .labelAddr, .sizeOf, .alignOf: break
        }
    }

    mutating func structuralLV(_ lv: LValue, _ loc: SourceLoc, _ ctx: String) {
        switch lv.host {
        case .mem(let e): structural(e, .memBase, loc, ctx)
        case .compound(_, let ini): for x in initExprs(ini) { structural(x, .value, loc, ctx) }
        case .local, .global: break
        }
        for o in lv.offsets { if case .index(let i) = o { structural(i, .value, loc, ctx) } }
        guard isNewRooted(lv) else { return }
        // TRANS-3: a constant index stays inside its array field.
        var t = p.typeOf(lv.host, in: f)
        for (k, o) in lv.offsets.enumerated() {
            if case .index(let ie) = o, let v = constInt(ie), case .array(_, let n) = p.unroll(t), v < 0 || n == nil || v >= Int64(n!) {
                let arr = LValue(lv.host, Array(lv.offsets[..<k]))
                report(3, loc, "`\(describe(LValue(lv.host, Array(lv.offsets[...k]))))` is outside `\(describe(arr))`, which has \(n.map { "\($0) elements" } ?? "no fixed length")")
            }
            t = p.typeOf(o, base: t)
        }
    }

    // MARK: Helpers

    func stripCasts(_ e: Expr) -> Expr {
        if case .cast(_, let x) = e { return stripCasts(x) }
        return e
    }

    func constInt(_ e: Expr) -> Int64? {
        switch e {
        case .const(.int(let v), _), .const(.enumerator(_, let v), _): return v
        case .sizeOf(_, let v), .alignOf(_, let v): return Int64(v)
        case .cast(_, let x): return constInt(x)
        case .unary(.neg, let a, _): return constInt(a).map { 0 &- $0 }
        case .binary(let op, let a, let b, _):
            guard let x = constInt(a), let y = constInt(b) else { return nil }
            switch op {
            case .add: return x &+ y
            case .sub: return x &- y
            case .mul: return x &* y
            case .div: return y == 0 ? nil : x / y
            case .shl: return y >= 0 && y < 63 ? x << y : nil
            default: return nil
            }
        default: return nil
        }
    }

    /// The expression that brings a pointer into old, followed through temporaries.
    func oldWitness(_ e: Expr, depth: Int = 0) -> Expr {
        guard depth < 32 else { return e }
        switch e {
        case .read(let lv):
            if lv.offsets.isEmpty, case .local(let id) = lv.host, f.locals[id.index].isTemp, let w = witness[id] {
                return oldWitness(w, depth: depth + 1)
            }
            return e
        case .cast(_, let x), .unary(_, let x, _): return oldWitness(x, depth: depth + 1)
        case .binary(_, let a, let b, _), .cond(_, let a, let b, _):
            return oldWitness(has(a, .old) ? a : b, depth: depth + 1)
        default: return e
        }
    }

    /// `shown` (which holds `old->name`), for the source of a memcpy: the memory it points to.
    func heldCulprit(_ src: Expr) -> String {
        guard let id = stackLocal(src) else { return "the memory at `\(describe(stripCasts(src)))`" }
        let name = "`\(f.locals[id.index].sourceName)`"
        if let w = witness[id] { return "\(name) (which holds `\(describe(oldWitness(w, depth: 1)))`)" }
        return name
    }

    /// `copy.name`, or `p` (which holds `copy.name`): a pointer into the transformer's frame.
    func frameCulprit(_ e: Expr) -> String {
        let d = stripCasts(e)
        if case .read(let lv) = d, lv.offsets.isEmpty, case .local = lv.host { return "`\(describe(d))` (which points to a local)" }
        return "`\(describe(d))`"
    }

    /// `&old->key`, or `p` (which holds `&old->key`).
    func oldCulprit(_ e: Expr) -> String {
        let w = oldWitness(e)
        if case .read(let lv) = w, lv.offsets.isEmpty, case .local(let id) = lv.host, id != oldParam, let src = witness[id] {
            return "`\(describe(w))` (which holds `\(describe(oldWitness(src, depth: 1)))`)"
        }
        return "`\(describe(w))`"
    }

    // MARK: C spelling for messages

    func describe(_ lv: LValue) -> String {
        var s: String
        var offsets = lv.offsets[...]
        switch lv.host {
        case .local(let id): s = f.locals[id.index].sourceName
        case .global(let g): s = p[g].sourceName
        case .compound(let t, _): s = "(\(spell(t, p))){…}"
        case .mem(let e):
            if case .binary(.ptrAdd, let a, let i, _) = e {
                s = "\(atom(a))[\(describe(i))]"
            } else if case .field(let r, let k)? = offsets.first, let n = p[r].fields?[k].name {
                s = "\(atom(e))->\(n)"; offsets = offsets.dropFirst()
            } else {
                s = offsets.isEmpty ? "*\(atom(e))" : "(*\(atom(e)))"
            }
        }
        for o in offsets {
            switch o {
            case .field(let r, let k): if let n = p[r].fields?[k].name { s += "." + n }
            case .index(let i): s += "[\(describe(i))]"
            }
        }
        return s
    }

    func atom(_ e: Expr) -> String {
        switch e {
        case .read, .const, .function, .sizeOf, .alignOf: return describe(e)
        default: return "(\(describe(e)))"
        }
    }

    func describe(_ e: Expr) -> String {
        switch e {
        case .const(let c, let t):
            switch c {
            case .int(let v): return v == 0 && p.isPointer(t) ? "NULL" : String(v)
            case .float(let d, let sp): return sp ?? String(d)
            case .string(let us, _): return "\"" + String(decoding: us.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self) + "\""
            case .enumerator(let n, _): return n
            }
        case .read(let lv): return describe(lv)
        case .addrOf(let lv): return "&" + describe(lv)
        case .startOf(let lv): return describe(lv)
        case .function(let id): return p[id].sourceName
        case .labelAddr(let l): return "&&" + l
        case .unary(let op, let a, _): return op.rawValue + atom(a)
        case .binary(let op, let a, let b, _):
            let sym: String
            switch op { case .ptrAdd: sym = "+"; case .ptrSub, .ptrDiff: sym = "-"; default: sym = op.rawValue }
            return "\(atom(a)) \(sym) \(atom(b))"
        case .cond(let c, let a, let b, _): return "\(atom(c)) ? \(atom(a)) : \(atom(b))"
        case .cast(let t, let x): return "(\(spell(t, p)))\(atom(x))"
        case .sizeOf(let t, _): return "sizeof(\(spell(t, p)))"
        case .alignOf(let t, _): return "_Alignof(\(spell(t, p)))"
        case .compoundLiteral(let t, _): return "(\(spell(t, p))){…}"
        case .current(_, let x): return describe(x)
        case .pinned(_, _, let x): return "a pinned field of \(describe(x))"
        }
    }

    func spell(_ t: CType, _ prog: Program) -> String {
        switch t {
        case .void: return "void"
        case .int(let k): return k.spelling
        case .float(let k): return k.spelling
        case .complex(let k): return "_Complex " + k.spelling
        case .pointer(let x): return spell(x, prog) + " *"
        case .array(let x, let n): return spell(x, prog) + "[\(n.map(String.init) ?? "")]"
        case .vla(let x, _): return spell(x, prog) + "[*]"
        case .function(let ft): return "\(spell(ft.result, prog))(\(ft.params.map { spell($0, prog) }.joined(separator: ", ")))"
        case .record(let r): return "\(prog[r].kind) \(prog[r].tag)"
        case .enumeration(let e): return "enum \(prog[e].tag)"
        case .typedef(let d): return prog[d].name
        case .qualified(let x, let q): return (q.contains(.const) ? "const " : "") + spell(x, prog)
        case .atomic(let x): return "_Atomic(\(spell(x, prog)))"
        case .vector(let x, let n): return "\(spell(x, prog)) vector[\(n)]"
        case .vaList: return "va_list"
        }
    }
}

// MARK: Walkers

private func forEachStmt(_ s: Stmt, _ body: (Stmt) -> Void) {
    body(s)
    switch s {
    case .block(let ss): ss.forEach { forEachStmt($0, body) }
    case .if(_, let t, let e, _): forEachStmt(t, body); if let e { forEachStmt(e, body) }
    case .loop(let b, let n, _): forEachStmt(b, body); if let n { forEachStmt(n, body) }
    case .switch(_, let b, _): forEachStmt(b, body)
    default: break
    }
}

private func forEachExpr(_ e: Expr, _ body: (Expr) -> Void) {
    body(e)
    func lv(_ l: LValue) {
        switch l.host {
        case .mem(let x): forEachExpr(x, body)
        case .compound(_, let ini): initExprs(ini).forEach { forEachExpr($0, body) }
        default: break
        }
        for o in l.offsets { if case .index(let i) = o { forEachExpr(i, body) } }
    }
    switch e {
    case .read(let l), .addrOf(let l), .startOf(let l): lv(l)
    case .unary(_, let a, _), .cast(_, let a): forEachExpr(a, body)
    case .binary(_, let a, let b, _): forEachExpr(a, body); forEachExpr(b, body)
    case .cond(let c, let a, let b, _): forEachExpr(c, body); forEachExpr(a, body); forEachExpr(b, body)
    case .compoundLiteral(_, let ini): initExprs(ini).forEach { forEachExpr($0, body) }
    default: break
    }
}

private func initExprs(_ i: Initializer) -> [Expr] {
    switch i {
    case .expr(let e): return [e]
    case .compound(_, let es): return es.flatMap { initExprs($0.value) }
    }
}
