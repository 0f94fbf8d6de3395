// The IR verifier: the well-formedness rules IR-1 … IR-35 of Specs/ir.md.
//
// One pass over the program, linear in its size: tables first (ids, names,
// typedefs, layouts), then every global and every function body, computing
// each expression's type bottom-up and checking it against its rule. It
// reports every violation with the rule id and the location of the
// offending declaration, statement or instruction; where a part is already
// wrong (an id out of range), the types built on it are unknown (`nil`) and
// not checked further, so one mistake gives one diagnostic.
//
// Not checked yet: that expressions are pure (the IR's shape ensures it),
// constant-ness of global initializers, lvalue-ness of `const` objects
// assigned to, asm constraint syntax beyond the output marker.

import IR

/// The IR verifier: rules IR-* of Specs/ir.md.
public enum Verifier {
    public static func verify(_ program: Program) -> [Diagnostic] {
        var run = VerifierRun(program)
        run.run()
        return run.diags
    }
}

struct VerifierRun {
    let p: Program
    var diags: [Diagnostic] = []
    /// Typedefs that refer to themselves (IR-9): seen through as unknown.
    var badTypedef: [Bool]
    var loc: SourceLoc = .unknown
    var context = ""
    var fn: Function?

    // Per function body.
    var declared: [Bool] = []
    var labelDefs: [String: Int] = [:]
    var labelUses: [(String, SourceLoc)] = []
    var loopDepth = 0
    var breakDepth = 0
    var switches: [SwitchInfo] = []

    struct SwitchInfo {
        var values: [(Int64, Int64)] = []
        var hasDefault = false
        /// Case values are bit patterns: compared as unsigned for an unsigned switch.
        var unsigned = false
        func key(_ v: Int64) -> Int64 { unsigned ? v ^ Int64.min : v }
    }

    init(_ p: Program) {
        self.p = p
        badTypedef = Array(repeating: false, count: p.typedefs.count)
    }

    mutating func report(_ rule: Int, _ message: String, at l: SourceLoc? = nil) {
        // Every IR-n check reports here: a rule switched off (Rules.swift) reports nothing.
        guard Rules.enforced("IR-\(rule)") else { return }
        let text = context.isEmpty ? message : context + ": " + message
        diags.append(Diagnostic(.error, l ?? loc, text, rule: "IR-\(rule)"))
    }

    func show(_ t: CType) -> String { "'" + p.printed(t) + "'" }

    // MARK: Type queries, total on malformed programs

    /// Typedefs and qualifiers removed at the top; nil when a typedef is out of range or cyclic.
    func unroll(_ t: CType) -> CType? {
        var t = t
        while true {
            switch t {
            case .typedef(let id):
                guard p.typedefs.indices.contains(id.index), !badTypedef[id.index] else { return nil }
                t = p.typedefs[id.index].type
            case .qualified(let inner, _): t = inner
            default: return t
            }
        }
    }

    /// Unrolled, `_Atomic` removed, an enum seen as its integer type.
    func valueType(_ t: CType) -> CType? {
        switch unroll(t) {
        case .atomic(let inner)?: return valueType(inner)
        case .enumeration(let id)?:
            return p.enums.indices.contains(id.index) ? .int(p.enums[id.index].underlying) : nil
        case let u: return u
        }
    }

    func isInteger(_ t: CType) -> Bool { if case .int? = valueType(t) { return true }; return false }
    func isFloating(_ t: CType) -> Bool { if case .float? = valueType(t) { return true }; return false }
    func isPointer(_ t: CType) -> Bool { if case .pointer? = valueType(t) { return true }; return false }
    func isArithmetic(_ t: CType) -> Bool {
        switch valueType(t) {
        case .int?, .float?, .complex?: return true
        default: return false
        }
    }
    func isScalar(_ t: CType) -> Bool { isArithmetic(t) || isPointer(t) }
    func isVector(_ t: CType) -> Bool { if case .vector? = valueType(t) { return true }; return false }
    func isIntegerVector(_ t: CType) -> Bool {
        if case .vector(let e, _)? = valueType(t) { return isInteger(e) }
        return false
    }
    /// Whether the type could not be computed (an earlier error): no further checks.
    func unknown(_ t: CType) -> Bool { unroll(t) == nil }

    /// The `compatible` relation of Specs/ir.md: equal after removing
    /// typedefs and qualifiers at every level; an enum and its underlying
    /// integer type are compatible; arrays of unknown length match any
    /// length; records and enums match by id, or by kind and tag.
    func compatible(_ a: CType, _ b: CType) -> Bool {
        if a == b { return true }
        guard let x = unroll(a), let y = unroll(b) else { return true }
        switch (x, y) {
        case (.void, .void), (.vaList, .vaList): return true
        case (.int(let k), .int(let l)): return k == l
        case (.enumeration(let e), .int(let k)), (.int(let k), .enumeration(let e)):
            return p.enums.indices.contains(e.index) && p.enums[e.index].underlying == k
        case (.enumeration(let e), .enumeration(let f)):
            guard e != f else { return true }
            guard p.enums.indices.contains(e.index), p.enums.indices.contains(f.index) else { return false }
            return !p.enums[e.index].tag.isEmpty && p.enums[e.index].tag == p.enums[f.index].tag
        case (.float(let k), .float(let l)), (.complex(let k), .complex(let l)): return k == l
        case (.pointer(let s), .pointer(let t)), (.atomic(let s), .atomic(let t)): return compatible(s, t)
        case (.array(let s, let n), .array(let t, let m)): return compatible(s, t) && (n == nil || m == nil || n == m)
        case (.array(let s, _), .vla(let t, _)), (.vla(let s, _), .array(let t, _)), (.vla(let s, _), .vla(let t, _)):
            return compatible(s, t)
        case (.vector(let s, let n), .vector(let t, let m)): return n == m && compatible(s, t)
        case (.function(let f), .function(let g)):
            guard compatible(f.result, g.result) else { return false }
            if !f.hasPrototype || !g.hasPrototype { return true }
            return f.variadic == g.variadic && f.params.count == g.params.count
                && zip(f.params, g.params).allSatisfy { compatible($0, $1) }
        case (.record(let r), .record(let s)):
            guard r != s else { return true }
            guard p.records.indices.contains(r.index), p.records.indices.contains(s.index) else { return false }
            let a = p.records[r.index], b = p.records[s.index]
            return a.kind == b.kind && !a.tag.isEmpty && a.tag == b.tag
        default: return false
        }
    }

    /// Size in bytes, nil when unknown (incomplete, VLA, function, or a bad id).
    func sizeOf(_ t: CType) -> Int? {
        guard let u = unroll(t) else { return nil }
        switch u {
        case .void: return 1
        case .int(let k): return k.size
        case .float(let k): return k.size
        case .complex(let k): return 2 * k.size
        case .pointer: return 8
        case .array(let e, let n): guard let n, let s = sizeOf(e) else { return nil }; return n * s
        case .vla, .function: return nil
        case .record(let id):
            guard p.records.indices.contains(id.index), p.records[id.index].fields != nil else { return nil }
            return p.records[id.index].size
        case .enumeration(let id): return p.enums.indices.contains(id.index) ? p.enums[id.index].underlying.size : nil
        case .atomic(let inner): return sizeOf(inner)
        case .vector(let e, let n): return sizeOf(e).map { $0 * n }
        case .vaList: return 24
        case .typedef, .qualified: return nil
        }
    }

    func isComplete(_ t: CType) -> Bool {
        guard let u = unroll(t) else { return true }
        switch u {
        case .void, .function: return false
        case .array(_, nil): return false
        case .record(let id): return !p.records.indices.contains(id.index) || p.records[id.index].fields != nil
        case .enumeration(let id): return !p.enums.indices.contains(id.index) || p.enums[id.index].isComplete
        default: return true
        }
    }

    // MARK: The program

    mutating func run() {
        checkTypedefCycles()
        checkTables()
        for (i, r) in p.records.enumerated() { checkRecord(r, at: i) }
        for (i, e) in p.enums.enumerated() { checkEnum(e, at: i) }
        for (i, t) in p.typedefs.enumerated() {
            loc = t.loc; context = "typedef '\(t.name)'"
            // IR-1
            if t.id.index != i { report(1, "typedef at index \(i) has id \(t.id.index)") }
            checkType(t.type)
        }
        for (i, g) in p.globals.enumerated() { checkGlobal(g, at: i) }
        for (i, f) in p.functions.enumerated() { checkFunction(f, at: i) }
    }

    /// IR-9: no typedef refers to itself, directly or through other
    /// typedefs (a record breaks the chain: it is referred to by id).
    mutating func checkTypedefCycles() {
        var state = Array(repeating: 0, count: p.typedefs.count)  // 0 new, 1 on the path, 2 done
        func refs(_ t: CType, into out: inout [Int]) {
            switch t {
            case .typedef(let id): out.append(id.index)
            case .pointer(let e), .array(let e, _), .vla(let e, _), .qualified(let e, _), .atomic(let e), .vector(let e, _):
                refs(e, into: &out)
            case .function(let f):
                refs(f.result, into: &out)
                f.params.forEach { refs($0, into: &out) }
            default: break
            }
        }
        func visit(_ i: Int) {
            state[i] = 1
            var out: [Int] = []
            refs(p.typedefs[i].type, into: &out)
            for j in out where p.typedefs.indices.contains(j) {
                if state[j] == 1 {
                    badTypedef[i] = true
                    badTypedef[j] = true
                } else if state[j] == 0 {
                    visit(j)
                }
                if badTypedef[j] { badTypedef[i] = true }
            }
            state[i] = 2
        }
        for i in p.typedefs.indices where state[i] == 0 { visit(i) }
        for (i, t) in p.typedefs.enumerated() where badTypedef[i] {
            // IR-9
            report(9, "typedef '\(t.name)' refers to itself", at: t.loc)
        }
    }

    mutating func checkTables() {
        context = ""
        // IR-3: order entries in range, each entity at most once.
        var seen = Set<TopLevel>()
        for t in p.order {
            let what: String, at: SourceLoc?
            switch t {
            case .record(let id):
                let r = p.records.indices.contains(id.index) ? p.records[id.index] : nil
                (what, at) = ("\(r?.kind.rawValue ?? "record") '\(r?.tag ?? "")' (#\(id.index))", r?.loc)
            case .enumeration(let id):
                let e = p.enums.indices.contains(id.index) ? p.enums[id.index] : nil
                (what, at) = ("enum '\(e?.tag ?? "")' (#\(id.index))", e?.loc)
            case .typedef(let id):
                let d = p.typedefs.indices.contains(id.index) ? p.typedefs[id.index] : nil
                (what, at) = ("typedef '\(d?.name ?? "")' (#\(id.index))", d?.loc)
            case .global(let id):
                let g = p.globals.indices.contains(id.index) ? p.globals[id.index] : nil
                (what, at) = ("global '\(g?.name ?? "")' (#\(id.index))", g?.loc)
            case .function(let id):
                let f = p.functions.indices.contains(id.index) ? p.functions[id.index] : nil
                (what, at) = ("function '\(f?.name ?? "")' (#\(id.index))", f?.loc)
            case .asm: continue
            }
            if at == nil { report(3, "order lists \(what), which is not in the program", at: .unknown) }
            else if !seen.insert(t).inserted { report(3, "order lists \(what) more than once", at: at) }
        }
        // IR-4: globals and functions share one namespace of emitted names.
        var names: [String: SourceLoc] = [:]
        for g in p.globals { uniqueName(g.name, g.loc, &names) }
        for f in p.functions { uniqueName(f.name, f.loc, &names) }
        // IR-5: tags (records and enums together) and typedef names are unique.
        var tags: [String: SourceLoc] = [:]
        for r in p.records where !r.tag.isEmpty && !r.isAnonymousMember {
            if let first = tags.updateValue(r.loc, forKey: r.tag) {
                report(5, "tag '\(r.tag)' is also declared at \(first)", at: r.loc)
            }
        }
        for e in p.enums where !e.tag.isEmpty {
            if let first = tags.updateValue(e.loc, forKey: e.tag) {
                report(5, "tag '\(e.tag)' is also declared at \(first)", at: e.loc)
            }
        }
        var typedefNames: [String: SourceLoc] = [:]
        for t in p.typedefs {
            if let first = typedefNames.updateValue(t.loc, forKey: t.name) {
                report(5, "typedef name '\(t.name)' is also declared at \(first)", at: t.loc)
            }
        }
    }

    mutating func uniqueName(_ n: String, _ l: SourceLoc, _ names: inout [String: SourceLoc]) {
        // IR-4
        if n.isEmpty { report(4, "a global or function has an empty name", at: l); return }
        if let first = names.updateValue(l, forKey: n) { report(4, "name '\(n)' is also used at \(first)", at: l) }
    }

    mutating func checkRecord(_ r: Record, at i: Int) {
        loc = r.loc; context = "\(r.kind.rawValue) '\(r.tag)'"
        // IR-1
        if r.id.index != i { report(1, "record at index \(i) has id \(r.id.index)") }
        // IR-11: layout.
        if r.size < 0 { report(11, "negative size \(r.size)") }
        if r.align < 1 || r.align & (r.align - 1) != 0 { report(11, "alignment \(r.align) is not a power of two") }
        guard let fields = r.fields else { return }
        var names = Set<String>()
        for (k, f) in fields.enumerated() {
            checkType(f.type)
            let what = "field '\(f.name ?? "#\(k)")'"
            if let n = f.name, !names.insert(n).inserted { report(11, "\(what) is declared twice") }
            if f.offsetBits < 0 { report(11, "\(what) has a negative offset") }
            if r.kind == .union && f.offsetBits != 0 { report(11, "\(what) of a union is not at offset 0") }
            if let w = f.bitWidth {
                if !isInteger(f.type) && !unknown(f.type) { report(11, "bit-\(what) has non-integer type \(show(f.type))") }
                let tw = (sizeOf(f.type) ?? 0) * 8
                if w < 0 || (tw > 0 && w > tw) { report(11, "bit-\(what) has width \(w), its type has \(tw) bits") }
                if w == 0 && f.name != nil { report(11, "named bit-\(what) has width 0") }
                if f.offsetBits + w > r.size * 8 { report(11, "\(what) ends at bit \(f.offsetBits + w), past the record's size \(r.size)") }
            } else if let s = sizeOf(f.type) {
                if f.offsetBits + s * 8 > r.size * 8 {
                    report(11, "\(what) ends at byte \((f.offsetBits + s * 8 + 7) / 8), past the record's size \(r.size)")
                }
            } else if case .array(_, nil)? = unroll(f.type), k == fields.count - 1, r.kind == .struct {
                // A flexible array member: its offset only.
                if f.offsetBits > r.size * 8 { report(11, "\(what) starts past the record's size \(r.size)") }
            } else if !unknown(f.type) {
                report(11, "\(what) has incomplete type \(show(f.type))")
            }
        }
    }

    mutating func checkEnum(_ e: EnumDef, at i: Int) {
        loc = e.loc; context = "enum '\(e.tag)'"
        // IR-1
        if e.id.index != i { report(1, "enum at index \(i) has id \(e.id.index)") }
        // IR-12
        if e.names.count != e.values.count { report(12, "\(e.names.count) enumerator names but \(e.values.count) values") }
        var seen = Set<String>()
        for n in e.names where !seen.insert(n).inserted { report(12, "enumerator '\(n)' is declared twice") }
    }

    /// IR-2 and IR-10: every id in a type resolves, and the type is well formed.
    mutating func checkType(_ t: CType) {
        switch t {
        case .void, .int, .float, .complex, .vaList: return
        case .pointer(let e), .qualified(let e, _), .atomic(let e): checkType(e)
        case .array(let e, let n):
            checkType(e)
            // IR-10
            if let n, n < 0 { report(10, "array of negative length \(n)") }
            if let u = unroll(e), u.isVoid || { if case .function = u { return true }; return false }() {
                report(10, "array of \(show(e))")
            }
        case .vla(let e, let n):
            checkType(e)
            // IR-10
            if let u = unroll(e), u.isVoid || { if case .function = u { return true }; return false }() {
                report(10, "array of \(show(e))")
            }
            if let nt = typeOf(n), !isInteger(nt), !unknown(nt) { report(10, "variable length of non-integer type \(show(nt))") }
        case .function(let f):
            checkType(f.result)
            f.params.forEach { checkType($0) }
            // IR-10
            switch unroll(f.result) {
            case .array?, .vla?, .function?: report(10, "function returning \(show(f.result))")
            default: break
            }
            for q in f.params where unroll(q)?.isVoid == true { report(10, "parameter of type void") }
        case .record(let id):
            // IR-2
            if !p.records.indices.contains(id.index) { report(2, "record #\(id.index) does not exist") }
        case .enumeration(let id):
            // IR-2
            if !p.enums.indices.contains(id.index) { report(2, "enum #\(id.index) does not exist") }
        case .typedef(let id):
            // IR-2
            if !p.typedefs.indices.contains(id.index) { report(2, "typedef #\(id.index) does not exist") }
        case .vector(let e, let n):
            checkType(e)
            // IR-10
            if n <= 0 { report(10, "vector of \(n) lanes") }
            if !isArithmetic(e) && !unknown(e) { report(10, "vector of non-arithmetic \(show(e))") }
        }
    }

    mutating func checkGlobal(_ g: GlobalVar, at i: Int) {
        loc = g.loc; context = "global '\(g.name)'"
        fn = nil
        // IR-1
        if g.id.index != i { report(1, "global at index \(i) has id \(g.id.index)") }
        checkType(g.type)
        // IR-35
        if let u = unroll(g.type) {
            if u.isVoid { report(35, "global of type void") }
            if case .function = u { report(35, "global of function type \(show(g.type)): declare it as a function") }
            if case .vla = u { report(35, "global of variable length array type") }
        }
        if let ini = g.initializer { checkInit(ini, g.type) }
    }

    // MARK: Functions

    mutating func checkFunction(_ f: Function, at i: Int) {
        loc = f.loc; context = "function '\(f.name)'"
        fn = f
        defer { fn = nil }
        // IR-1
        if f.id.index != i { report(1, "function at index \(i) has id \(f.id.index)") }
        checkType(.function(f.type))
        // IR-6: local names unique within the function; IR-1 for locals.
        var names: [String: SourceLoc] = [:]
        for (k, l) in f.locals.enumerated() {
            loc = l.loc
            if l.id.index != k { report(1, "local at index \(k) has id \(l.id.index)") }
            if let first = names.updateValue(l.loc, forKey: l.name) { report(6, "local name '\(l.name)' is also used at \(first)") }
            checkType(l.type)
            if let u = unroll(l.type), u.isVoid || { if case .function = u { return true }; return false }() {
                report(10, "local '\(l.name)' of type \(show(l.type))")
            }
        }
        loc = f.loc
        // IR-7: parameters.
        var isListed = Array(repeating: false, count: f.locals.count)
        for id in f.params {
            guard f.locals.indices.contains(id.index) else { report(2, "parameter local #\(id.index) does not exist"); continue }
            if isListed[id.index] { report(7, "parameter '\(f.locals[id.index].name)' is listed twice") }
            isListed[id.index] = true
            if !f.locals[id.index].isParam { report(7, "'\(f.locals[id.index].name)' is listed as a parameter but not marked param") }
        }
        for (k, l) in f.locals.enumerated() where l.isParam && !isListed[k] {
            report(7, "local '\(l.name)' is marked param but not in the parameter list")
        }
        if f.body != nil && f.type.hasPrototype {
            if f.params.count != f.type.params.count {
                report(7, "\(f.params.count) parameters, the function type has \(f.type.params.count)")
            } else {
                for (id, t) in zip(f.params, f.type.params) where f.locals.indices.contains(id.index) {
                    let l = f.locals[id.index]
                    if !compatible(l.type, t) && !compatibleParam(l.type, t) {
                        report(7, "parameter '\(l.name)' has type \(show(l.type)), the function type says \(show(t))", at: l.loc)
                    }
                }
            }
        }
        guard let body = f.body else { return }
        declared = Array(repeating: false, count: f.locals.count)
        labelDefs = [:]
        labelUses = []
        loopDepth = 0; breakDepth = 0; switches = []
        checkStmt(body)
        // IR-31: every label used is defined exactly once.
        for (n, l) in labelUses where labelDefs[n] == nil { report(31, "label '\(n)' is not defined", at: l) }
    }

    /// A parameter declared as an array or function is adjusted to a pointer (C11 6.7.6.3p7).
    /// IR-26's one leniency: an integer argument for an integer parameter of
    /// the same size and other signedness. A call made where only a K&R
    /// declaration was visible passes the promoted argument (C11 6.5.2.2p6,
    /// which allows this case); the frontend keeps the call as written.
    func sameSizeIntegers(_ a: CType, _ b: CType) -> Bool {
        guard case .int(let k)? = valueType(a), case .int(let l)? = valueType(b) else { return false }
        return k.size == l.size
    }

    func compatibleParam(_ local: CType, _ param: CType) -> Bool {
        switch unroll(local) {
        case .array(let e, _)?, .vla(let e, _)?: return compatible(.pointer(e), param)
        case .function?: return compatible(.pointer(local), param)
        default: return false
        }
    }

    // MARK: Statements

    mutating func checkStmt(_ s: Stmt) {
        switch s {
        case .instr(let i): checkInstr(i)
        case .block(let ss): for x in ss { checkStmt(x) }
        case .local(let id, let ini, let l):
            loc = l
            guard let f = fn, f.locals.indices.contains(id.index) else { report(2, "local #\(id.index) does not exist"); return }
            // IR-8
            if f.locals[id.index].isParam { report(8, "parameter '\(f.locals[id.index].name)' has a declaration statement") }
            if declared[id.index] { report(8, "local '\(f.locals[id.index].name)' is declared twice") }
            declared[id.index] = true
            if let ini { checkInit(ini, f.locals[id.index].type) }
        case .if(let c, let t, let e, let l):
            loc = l
            // IR-29
            if let ct = typeOf(c), !isScalar(ct), !unknown(ct) { report(29, "condition of non-scalar type \(show(ct))") }
            checkStmt(t)
            if let e { checkStmt(e) }
        case .loop(let b, let n, _):
            loopDepth += 1; breakDepth += 1
            checkStmt(b)
            if let n { checkStmt(n) }
            loopDepth -= 1; breakDepth -= 1
        case .break(let l):
            // IR-33
            if breakDepth == 0 { report(33, "break outside a loop or switch", at: l) }
        case .continue(let l):
            // IR-33
            if loopDepth == 0 { report(33, "continue outside a loop", at: l) }
        case .switch(let e, let b, let l):
            loc = l
            // IR-30
            let et = typeOf(e)
            if let et, !isInteger(et), !unknown(et) { report(30, "switch on non-integer type \(show(et))") }
            var info = SwitchInfo()
            if let et, case .int(let k)? = valueType(et) { info.unsigned = !k.isSigned }
            switches.append(info)
            breakDepth += 1
            checkStmt(b)
            breakDepth -= 1
            switches.removeLast()
        case .label(let lab, let l):
            loc = l
            switch lab {
            case .named(let n):
                // IR-31
                if labelDefs[n] != nil { report(31, "label '\(n)' is defined twice") }
                labelDefs[n, default: 0] += 1
            case .case(let v): caseLabel(v, v)
            case .caseRange(let lo, let hi):
                // IR-30
                let order = switches.last ?? SwitchInfo()
                if order.key(lo) > order.key(hi) { report(30, "empty case range \(lo) ... \(hi)") }
                caseLabel(lo, hi)
            case .default:
                // IR-32
                guard !switches.isEmpty else { report(32, "default label outside a switch"); return }
                // IR-30
                if switches[switches.count - 1].hasDefault { report(30, "second default label in one switch") }
                switches[switches.count - 1].hasDefault = true
            }
        case .goto(let n, let l): labelUses.append((n, l))
        case .computedGoto(let e, let l):
            loc = l
            if let t = typeOf(e), !isPointer(t), !unknown(t) { report(29, "computed goto through non-pointer \(show(t))") }
        case .return(let e, let l):
            loc = l
            guard let f = fn else { return }
            // IR-34
            let void = unroll(f.type.result)?.isVoid == true
            if let e {
                guard let t = typeOf(e) else { return }
                if void && !(unroll(t)?.isVoid ?? true) { report(34, "return with a value in a function returning void") }
                else if !void && !compatible(t, f.type.result) {
                    report(34, "return of \(show(t)) in a function returning \(show(f.type.result))")
                }
            }
        }
    }

    mutating func caseLabel(_ lo: Int64, _ hi: Int64) {
        // IR-32
        guard !switches.isEmpty else { report(32, "case label outside a switch"); return }
        // IR-30: no value is claimed by two case labels of one switch.
        // Quadratic in the labels of one switch only when ranges are used;
        // plain cases are checked through the same list, kept short in practice.
        let k = switches.count - 1
        let sw = switches[k]
        if let clash = sw.values.first(where: { sw.key($0.0) <= sw.key(hi) && sw.key(lo) <= sw.key($0.1) }) {
            report(30, "case \(lo == hi ? "\(lo)" : "\(lo) ... \(hi)") overlaps case \(clash.0 == clash.1 ? "\(clash.0)" : "\(clash.0) ... \(clash.1)")")
        }
        switches[k].values.append((lo, hi))
    }

    // MARK: Instructions

    mutating func checkInstr(_ i: Instr) {
        loc = i.loc
        switch i {
        case .assign(let lv, let e, _):
            let lt = lvalueType(lv), et = typeOf(e)
            guard let lt, let et else { return }
            // IR-25
            switch unroll(lt) {
            case .array?, .vla?, .function?: report(25, "assignment to an lvalue of type \(show(lt))"); return
            default: break
            }
            if !compatible(lt, et) { report(25, "assignment of \(show(et)) to an lvalue of type \(show(lt))") }
        case .call(let result, let callee, let args, _):
            let argTypes = args.map { typeOf($0) }
            let rt = result.flatMap { lvalueType($0) }
            var ft: FunctionType?
            switch callee {
            case .direct(let id):
                // IR-2
                guard p.functions.indices.contains(id.index) else { report(2, "function #\(id.index) does not exist"); return }
                ft = p.functions[id.index].type
            case .indirect(let e):
                guard let t = typeOf(e), !unknown(t) else { return }
                // IR-26
                if case .pointer(let pt)? = valueType(t), case .function(let f)? = unroll(pt) { ft = f }
                else { report(26, "call through \(show(t)), not a pointer to a function"); return }
            case .builtin: return
            }
            guard let ft else { return }
            // IR-26
            if ft.hasPrototype {
                if args.count < ft.params.count || (!ft.variadic && args.count > ft.params.count) {
                    report(26, "\(args.count) arguments to a function taking \(ft.params.count)\(ft.variadic ? " or more" : "")")
                }
                for (k, (at, pt)) in zip(argTypes, ft.params).enumerated() {
                    if let at, !compatible(at, pt), !sameSizeIntegers(at, pt) {
                        report(26, "argument \(k + 1) has type \(show(at)), the parameter \(show(pt))")
                    }
                }
            }
            if result != nil, let rt {
                if unroll(ft.result)?.isVoid == true { report(26, "the result of a function returning void is stored") }
                else if !compatible(rt, ft.result) {
                    report(26, "result of type \(show(ft.result)) stored in an lvalue of type \(show(rt))")
                }
            }
        case .note(let t, let e, _):
            checkType(t)
            // IR-36
            if let et = typeOf(e), !unknown(et) {
                if case .pointer? = valueType(et) {} else { report(36, "note of \(show(et)), not a pointer") }
            }
            if !isComplete(t) { report(36, "note of incomplete type \(show(t))") }
        case .vaArg(let result, let list, _):
            let rt = lvalueType(result)
            // IR-27
            if let lt = typeOf(list), !unknown(lt) {
                var ok = unroll(lt) == .vaList
                if case .pointer(let q)? = valueType(lt), unroll(q) == .vaList { ok = true }
                if !ok { report(27, "va_arg on \(show(lt)), not a va_list") }
            }
            if let rt, !isComplete(rt) { report(27, "va_arg of incomplete type \(show(rt))") }
        case .asm(let a, _):
            for o in a.outputs {
                _ = typeOf(o.value)
                // IR-28
                if let lv = o.lvalue { _ = lvalueType(lv) } else { report(28, "asm output '\(o.constraint)' has no lvalue") }
                if !(o.constraint.hasPrefix("=") || o.constraint.hasPrefix("+")) {
                    report(28, "asm output constraint '\(o.constraint)' does not start with '=' or '+'")
                }
            }
            for o in a.inputs {
                _ = typeOf(o.value)
                // IR-28
                if o.lvalue != nil { report(28, "asm input '\(o.constraint)' has an lvalue") }
            }
            for l in a.labels { labelUses.append((l, loc)) }
        }
    }

    // MARK: Lvalues

    func fieldOf(_ t: CType) -> (RecordID, [Field])? {
        guard case .record(let id)? = unroll(t), p.records.indices.contains(id.index), let fs = p.records[id.index].fields else {
            return nil
        }
        return (id, fs)
    }

    /// The type of an lvalue, checking IR-2 and IR-14; nil when unknown.
    mutating func lvalueType(_ lv: LValue) -> CType? {
        var t: CType?
        switch lv.host {
        case .local(let id):
            // IR-2
            guard let f = fn else { report(2, "local #\(id.index) used outside a function"); return nil }
            guard f.locals.indices.contains(id.index) else { report(2, "local #\(id.index) does not exist"); return nil }
            t = f.locals[id.index].type
        case .global(let id):
            // IR-2
            guard p.globals.indices.contains(id.index) else { report(2, "global #\(id.index) does not exist"); return nil }
            t = p.globals[id.index].type
        case .mem(let e):
            if let et = typeOf(e), !unknown(et) {
                // IR-14
                if case .pointer(let q)? = valueType(et) { t = q } else { report(14, "dereference of non-pointer \(show(et))") }
            }
        case .compound(let ct, let ini):
            checkType(ct)
            checkInit(ini, ct)
            t = ct
        }
        for o in lv.offsets {
            switch o {
            case .field(let rid, let k):
                // IR-2
                guard p.records.indices.contains(rid.index) else { report(2, "record #\(rid.index) does not exist"); t = nil; continue }
                let r = p.records[rid.index]
                // IR-14
                guard let fs = r.fields, fs.indices.contains(k) else {
                    report(14, "field #\(k) of \(r.kind.rawValue) '\(r.tag)', which has \(r.fields?.count ?? 0) fields")
                    t = nil; continue
                }
                if let cur = t, !unknown(cur) {
                    if case .record(let have)? = unroll(cur), have == rid {} else {
                        report(14, "field '\(fs[k].name ?? "#\(k)")' of \(r.kind.rawValue) '\(r.tag)' taken from a value of type \(show(cur))")
                    }
                }
                t = fs[k].type
            case .index(let e):
                // IR-14
                if let it = typeOf(e), !isInteger(it), !unknown(it) { report(14, "index of non-integer type \(show(it))") }
                guard let cur = t, let u = unroll(cur) else { t = nil; continue }
                switch u {
                case .array(let el, _), .vla(let el, _), .vector(let el, _): t = el
                default: report(14, "index into \(show(cur)), not an array or vector"); t = nil
                }
            }
        }
        return t
    }

    // MARK: Expressions

    /// The type of an expression, checking its rules; nil when unknown.
    mutating func typeOf(_ e: Expr) -> CType? {
        switch e {
        case .const(let c, let t):
            checkType(t)
            if unknown(t) { return t }
            // IR-13
            switch c {
            case .int:
                if !isInteger(t) && !isPointer(t) { report(13, "integer constant of type \(show(t))") }
            case .float:
                // A floating constant of complex type is imaginary: `2.0i` is 0 + 2i.
                var isComplex = false
                if case .complex? = valueType(t) { isComplex = true }
                if !isFloating(t) && !isComplex { report(13, "floating constant of type \(show(t))") }
            case .string(let units, let width):
                guard case .array(let el, let n)? = unroll(t), isInteger(el) else {
                    report(13, "string constant of type \(show(t)), not an array of characters"); return t
                }
                if let s = sizeOf(el), s != width { report(13, "string of width \(width) with elements of \(s) bytes") }
                if let n, n < units.count { report(13, "string of \(units.count) characters in an array of \(n)") }
            case .enumerator:
                if !isInteger(t) { report(13, "enumerator of type \(show(t))") }
            }
            return t
        case .read(let lv): return lvalueType(lv)
        case .addrOf(let lv):
            let t = lvalueType(lv)
            // IR-15
            if case .field(let rid, let k)? = lv.offsets.last, p.records.indices.contains(rid.index),
               let fs = p.records[rid.index].fields, fs.indices.contains(k), fs[k].bitWidth != nil {
                report(15, "address of bit-field '\(fs[k].name ?? "#\(k)")'")
            }
            return t.map { .pointer($0) }
        case .startOf(let lv):
            guard let t = lvalueType(lv), let u = unroll(t) else { return nil }
            switch u {
            case .array(let el, _), .vla(let el, _): return .pointer(el)
            default:
                // IR-15
                report(15, "startof of \(show(t)), not an array")
                return nil
            }
        case .function(let id):
            // IR-2
            guard p.functions.indices.contains(id.index) else { report(2, "function #\(id.index) does not exist"); return nil }
            return .pointer(.function(p.functions[id.index].type))
        case .labelAddr(let l):
            labelUses.append((l, loc))
            return .voidPtr
        case .unary(let op, let a, let t):
            checkType(t)
            guard let at = typeOf(a), !unknown(at), !unknown(t) else { return t }
            // IR-16
            switch op {
            case .neg:
                if !isArithmetic(at) && !isVector(at) { report(16, "negation of \(show(at))") }
                else if !compatible(at, t) { report(16, "negation of \(show(at)) with result \(show(t))") }
            case .bitNot:
                if !isInteger(at) && !isIntegerVector(at) && !(valueType(at).map { if case .complex = $0 { return true }; return false } ?? false) {
                    report(16, "'~' on \(show(at))")
                } else if !compatible(at, t) { report(16, "'~' on \(show(at)) with result \(show(t))") }
            case .logNot:
                if !isScalar(at) { report(16, "'!' on non-scalar \(show(at))") }
                if valueType(t) != .int(.int) { report(16, "'!' with result \(show(t)), not int") }
            case .real, .imag:
                guard let v = valueType(at) else { return t }
                switch v {
                case .complex(let k):
                    if valueType(t) != .float(k) { report(16, "\(op.rawValue) of \(show(at)) with result \(show(t))") }
                case .int, .float:
                    if !compatible(at, t) { report(16, "\(op.rawValue) of \(show(at)) with result \(show(t))") }
                default: report(16, "\(op.rawValue) of \(show(at))")
                }
            }
            return t
        case .binary(let op, let a, let b, let t):
            checkType(t)
            let at = typeOf(a), bt = typeOf(b)
            guard let at, let bt, !unknown(at), !unknown(bt), !unknown(t) else { return t }
            checkBinary(op, at, bt, t)
            return t
        case .cond(let c, let a, let b, let t):
            checkType(t)
            let ct = typeOf(c), at = typeOf(a), bt = typeOf(b)
            // IR-21
            if let ct, !isScalar(ct), !unknown(ct) { report(21, "condition of non-scalar type \(show(ct))") }
            if unroll(t)?.isVoid != true {
                if let at, !compatible(at, t) { report(21, "'?:' branch of type \(show(at)) with result \(show(t))") }
                if let bt, !compatible(bt, t) { report(21, "'?:' branch of type \(show(bt)) with result \(show(t))") }
            }
            return t
        case .cast(let t, let a):
            checkType(t)
            guard let at = typeOf(a), !unknown(at), !unknown(t) else { return t }
            checkCast(t, from: at)
            return t
        case .sizeOf(let t, let v):
            checkType(t)
            // IR-23
            if v < 0 { report(23, "sizeof with negative value \(v)") }
            else if let s = sizeOf(t), s != v { report(23, "sizeof(\(p.printed(t))) is \(s), not \(v)") }
            return .sizeT
        case .alignOf(let t, let v):
            checkType(t)
            // IR-23
            if v < 1 || v & (v - 1) != 0 { report(23, "alignof with value \(v), not a power of two") }
            return .sizeT
        case .compoundLiteral(let t, let ini):
            checkType(t)
            checkInit(ini, t)
            return t
        case .current(let rid, let a):
            guard let at = typeOf(a), !unknown(at) else { return nil }
            // IR-36
            guard p.records.indices.contains(rid.index) else { report(2, "record #\(rid.index) does not exist"); return at }
            guard case .pointer(let q)? = valueType(at), case .record(let have)? = unroll(q), have == rid else {
                report(36, "current(\(p[rid].kind.rawValue) \(p[rid].tag), …) of \(show(at)), not a pointer to it")
                return at
            }
            if p[rid].fields == nil { report(36, "current of incomplete \(p[rid].kind.rawValue) '\(p[rid].tag)'") }
            return at
        case .pinned(let rid, let k, let a):
            guard let at = typeOf(a), !unknown(at) else { return nil }
            // IR-36
            guard p.records.indices.contains(rid.index) else { report(2, "record #\(rid.index) does not exist"); return nil }
            guard case .pointer(let q)? = valueType(at), case .record(let have)? = unroll(q), have == rid else {
                report(36, "pinned(\(p[rid].kind.rawValue) \(p[rid].tag), …) of \(show(at)), not a pointer to it")
                return nil
            }
            guard let fields = p[rid].fields, fields.indices.contains(k), fields[k].bitWidth == nil else {
                report(36, "pinned field #\(k) of \(p[rid].kind.rawValue) '\(p[rid].tag)', which has no such field")
                return nil
            }
            return .pointer(fields[k].type)
        }
    }

    mutating func checkBinary(_ op: BinaryOp, _ a: CType, _ b: CType, _ t: CType) {
        let name = "'\(op.rawValue)'"
        switch op {
        case .add, .sub, .mul, .div, .rem, .bitAnd, .bitOr, .bitXor:
            // IR-17
            let integral = [.rem, .bitAnd, .bitOr, .bitXor].contains(op)
            for x in [a, b] {
                let ok = integral ? (isInteger(x) || isIntegerVector(x)) : (isArithmetic(x) || isVector(x))
                if !ok { report(17, "\(name) on \(show(x)), not \(integral ? "an integer" : "an arithmetic") type"); return }
            }
            if !compatible(a, t) || !compatible(b, t) {
                report(17, "\(name) on \(show(a)) and \(show(b)) with result \(show(t)): conversions must be explicit")
            }
        case .shl, .shr:
            // IR-18
            if !(isInteger(a) || isIntegerVector(a)) || !(isInteger(b) || isIntegerVector(b)) {
                report(18, "\(name) on \(show(a)) and \(show(b)), not integers")
            } else if !compatible(a, t) {
                report(18, "\(name) of \(show(a)) with result \(show(t)): the result has the left operand's type")
            }
        case .lt, .gt, .le, .ge, .eq, .ne:
            // IR-19
            if isVector(a) || isVector(b) {
                if !compatible(a, b) { report(19, "\(name) on \(show(a)) and \(show(b))") }
                return
            }
            if !((isArithmetic(a) && isArithmetic(b)) || (isPointer(a) && isPointer(b))) {
                report(19, "\(name) on \(show(a)) and \(show(b))")
            } else if !compatible(a, b) {
                report(19, "\(name) on \(show(a)) and \(show(b)): operand types differ")
            }
            if valueType(t) != .int(.int) { report(19, "\(name) with result \(show(t)), not int") }
        case .logAnd, .logOr:
            // IR-19
            if !isScalar(a) || !isScalar(b) { report(19, "\(name) on \(show(a)) and \(show(b)), not scalars") }
            if valueType(t) != .int(.int) { report(19, "\(name) with result \(show(t)), not int") }
        case .ptrAdd, .ptrSub:
            // IR-20
            if !isPointer(a) || !isInteger(b) { report(20, "\(name) on \(show(a)) and \(show(b)): needs a pointer and an integer") }
            else if !compatible(a, t) { report(20, "\(name) on \(show(a)) with result \(show(t))") }
        case .ptrDiff:
            // IR-20
            guard case .pointer(let pa)? = valueType(a), case .pointer(let pb)? = valueType(b) else {
                report(20, "\(name) on \(show(a)) and \(show(b)): needs two pointers"); return
            }
            if !compatible(pa, pb) { report(20, "\(name) between pointers to \(show(pa)) and \(show(pb))") }
            if valueType(t) != .long { report(20, "\(name) with result \(show(t)), not long") }
        }
    }

    /// IR-22: what an explicit conversion may do.
    mutating func checkCast(_ t: CType, from a: CType) {
        guard let to = valueType(t), let from = valueType(a) else { return }
        if to.isVoid { return }
        let ok: Bool
        switch (to, from) {
        case (.pointer, .float), (.float, .pointer), (.pointer, .complex), (.complex, .pointer): ok = false
        case (.pointer(let pt), .array(let el, _)):
            // The decay of an array that is no lvalue (a string constant).
            ok = compatible(pt, el) || unroll(pt)?.isVoid == true
        case (.vector, .vector), (.vector, .int), (.int, .vector): ok = sizeOf(to) == sizeOf(from)
        default: ok = (isScalar(t) && isScalar(a)) || compatible(t, a)
        }
        if !ok { report(22, "cast from \(show(a)) to \(show(t))") }
    }

    // MARK: Initializers

    /// IR-24: an initializer's shape matches the type it initializes.
    mutating func checkInit(_ ini: Initializer, _ target: CType) {
        switch ini {
        case .expr(let e):
            guard let et = typeOf(e) else { return }
            if case .const(.string, _) = e, case .array(let te, _)? = unroll(target), case .array(let ee, _)? = unroll(et) {
                if !compatible(te, ee) { report(24, "string of \(show(et)) initializes \(show(target))") }
                return
            }
            if !compatible(et, target) { report(24, "value of type \(show(et)) initializes \(show(target))") }
        case .compound(let ct, let entries):
            checkType(ct)
            if !compatible(ct, target) { report(24, "braced initializer of type \(show(ct)) for \(show(target))") }
            guard let u = unroll(ct) else { return }
            switch u {
            case .record(let id):
                guard p.records.indices.contains(id.index) else { return }
                guard let fs = p.records[id.index].fields else { report(24, "initializer for incomplete \(show(ct))"); return }
                for en in entries {
                    guard case .field(let k) = en.designator else { report(24, "index designator in a record initializer"); continue }
                    guard fs.indices.contains(k) else { report(24, "field #\(k) of \(show(ct)), which has \(fs.count) fields"); continue }
                    checkInit(en.value, fs[k].type)
                }
            case .array(let el, let n):
                checkElements(entries, el, n, ct)
            case .vector(let el, let n):
                checkElements(entries, el, n, ct)
            case .vla:
                if !entries.isEmpty { report(24, "initializer with elements for a variable length array") }
            default:
                report(24, "braced initializer for non-aggregate \(show(ct))")
            }
        }
    }

    mutating func checkElements(_ entries: [InitEntry], _ el: CType, _ n: Int?, _ ct: CType) {
        for en in entries {
            switch en.designator {
            case .field: report(24, "field designator in an array initializer"); continue
            case .index(let k):
                if k < 0 || (n.map { k >= $0 } ?? false) { report(24, "index \(k) out of bounds of \(show(ct))") }
            case .range(let lo, let hi):
                if lo < 0 || lo > hi || (n.map { hi >= $0 } ?? false) { report(24, "range \(lo) ... \(hi) out of bounds of \(show(ct))") }
            }
            checkInit(en.value, el)
        }
    }
}
