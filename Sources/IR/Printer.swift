// The canonical text form of a Program (`graft ir`), read back by Parser.swift.
//
// One form, exact: `Program(parsing: p.printed()) == p` for every value. So
// every field is printed, ids are explicit (`%x#3` is local 3, `@g#5`
// global 5, `f#2` function 2, `struct point#0` record 0, `size_t#1`
// typedef 1), and names next to ids are decoration the parser skips.
//
//   sources "a.c"
//   struct point#0 size 8 align 4 @a.c:1:8 {
//     field x: int offset 0
//     field y: int offset 32
//   }
//   global @origin#0: struct point#0 = {.0 = 1:int} @a.c:2:14
//   function add#0(%a#0, %b#1): fn(int, int) -> int @a.c:3:5
//     var %a#0: int param @a.c:3:13
//     var %b#1: int param @a.c:3:20
//   body {
//     return (%a#0 + %b#1):int @a.c:3:24
//   }
//
// Types read left to right, suffixes applying to what precedes them:
// `char const*` is a pointer to const char, `int*[4]` an array of pointers,
// `(fn(int) -> int)*` a function pointer. Inside expressions a type follows
// `:` and is parenthesized unless it is a single name (`3:int`,
// `0:(void*)`), so `*` after it is an operator again. Every operator is
// bracketed and carries its result type: `(a + b):int`, `(p +p 1:long):(int*)`.
// Every statement, instruction and declaration ends with its location
// `@file:line:col` (the file quoted when it is not a plain path).

import Foundation

public extension Program {
    /// The canonical text form; `Program(parsing:)` reads it back to an equal value.
    func printed() -> String {
        var p = IRPrinter(program: self)
        p.printProgram()
        return p.out
    }
}

public extension Program {
    /// A type in the text form, for messages.
    func printed(_ t: CType) -> String { IRPrinter(program: self).type(t) }
    /// An expression in the text form (locals named from `function`), for messages.
    func printed(_ e: Expr, in function: Function? = nil) -> String { IRPrinter(program: self).expr(e, in: function) }
}

/// Words the printer never prints as a bare name (it quotes them instead),
/// so that the parser can tell a name from a keyword by the token alone.
let irReservedWords: Set<String> = [
    "void", "bool", "char", "schar", "uchar", "short", "ushort", "int", "uint", "long", "ulong", "longlong",
    "ulonglong", "int128", "uint128", "float", "double", "longDouble", "float128", "_Complex", "_Atomic",
    "__builtin_va_list", "struct", "union", "enum", "record", "typedef", "fn", "const", "volatile", "restrict",
    "qual", "vla", "startof", "sizeof", "alignof", "inf", "nan", "-inf", "-nan", "__real__", "__imag__", "call",
    "builtin", "va_arg", "asm", "if", "else", "none", "loop", "next", "switch", "break", "continue", "goto",
    "return", "local", "case", "default", "global", "function", "static", "extern", "inline", "thread_local",
    "var", "param", "temp", "register", "source", "attrs", "identity", "size", "align", "anonymous",
    "incomplete", "field", "bits", "offset", "order", "sources", "body", "current", "note",
]

func irIsIdentifier(_ s: String) -> Bool {
    guard let f = s.unicodeScalars.first, f == "_" || (f.isASCII && f.properties.isAlphabetic) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
}

/// A name: bare when it is an identifier and no keyword, else a quoted string.
func irName(_ s: String) -> String {
    irIsIdentifier(s) && !irReservedWords.contains(s) ? s : irQuote(s)
}

/// A Swift string as a quoted literal: `\"`, `\\`, `\n`, `\t`, `\r`, other
/// control characters as `\u{HEX}`, everything else as itself.
func irQuote(_ s: String) -> String {
    var r = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": r += "\\\""
        case "\\": r += "\\\\"
        case "\n": r += "\\n"
        case "\t": r += "\\t"
        case "\r": r += "\\r"
        default:
            if u.value < 0x20 || u.value == 0x7f { r += "\\u{\(String(u.value, radix: 16))}" } else { r.unicodeScalars.append(u) }
        }
    }
    return r + "\""
}

/// A string constant's code units: printable ASCII as itself, the rest as `\x{HEX}`.
func irQuoteUnits(_ units: [UInt32]) -> String {
    var r = "\""
    for u in units {
        switch u {
        case 0x22: r += "\\\""
        case 0x5c: r += "\\\\"
        case 0x0a: r += "\\n"
        case 0x09: r += "\\t"
        case 0x0d: r += "\\r"
        case 0x20..<0x7f: r.unicodeScalars.append(Unicode.Scalar(UInt8(u)))
        default: r += "\\x{\(String(u, radix: 16))}"
        }
    }
    return r + "\""
}

/// A double, exactly: Swift's shortest round-tripping spelling when finite
/// (always with `.` or `e`, so never taken for an integer), else `inf`,
/// `-inf`, `nan`, `-nan`, or `nan(0xBITS)` for any other NaN.
func irDouble(_ d: Double) -> String {
    if d.isFinite { return d.description }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d.bitPattern == Double.nan.bitPattern { return "nan" }
    if d.bitPattern == (-Double.nan).bitPattern { return "-nan" }
    return "nan(0x\(String(d.bitPattern, radix: 16)))"
}

func irLoc(_ l: SourceLoc) -> String {
    let plain = !l.file.isEmpty && l.file.unicodeScalars.allSatisfy(irIsPathChar)
    return "@" + (plain || l.file.isEmpty ? l.file : irQuote(l.file)) + ":\(l.line):\(l.column)"
}

func irIsPathChar(_ u: Unicode.Scalar) -> Bool {
    u.isASCII && (u.properties.isAlphabetic || ("0"..."9").contains(u) || "_./+-".unicodeScalars.contains(u))
}

extension IntKind {
    var irSpelling: String { rawValue }
}

struct IRPrinter {
    let program: Program
    var out = ""
    var indent = 0
    /// The function being printed: VLA lengths in its locals' types name its locals.
    var fn: Function?

    init(program: Program) { self.program = program }

    mutating func line(_ s: String) {
        out += String(repeating: "  ", count: indent) + s + "\n"
    }

    // MARK: Program

    /// True when `order` lists every table entry once, each kind in index
    /// order: then the entities print in `order` and it needs no listing.
    var orderIsNatural: Bool {
        var next = [0, 0, 0, 0, 0]
        for t in program.order {
            let (k, i): (Int, Int)
            switch t {
            case .record(let id): (k, i) = (0, id.index)
            case .enumeration(let id): (k, i) = (1, id.index)
            case .typedef(let id): (k, i) = (2, id.index)
            case .global(let id): (k, i) = (3, id.index)
            case .function(let id): (k, i) = (4, id.index)
            case .asm: continue
            }
            guard i == next[k] else { return false }
            next[k] += 1
        }
        return next == [program.records.count, program.enums.count, program.typedefs.count,
                        program.globals.count, program.functions.count]
    }

    mutating func printProgram() {
        if !program.sources.isEmpty { line("sources " + program.sources.map(irQuote).joined(separator: ", ")) }
        if orderIsNatural {
            for t in program.order {
                switch t {
                case .record(let id): printRecord(program.records[id.index])
                case .enumeration(let id): printEnum(program.enums[id.index])
                case .typedef(let id): printTypedef(program.typedefs[id.index])
                case .global(let id): printGlobal(program.globals[id.index])
                case .function(let id): printFunction(program.functions[id.index])
                case .asm(let s): line("asm " + irQuote(s))
                }
            }
        } else {
            program.records.forEach { printRecord($0) }
            program.enums.forEach { printEnum($0) }
            program.typedefs.forEach { printTypedef($0) }
            program.globals.forEach { printGlobal($0) }
            program.functions.forEach { printFunction($0) }
            line("order {")
            indent += 1
            for t in program.order {
                switch t {
                case .record(let id): line("record#\(id.index)")
                case .enumeration(let id): line("enum#\(id.index)")
                case .typedef(let id): line("typedef#\(id.index)")
                case .global(let id): line("global#\(id.index)")
                case .function(let id): line("function#\(id.index)")
                case .asm(let s): line("asm " + irQuote(s))
                }
            }
            indent -= 1
            line("}")
        }
    }

    func attrs(_ a: [Attribute]) -> String {
        if a.isEmpty { return "" }
        return " attrs(" + a.map { at in
            irName(at.name) + (at.args.isEmpty ? "" : "(" + at.args.map(irQuote).joined(separator: ", ") + ")")
        }.joined(separator: ", ") + ")"
    }

    func identity(_ identity: String, default d: String) -> String {
        identity == d ? "" : " identity " + irQuote(identity)
    }

    func sourceName(_ s: String, default d: String) -> String {
        s == d ? "" : " source " + irQuote(s)
    }

    mutating func printRecord(_ r: Record) {
        var s = (r.isAnonymousMember ? "anonymous " : "") + r.kind.rawValue + " "
        s += (r.tag.isEmpty ? "" : irName(r.tag)) + "#\(r.id.index) size \(r.size) align \(r.align)"
        s += attrs(r.attributes) + identity(r.identity, default: r.tag) + " " + irLoc(r.loc)
        guard let fields = r.fields else { line(s); return }
        line(s + " {")
        indent += 1
        for f in fields {
            var fs = "field " + (f.name.map(irName) ?? "") + ": " + type(f.type)
            if let w = f.bitWidth { fs += " bits \(w)" }
            fs += " offset \(f.offsetBits)" + attrs(f.attributes)
            line(fs)
        }
        indent -= 1
        line("}")
    }

    mutating func printEnum(_ e: EnumDef) {
        var s = "enum " + (e.tag.isEmpty ? "" : irName(e.tag)) + "#\(e.id.index): " + e.underlying.irSpelling
        if !e.isComplete { s += " incomplete" }
        s += attrs(e.attributes) + identity(e.identity, default: e.tag) + " " + irLoc(e.loc) + " {"
        var items: [String] = []
        for i in 0..<max(e.names.count, e.values.count) {
            var it = i < e.names.count ? irName(e.names[i]) : ""
            if i < e.values.count { it += (it.isEmpty ? "= " : " = ") + "\(e.values[i])" }
            items.append(it)
        }
        line(s + (items.isEmpty ? "}" : " " + items.joined(separator: ", ") + " }"))
    }

    mutating func printTypedef(_ t: Typedef) {
        line("typedef " + irName(t.name) + "#\(t.id.index) = " + type(t.type) + identity(t.identity, default: t.name)
             + " " + irLoc(t.loc))
    }

    func storage(_ s: Storage) -> String {
        switch s {
        case .none: return ""
        case .extern: return "extern "
        case .static: return "static "
        }
    }

    mutating func printGlobal(_ g: GlobalVar) {
        var s = storage(g.storage) + (g.isThreadLocal ? "thread_local " : "") + "global @" + irName(g.name)
        s += "#\(g.id.index): " + type(g.type) + sourceName(g.sourceName, default: g.name) + attrs(g.attributes)
        s += identity(g.identity, default: g.name)
        if let i = g.initializer { s += " = " + initializer(i, known: g.type) }
        line(s + " " + irLoc(g.loc))
    }

    mutating func printFunction(_ f: Function) {
        let params = f.params.map { localRef($0, in: f) }.joined(separator: ", ")
        var s = storage(f.storage) + (f.isInline ? "inline " : "") + "function " + irName(f.name) + "#\(f.id.index)"
        s += "(" + params + "): " + functionType(f.type) + sourceName(f.sourceName, default: f.name)
        s += attrs(f.attributes) + identity(f.identity, default: f.name) + " " + irLoc(f.loc)
        line(s)
        fn = f
        defer { fn = nil }
        indent += 1
        for l in f.locals {
            var ls = "var %" + irName(l.name) + "#\(l.id.index): " + type(l.type)
            if l.isParam { ls += " param" }
            if l.isTemp { ls += " temp" }
            if l.isRegister { ls += " register" }
            ls += sourceName(l.sourceName, default: l.name) + attrs(l.attributes) + " " + irLoc(l.loc)
            line(ls)
        }
        indent -= 1
        if let body = f.body {
            var fp = FunctionPrinter(printer: self, function: f)
            fp.out = ""
            fp.stmt(body, prefix: "body ", closeTrailing: false)
            out += fp.out
        }
    }

    // MARK: References

    func localRef(_ id: LocalID, in f: Function?) -> String {
        if let f, f.locals.indices.contains(id.index) { return "%" + irName(f.locals[id.index].name) + "#\(id.index)" }
        return "%#\(id.index)"
    }

    func globalRef(_ id: GlobalID) -> String {
        program.globals.indices.contains(id.index) ? "@" + irName(program.globals[id.index].name) + "#\(id.index)" : "@#\(id.index)"
    }

    func functionRef(_ id: FuncID) -> String {
        program.functions.indices.contains(id.index) ? irName(program.functions[id.index].name) + "#\(id.index)" : "\"\"#\(id.index)"
    }

    func recordRef(_ id: RecordID) -> String {
        guard program.records.indices.contains(id.index) else { return "record#\(id.index)" }
        let r = program.records[id.index]
        return r.kind.rawValue + (r.tag.isEmpty ? "" : " " + irName(r.tag)) + "#\(id.index)"
    }

    func recordName(_ id: RecordID) -> String {
        guard program.records.indices.contains(id.index), !program.records[id.index].tag.isEmpty else { return "#\(id.index)" }
        return irName(program.records[id.index].tag) + "#\(id.index)"
    }

    func fieldName(_ id: RecordID, _ i: Int) -> String {
        guard program.records.indices.contains(id.index), let fs = program.records[id.index].fields, fs.indices.contains(i),
              let n = fs[i].name else { return "#\(i)" }
        return irName(n) + "#\(i)"
    }

    // MARK: Types

    func type(_ t: CType) -> String {
        switch t {
        case .void: return "void"
        case .int(let k): return k.irSpelling
        case .float(let k): return k.rawValue
        case .complex(let k): return "_Complex " + k.rawValue
        case .pointer(let p): return suffixBase(p) + "*"
        case .array(let e, let n): return suffixBase(e) + "[" + (n.map(String.init) ?? "") + "]"
        case .vla(let e, let n): return suffixBase(e) + "[vla " + expr(n, in: fn) + "]"
        case .function(let f): return functionType(f)
        case .record(let id): return recordRef(id)
        case .enumeration(let id):
            guard program.enums.indices.contains(id.index), !program.enums[id.index].tag.isEmpty else { return "enum#\(id.index)" }
            return "enum " + irName(program.enums[id.index].tag) + "#\(id.index)"
        case .typedef(let id):
            guard program.typedefs.indices.contains(id.index) else { return "typedef#\(id.index)" }
            return irName(program.typedefs[id.index].name) + "#\(id.index)"
        case .qualified(let inner, let q):
            let base: String
            if case .qualified = inner { base = "(" + type(inner) + ")" } else { base = suffixBase(inner) }
            return base + " " + qualifiers(q)
        case .atomic(let inner): return "_Atomic(" + type(inner) + ")"
        case .vector(let e, let n): return suffixBase(e) + "<\(n)>"
        case .vaList: return "__builtin_va_list"
        }
    }

    func qualifiers(_ q: Qualifiers) -> String {
        let known: Qualifiers = [.const, .volatile, .restrict]
        if q.isEmpty || !known.isSuperset(of: q) { return "qual(\(q.rawValue))" }
        var w: [String] = []
        if q.contains(.const) { w.append("const") }
        if q.contains(.volatile) { w.append("volatile") }
        if q.contains(.restrict) { w.append("restrict") }
        return w.joined(separator: " ")
    }

    /// A type that a suffix (`*`, `[n]`, a qualifier) follows: a function
    /// type is parenthesized, as its result would take the suffix.
    func suffixBase(_ t: CType) -> String {
        if case .function = t { return "(" + type(t) + ")" }
        return type(t)
    }

    func functionType(_ f: FunctionType) -> String {
        var ps = f.params.map(type)
        if !f.hasPrototype { ps.insert("?", at: 0) }
        if f.variadic { ps.append("...") }
        return "fn(" + ps.joined(separator: ", ") + ") -> " + type(f.result)
    }

    /// A type after `:` in an expression: a single name, or parenthesized.
    func simpleType(_ t: CType) -> String {
        switch t {
        case .pointer, .array, .vla, .function, .qualified, .vector: return "(" + type(t) + ")"
        default: return type(t)
        }
    }

    // MARK: Expressions

    func constant(_ c: Constant, _ t: CType) -> String {
        switch c {
        case .int(let v): return "\(v):" + simpleType(t)
        case .float(let d, let sp): return irDouble(d) + (sp.map { " " + irQuote($0) } ?? "") + ":" + simpleType(t)
        case .string(let units, let width):
            let prefix: String
            switch width {
            case 1: prefix = ""
            case 2: prefix = "u"
            case 4: prefix = "L"
            default: prefix = "w\(width)"
            }
            return prefix + irQuoteUnits(units) + ":" + simpleType(t)
        case .enumerator(let name, let v): return irName(name) + "=\(v):" + simpleType(t)
        }
    }

    func expr(_ e: Expr, in f: Function?) -> String {
        switch e {
        case .const(let c, let t): return constant(c, t)
        case .read(let lv): return lvalue(lv, in: f)
        case .addrOf(let lv): return "&" + lvalue(lv, in: f)
        case .startOf(let lv): return "startof(" + lvalue(lv, in: f) + ")"
        case .function(let id): return "&" + functionRef(id)
        case .labelAddr(let l): return "&&" + irName(l)
        case .unary(let op, let a, let t): return "(" + op.rawValue + " " + expr(a, in: f) + "):" + simpleType(t)
        case .binary(let op, let a, let b, let t):
            return "(" + expr(a, in: f) + " " + op.rawValue + " " + expr(b, in: f) + "):" + simpleType(t)
        case .cond(let c, let a, let b, let t):
            return "(" + expr(c, in: f) + " ? " + expr(a, in: f) + " : " + expr(b, in: f) + "):" + simpleType(t)
        case .cast(let t, let a): return "(" + type(t) + ")" + expr(a, in: f)
        case .sizeOf(let t, let v): return "sizeof(" + type(t) + ")=\(v)"
        case .alignOf(let t, let v): return "alignof(" + type(t) + ")=\(v)"
        case .compoundLiteral(let t, let i): return "(" + type(t) + ")" + braced(i, type: t, in: f)
        case .current(let r, let a): return "current(" + type(.record(r)) + ", " + expr(a, in: f) + ")"
        case .pinned(let r, let k, let a): return "pinned(" + type(.record(r)) + ", \(k), " + expr(a, in: f) + ")"
        }
    }

    func lvalue(_ lv: LValue, in f: Function?) -> String {
        var s: String
        switch lv.host {
        case .local(let id): s = localRef(id, in: f)
        case .global(let id): s = globalRef(id)
        case .mem(let e): s = "(*" + expr(e, in: f) + ")"
        case .compound(let t, let i): s = "$(" + type(t) + ")" + braced(i, type: t, in: f)
        }
        for o in lv.offsets {
            switch o {
            case .field(let rid, let i): s += "." + recordName(rid) + ":" + fieldName(rid, i)
            case .index(let e): s += "[" + expr(e, in: f) + "]"
            }
        }
        return s
    }

    // MARK: Initializers

    /// An initializer standing alone: an expression, or `{T: entries}`;
    /// when the expected type `known` is the compound's, `{entries}`.
    func initializer(_ i: Initializer, known: CType?, in f: Function? = nil) -> String {
        switch i {
        case .expr(let e): return expr(e, in: f)
        case .compound(let t, let es):
            let body = es.map { entry($0, in: f) }.joined(separator: ", ")
            if let known, known == t { return "{" + body + "}" }
            return "{" + type(t) + ":" + (body.isEmpty ? "" : " " + body) + "}"
        }
    }

    /// The initializer of a compound literal, always braced: `{= e}` for an expression.
    func braced(_ i: Initializer, type t: CType, in f: Function?) -> String {
        if case .expr(let e) = i { return "{= " + expr(e, in: f) + "}" }
        return initializer(i, known: t, in: f)
    }

    func entry(_ e: InitEntry, in f: Function?) -> String {
        let d: String
        switch e.designator {
        case .field(let i): d = ".\(i)"
        case .index(let i): d = "[\(i)]"
        case .range(let lo, let hi): d = "[\(lo) ... \(hi)]"
        }
        return d + " = " + initializer(e.value, known: nil, in: f)
    }
}

/// Prints one function body: statements one per line with their location.
struct FunctionPrinter {
    let printer: IRPrinter
    let function: Function
    var out = ""
    var indent = 0

    init(printer: IRPrinter, function: Function) { self.printer = printer; self.function = function }

    mutating func line(_ s: String) { out += String(repeating: "  ", count: indent) + s + "\n" }

    func e(_ x: Expr) -> String { printer.expr(x, in: function) }
    func lv(_ x: LValue) -> String { printer.lvalue(x, in: function) }

    /// Prints `s`; `prefix` goes before its first line. With
    /// `closeTrailing`, an open trailing `if`/`loop` writes `else none` /
    /// `next none` so the enclosing `else`/`next` is not taken for its own.
    mutating func stmt(_ s: Stmt, prefix: String = "", closeTrailing: Bool) {
        switch s {
        case .instr(let i): line(prefix + instr(i))
        case .block(let ss):
            if ss.isEmpty { line(prefix + "{}"); return }
            line(prefix + "{")
            indent += 1
            for x in ss { stmt(x, closeTrailing: false) }
            indent -= 1
            line("}")
        case .local(let id, let i, let l):
            let known = function.locals.indices.contains(id.index) ? function.locals[id.index].type : nil
            line(prefix + "local " + printer.localRef(id, in: function)
                 + (i.map { " = " + printer.initializer($0, known: known, in: function) } ?? "") + " " + irLoc(l))
        case .if(let c, let t, let el, let l):
            line(prefix + "if (" + e(c) + ") " + irLoc(l))
            nested(t, closeTrailing: el != nil || closeTrailing)
            if let el {
                line("else")
                nested(el, closeTrailing: closeTrailing)
            } else if closeTrailing {
                line("else none")
            }
        case .loop(let b, let n, let l):
            line(prefix + "loop " + irLoc(l))
            nested(b, closeTrailing: n != nil || closeTrailing)
            if let n {
                line("next")
                nested(n, closeTrailing: closeTrailing)
            } else if closeTrailing {
                line("next none")
            }
        case .break(let l): line(prefix + "break " + irLoc(l))
        case .continue(let l): line(prefix + "continue " + irLoc(l))
        case .switch(let x, let b, let l):
            line(prefix + "switch (" + e(x) + ") " + irLoc(l))
            nested(b, closeTrailing: closeTrailing)
        case .label(let lab, let l):
            let s: String
            switch lab {
            case .named(let n): s = irName(n) + ":"
            case .case(let v): s = "case \(v):"
            case .caseRange(let lo, let hi): s = "case \(lo) ... \(hi):"
            case .default: s = "default:"
            }
            line(prefix + s + " " + irLoc(l))
        case .goto(let n, let l): line(prefix + "goto " + irName(n) + " " + irLoc(l))
        case .computedGoto(let x, let l): line(prefix + "goto *" + e(x) + " " + irLoc(l))
        case .return(let x, let l): line(prefix + "return " + (x.map { e($0) + " " } ?? "") + irLoc(l))
        }
    }

    /// A branch: a block stays on the keyword's indentation, anything else is indented.
    mutating func nested(_ s: Stmt, closeTrailing: Bool) {
        if case .block = s { stmt(s, closeTrailing: closeTrailing); return }
        indent += 1
        stmt(s, closeTrailing: closeTrailing)
        indent -= 1
    }

    func instr(_ i: Instr) -> String {
        switch i {
        case .assign(let l, let x, let loc): return lv(l) + " = " + e(x) + " " + irLoc(loc)
        case .call(let r, let callee, let args, let loc):
            var s = r.map { lv($0) + " = " } ?? ""
            s += "call "
            switch callee {
            case .direct(let id): s += printer.functionRef(id)
            case .indirect(let x): s += "(" + e(x) + ")"
            case .builtin(let n): s += "builtin " + irName(n)
            }
            return s + "(" + args.map(e).joined(separator: ", ") + ") " + irLoc(loc)
        case .vaArg(let r, let list, let loc): return lv(r) + " = va_arg(" + e(list) + ") " + irLoc(loc)
        case .note(let t, let x, let loc): return "note(" + printer.type(t) + ", " + e(x) + ") " + irLoc(loc)
        case .asm(let a, let loc):
            func operand(_ o: InlineAsm.Operand) -> String {
                (o.name.map { "[" + irName($0) + "] " } ?? "") + irQuote(o.constraint) + " (" + e(o.value) + ")"
                    + (o.lvalue.map { " -> " + lv($0) } ?? "")
            }
            let sections = [a.outputs.map(operand), a.inputs.map(operand), a.clobbers.map(irQuote), a.labels.map(irName)]
            var s = "asm " + (a.isVolatile ? "volatile " : "") + "(" + irQuote(a.template)
            for sec in sections { s += sec.isEmpty ? " :" : " : " + sec.joined(separator: ", ") }
            return s + ") " + irLoc(loc)
        }
    }
}
