// Which named structs may be wrapped: the abstraction-violating alias
// analysis (Ginseng's), rules ALIAS-1 … ALIAS-8 of Specs/alias.md.
//
// A wrapped `struct T` keeps its layout, but once a patch changes it, its
// objects are converted (in place, or moved to the heap) on first access by
// graft's code; that is sound only when T's bytes are reached only as T by
// code graft builds. One pass over the whole program (every
// function body, every global initializer, every union) collects, for each
// use that would show T's representation to something other than T-typed
// code, a note with the rule id and the location of the use. The candidates
// without a note are wrapped.
//
// "T is exposed by a use of type X" always means: T is X, or T is reached by
// value inside X through arrays, nested structs and unions (`contained`):
// whoever sees X's bytes sees T's too.
//
// Trusted, not detected (Specs/alias.md, "Limits"): a T * stored as void *
// (or an integer) and read back as another pointer type; indirect calls
// (the callee is not known); an external function's address taken.

import IR

public struct WrappingDecision: Sendable {
    public var wrapped: Set<RecordID>
    /// Why each candidate record is not wrapped: one or more diagnostics (severity .note or .warning), each with a rule id and the location of the offending use.
    public var excluded: [RecordID: [Diagnostic]]
    public init(wrapped: Set<RecordID> = [], excluded: [RecordID: [Diagnostic]] = [:]) {
        self.wrapped = wrapped; self.excluded = excluded
    }
}

public enum AliasAnalysis {
    public static func analyze(_ p: Program) -> WrappingDecision {
        let cands = p.records.filter { candidacy($0) == nil }.map(\.id)
        let isCand = Set(cands)
        var excluded: [RecordID: [Diagnostic]] = [:]
        var seen = Set<String>()
        // Each finding excludes under its ALIAS-n; a rule switched off (Rules.swift) excludes nothing.
        for (r, d) in layoutFindings(p) + useFindings(p) where isCand.contains(r) && Rules.enforced(d) {
            if seen.insert("\(r.index) \(d)").inserted {
                excluded[r, default: []].append(d)
            }
        }
        return WrappingDecision(wrapped: Set(cands.filter { excluded[$0] == nil }), excluded: excluded)
    }

    /// Human-readable report for `graft build --explain-types`: one line per named struct, "wrapped" or "not wrapped", and for each exclusion the rendered diagnostics (file:line:col: note: … [ALIAS-n]).
    public static func explain(_ d: WrappingDecision, in p: Program) -> String {
        var out = ""
        for r in p.records where isOwn(r) && !r.isAnonymousMember && !r.tag.hasPrefix("__anon_") {
            let name = "\(r.kind.rawValue) \(r.tag)"
            if let why = candidacy(r) {
                out += "\(name) (\(r.loc)): not wrapped: \(why)\n"
            } else if d.wrapped.contains(r.id) {
                out += "\(name) (\(r.loc)): wrapped\n"
            } else {
                out += "\(name) (\(r.loc)): not wrapped\n"
                for diag in d.excluded[r.id] ?? [] {
                    out += diag.rendered().split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
                }
            }
        }
        return out
    }

    // MARK: Candidates

    /// Defined in the program's own sources (not a system header).
    static func isOwn(_ r: Record) -> Bool { !r.loc.file.isEmpty && !r.loc.file.hasPrefix("/usr/") }

    /// nil for a candidate (a complete, tagged struct of the program's own
    /// sources); otherwise why the record is not one.
    public static func candidacy(_ r: Record) -> String? {
        if r.kind == .union { return "a union is not wrapped (its members share storage)" }
        if r.fields == nil { return "incomplete (declared, never defined here)" }
        if r.isAnonymousMember || r.tag.hasPrefix("__anon_") { return "anonymous" }
        if !isOwn(r) { return "defined in a system header" }
        return nil
    }

    // MARK: ALIAS-1: layout fixed by the definition

    static func layoutFindings(_ p: Program) -> [(RecordID, Diagnostic)] {
        var out: [(RecordID, Diagnostic)] = []
        func note(_ r: Record, _ why: String) {
            out.append((r.id, Diagnostic(.note, r.loc, "struct \(r.tag) is not wrapped: \(why)", rule: "ALIAS-1")))
        }
        let layoutAttrs: Set<String> = ["packed", "__packed__", "aligned", "__aligned__"]
        for r in p.records where r.kind == .struct {
            guard let fields = r.fields else { continue }
            for a in r.attributes {  // ALIAS-1: packed, aligned, #pragma pack
                if a.name == Attribute.pragmaPack { note(r, "defined under #pragma pack(\(a.args.joined(separator: ", ")))") }
                else if layoutAttrs.contains(a.name) { note(r, "its layout is fixed by __attribute__((\(a.name)))") }
            }
            for (i, f) in fields.enumerated() {
                let name = f.name.map { "'\($0)'" } ?? "#\(i)"
                for a in f.attributes where layoutAttrs.contains(a.name) {  // ALIAS-1: field attributes
                    note(r, "field \(name) has __attribute__((\(a.name)))")
                }
                switch p.unroll(f.type) {
                case .vla:  // ALIAS-1: VLA field
                    note(r, "field \(name) is a variable-length array")
                default: break
                }
            }
        }
        return out
    }

    // MARK: Types

    /// The records whose bytes are part of an object of type `t`: `t` itself
    /// and whatever it holds by value, through arrays, structs and unions.
    static func contained(_ t: CType, in p: Program) -> [RecordID] {
        var out: [RecordID] = []
        var seen = Set<RecordID>()
        func go(_ t: CType) {
            switch p.unroll(t) {
            case .record(let id):
                guard seen.insert(id).inserted else { return }
                out.append(id)
                for f in p[id].fields ?? [] { go(f.type) }
            case .array(let e, _), .vla(let e, _), .atomic(let e): go(e)
            default: break
            }
        }
        go(t)
        return out
    }

    /// Typedefs, qualifiers, `_Atomic` and array dimensions removed: two
    /// pointers view memory as the same objects when their pointees agree here.
    static func element(_ t: CType, in p: Program) -> CType {
        switch p.unroll(t) {
        case .atomic(let e), .array(let e, _), .vla(let e, _): return element(e, in: p)
        case .pointer(let e): return .pointer(element(e, in: p))
        case let u: return u
        }
    }

    /// A short C spelling for messages.
    static func spell(_ t: CType, in p: Program) -> String {
        switch t {
        case .void: return "void"
        case .int(let k): return k.spelling
        case .float(let k): return k.spelling
        case .complex(let k): return "_Complex " + k.spelling
        case .pointer(let e): return spell(e, in: p) + " *"
        case .array(let e, let n): return spell(e, in: p) + "[\(n.map(String.init) ?? "")]"
        case .vla(let e, _): return spell(e, in: p) + "[*]"
        case .function: return "function"
        case .record(let id): return "\(p[id].kind.rawValue) \(p[id].tag)"
        case .enumeration(let id): return "enum \(p[id].tag)"
        case .typedef(let id): return p[id].name
        case .qualified(let e, let q):
            return (q.contains(.const) ? "const " : "") + (q.contains(.volatile) ? "volatile " : "") + spell(e, in: p)
        case .atomic(let e): return "_Atomic(\(spell(e, in: p)))"
        case .vector(let e, let n): return spell(e, in: p) + " vector[\(n)]"
        case .vaList: return "va_list"
        }
    }

    /// ALIAS-8: the declared `dlopen`/`dlmopen` the program refers to, if any.
    static func runtimeLoader(_ p: Program) -> Function? {
        let loaders = Set(p.functions.filter { $0.body == nil && ["dlopen", "dlmopen"].contains($0.sourceName) }.map(\.id))
        guard !loaders.isEmpty else { return nil }
        final class Seen { var id: FuncID? }
        let seen = Seen()
        let m = IDMapper(function: { id in if loaders.contains(id) { seen.id = id }; return id })
        for f in p.functions where f.body != nil { _ = m.map(f) }
        for g in p.globals { _ = m.map(g) }
        return seen.id.map { p[$0] }
    }

    // MARK: ALIAS-2 … ALIAS-6: uses

    static func useFindings(_ p: Program) -> [(RecordID, Diagnostic)] {
        var w = UseWalk(p: p)
        // ALIAS-4: a union's members share storage: each is the others' bytes.
        for u in p.records where u.kind == .union {
            for f in u.fields ?? [] {
                for r in contained(f.type, in: p) {
                    let inside = p.unroll(f.type) == .record(r) ? "" : " (inside '\(spell(f.type, in: p))')"
                    w.note(r, 4, "it is punned through '\(spell(.record(u.id), in: p))'"
                           + (f.name.map { ", member '\($0)'" } ?? "") + inside, at: u.loc)
                }
            }
        }
        for g in p.globals {
            w.loc = g.loc
            if let i = g.initializer { w.initializer(i) }
            // ALIAS-6: an object of T (or T *) that only code outside the program defines.
            if g.storage == .extern {
                w.expose(g.type, alsoPointee: true, 6, "'\(g.name)' of type '\(spell(g.type, in: p))' is defined outside the program")
            }
        }
        // ALIAS-8: a program that loads code at run time exposes its exported
        // interface: the loaded code may call any external function with T's
        // plain layout (or arrays spaced by it).
        if let loader = runtimeLoader(p) {
            for f in p.functions where f.body != nil && f.storage != .static && f.sourceName != "main" {
                w.loc = f.loc
                for (i, t) in f.type.params.enumerated() {
                    w.expose(t, alsoPointee: true, 8, "'\(spell(t, in: p))' is parameter \(i + 1) of exported function '\(f.sourceName)', which code loaded with '\(loader.sourceName)' may call")
                }
                w.expose(f.type.result, alsoPointee: true, 8, "'\(spell(f.type.result, in: p))' is returned by exported function '\(f.sourceName)', which code loaded with '\(loader.sourceName)' may call")
            }
        }
        for f in p.functions {
            guard let body = f.body else { continue }
            w.fn = f
            w.loc = f.loc
            w.stmt(body)
        }
        return w.out
    }
}

/// One walk over expressions, instructions and statements, collecting notes.
struct UseWalk {
    let p: Program
    var fn: Function?
    var loc: SourceLoc = .unknown
    var out: [(RecordID, Diagnostic)] = []

    func spell(_ t: CType) -> String { AliasAnalysis.spell(t, in: p) }
    func type(_ e: Expr) -> CType { p.typeOf(e, in: fn) }

    mutating func note(_ r: RecordID, _ rule: Int, _ message: String, at l: SourceLoc? = nil) {
        out.append((r, Diagnostic(.note, l ?? loc, "struct \(p[r].tag) is not wrapped: " + message, rule: "ALIAS-\(rule)")))
    }

    /// Notes every record whose bytes an object of type `t` holds; with
    /// `alsoPointee`, and those `t` points to when it is a pointer.
    mutating func expose(_ t: CType, alsoPointee: Bool = false, _ rule: Int, _ what: String) {
        var ts = [t]
        if alsoPointee, let e = p.pointee(t) { ts.append(e) }
        for t in ts {
            for r in AliasAnalysis.contained(t, in: p) {
                let inside = p.unroll(t) == .record(r) ? "" : " (inside '\(spell(t))')"
                note(r, rule, what + inside)
            }
        }
    }

    // MARK: Expressions

    mutating func expr(_ e: Expr) {
        switch e {
        case .const, .function, .labelAddr, .sizeOf, .alignOf: break
        case .read(let lv): lvalue(lv)
        case .addrOf(let lv), .startOf(let lv):
            // ALIAS-7: a field's address in a static initializer does not exclude its record: the loader computes it
            // in the layout every object of static storage has when it is loaded (Wrapping+Pass leaves it plain);
            // the field is taken (PATCH-7), and a patch sets NEW's such addresses when it is committed (LoadTimeAddresses).
            lvalue(lv)
        case .unary(_, let a, _), .current(_, let a), .pinned(_, _, let a): expr(a)
        case .binary(_, let a, let b, _): expr(a); expr(b)
        case .cond(let c, let a, let b, _): expr(c); expr(a); expr(b)
        case .compoundLiteral(_, let i): initializer(i)
        case .cast(let to, let a):
            expr(a)
            if case .const(.int(0), _) = a { break }   // a null pointer constant points nowhere
            cast(to: to, from: type(a))
        }
    }

    /// ALIAS-2: a pointer cast between views of different non-void object
    /// types exposes the records each side points to (void * is trusted).
    mutating func cast(to: CType, from: CType) {
        // An integer made into a T * (or a T * made into an integer and back):
        // the object is wherever the number says, never allocated as a T.
        if let a = p.pointee(to), p.pointee(from) == nil, case .int = p.unroll(from),
           !AliasAnalysis.element(a, in: p).isVoid {
            expose(a, 2, "an integer ('\(spell(from))') is cast to '\(spell(to))'")
            return
        }
        guard let a = p.pointee(to), let b = p.pointee(from) else { return }
        let ea = AliasAnalysis.element(a, in: p), eb = AliasAnalysis.element(b, in: p)
        guard !ea.isVoid, !eb.isVoid, ea != eb else { return }
        let what = "'\(spell(from))' is cast to '\(spell(to))'"
        expose(a, 2, what)
        expose(b, 2, what)
    }

    mutating func lvalue(_ lv: LValue) {
        switch lv.host {
        case .local, .global: break
        case .mem(let e):
            // `&((struct T *)0)->f`: offsetof by hand, a field of no object.
            if case .cast(let t, .const(.int, _)) = e, let pt = p.pointee(t), !AliasAnalysis.element(pt, in: p).isVoid {
                expose(pt, 2, "a field is reached through '(\(spell(t)))' made from an integer (offsetof by hand)")
            }
            expr(e)
        case .compound(_, let i): initializer(i)
        }
        for case .index(let e) in lv.offsets { expr(e) }
    }

    mutating func initializer(_ i: Initializer) {
        switch i {
        case .expr(let e): expr(e)
        case .compound(_, let entries): for x in entries { initializer(x.value) }
        }
    }

    // MARK: Instructions and statements

    mutating func instr(_ i: Instr) {
        loc = i.loc
        switch i {
        case .assign(let lv, let e, _): lvalue(lv); expr(e)
        case .vaArg(let lv, let list, _): lvalue(lv); expr(list)
        case .note(_, let e, _): expr(e)
        case .call(let result, let callee, let args, _):
            if let result { lvalue(result) }
            if case .indirect(let e) = callee { expr(e) }
            args.forEach { expr($0) }
            call(callee, args)
        case .asm(let a, _):
            // ALIAS-5: an asm operand sees the bytes of what it is or points to.
            for (k, o) in (a.outputs.map { ("output", $0) } + a.inputs.map { ("input", $0) }) {
                expr(o.value)
                if let lv = o.lvalue { lvalue(lv) }
                expose(type(o.value), alsoPointee: true, 5, "'\(spell(type(o.value)))' is an asm \(k) operand (\"\(o.constraint)\")")
            }
        }
    }

    /// The name of a callee that the program declares but does not define
    /// (or a compiler builtin), with its type when known; nil for a call
    /// into the program (or an unknown indirect one).
    func external(_ c: Callee) -> (name: String, type: FunctionType?)? {
        switch c {
        case .direct(let id):
            return p[id].isDefinition ? nil : (p[id].name, p[id].type)
        case .builtin(let name):
            var n = name
            for prefix in ["__builtin___", "__builtin_"] where n.hasPrefix(prefix) { n = String(n.dropFirst(prefix.count)); break }
            if n.hasSuffix("_chk") { n = String(n.dropLast(4)) }
            return (n, nil)
        case .indirect(let e):
            if case .function(let id) = e { return external(.direct(id)) }
            return nil
        }
    }

    /// A pointer argument as written: an implicit conversion to void * removed.
    func uncast(_ e: Expr) -> Expr {
        if case .cast(let t, let inner) = e, let pt = p.pointee(t), p.unroll(pt).isVoid, p.isPointer(type(inner)) {
            return uncast(inner)
        }
        return e
    }

    /// ALIAS-3 allow-list: library functions that treat a T object as a whole.
    func allowed(_ name: String, arg i: Int, _ args: [Expr]) -> Bool {
        switch name {
        case "free", "memset", "qsort", "bsearch": return true
        case "object_size", "dynamic_object_size", "prefetch": return true  // no access to the bytes
        case "realloc": return i == 0
        case "memcpy", "memmove":
            guard args.count >= 2, i < 2 else { return false }
            let a = args.prefix(2).map { p.pointee(type(uncast($0))).map { AliasAnalysis.element($0, in: p) } }
            return a[0] != nil && a[0] == a[1]
        default:
            // `%p` prints the pointer's value and never reads the object.
            guard let f = Self.formatArgument[name], args.count > f, i > f, let fmt = stringConstant(args[f]),
                  let convs = Self.conversions(fmt) else { return false }
            return i - f - 1 < convs.count && convs[i - f - 1] == "p"
        }
    }

    /// ALIAS-3: argument `i` is callback user data: a pointer passed as a
    /// `void *` parameter of a library function that, in the same call, is
    /// given a function the program defines taking a `void *` — the
    /// callback the library hands the pointer back to (`event_set(ev, fd,
    /// on_ready, conn)`, `pthread_create(&t, 0, worker, job)`). A convention
    /// of C libraries, trusted (Specs/alias.md, Limits): the library keeps
    /// the pointer and never reads the object.
    func userData(_ t: FunctionType?, arg i: Int, _ args: [Expr]) -> Bool {
        guard let t, i < t.params.count, let pt = p.pointee(t.params[i]), p.unroll(pt).isVoid else { return false }
        func stripped(_ e: Expr) -> Expr { var e = e; while case .cast(_, let inner) = e { e = inner }; return e }
        guard p.isPointer(type(uncast(args[i]))) else { return false }
        if case .function = stripped(args[i]) { return false }
        return args.enumerated().contains { j, a in
            guard j != i, case .function(let f) = stripped(a), p[f].isDefinition else { return false }
            return p[f].type.params.contains { q in p.pointee(q).map { p.unroll($0).isVoid } ?? false }
        }
    }

    /// The printf-family functions, by library name, and the index of their format argument.
    static let formatArgument: [String: Int] = [
        "printf": 0, "fprintf": 1, "dprintf": 1, "sprintf": 1, "snprintf": 2, "syslog": 1,
        "__printf_chk": 1, "__fprintf_chk": 2, "__dprintf_chk": 2, "__sprintf_chk": 3, "__snprintf_chk": 4, "__syslog_chk": 2,
    ]

    /// A string literal argument's text (one-byte units only).
    func stringConstant(_ e: Expr) -> String? {
        switch e {
        case .cast(_, let a): return stringConstant(a)
        case .const(.string(let units, 1), _): return String(decoding: units.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        case .startOf(let lv) where lv.offsets.isEmpty:
            if case .mem(let a) = lv.host { return stringConstant(a) }
            if case .compound(_, .expr(let a)) = lv.host { return stringConstant(a) }
            return nil
        default: return nil
        }
    }

    /// The conversion of each argument a printf format consumes, in order
    /// (`*` widths and precisions as "*"); nil for a format this does not
    /// read exactly (positional `%1$p`, an unknown conversion).
    static func conversions(_ fmt: String) -> [Character]? {
        var out: [Character] = []
        var it = Array(fmt)[...]
        while let c = it.popFirst() {
            guard c == "%" else { continue }
            while let f = it.first, "-+ #0'I".contains(f) { it.removeFirst() }
            if it.first == "*" { it.removeFirst(); out.append("*") } else { while let d = it.first, d.isNumber { it.removeFirst() } }
            if it.first == "." {
                it.removeFirst()
                if it.first == "*" { it.removeFirst(); out.append("*") } else { while let d = it.first, d.isNumber { it.removeFirst() } }
            }
            if it.first == "$" { return nil }
            while let l = it.first, "hlLqjzZt".contains(l) { it.removeFirst() }
            guard let conv = it.popFirst() else { return nil }
            switch conv {
            case "%", "m": continue
            case "d", "i", "o", "u", "x", "X", "e", "E", "f", "F", "g", "G", "a", "A", "c", "s", "p", "n", "C", "S": out.append(conv)
            default: return nil
            }
        }
        return out
    }

    mutating func call(_ callee: Callee, _ args: [Expr]) {
        let ext = external(callee)
        let ftype: FunctionType? = {
            switch callee {
            case .direct(let id): return p[id].type
            case .indirect(let e): return p.functionType(type(e))
            case .builtin: return nil
            }
        }()
        for (i, arg) in args.enumerated() {
            let t = type(uncast(arg))
            // ALIAS-3: a T by value as a variadic argument (read back with va_arg at any type).
            if let ftype, ftype.variadic, i >= ftype.params.count {
                expose(t, 3, "'\(spell(t))' is passed by value as variadic argument \(i + 1)")
            }
            // ALIAS-3: a T (or T *) handed to code outside the program, which knows its plain layout.
            if let ext, !allowed(ext.name, arg: i, args), !userData(ext.type, arg: i, args) {
                expose(t, alsoPointee: true, 3, "'\(spell(t))' is passed to external function '\(ext.name)' (argument \(i + 1))")
            }
        }
        // ALIAS-3: a T (or T *) made by code outside the program.
        if let ext, let r = ext.type?.result {
            expose(r, alsoPointee: true, 3, "'\(spell(r))' is returned by external function '\(ext.name)'")
        }
    }

    mutating func stmt(_ s: Stmt) {
        switch s {
        case .instr(let i): instr(i)
        case .block(let ss): ss.forEach { stmt($0) }
        case .local(_, let i, let l): loc = l; if let i { initializer(i) }
        case .if(let c, let t, let e, let l): loc = l; expr(c); stmt(t); if let e { stmt(e) }
        case .loop(let body, let next, _): stmt(body); if let next { stmt(next) }
        case .switch(let e, let body, let l): loc = l; expr(e); stmt(body)
        case .computedGoto(let e, let l): loc = l; expr(e)
        case .return(let e, let l): loc = l; if let e { expr(e) }
        case .break, .continue, .label, .goto: break
        }
    }
}
