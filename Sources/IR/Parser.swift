// Reads the text form that Printer.swift writes (see there for the format).
//
// A lexer turns the text into tokens with their line and column; a
// recursive-descent parser with one or two tokens of lookahead builds the
// Program. Names printed next to ids in references (`%x#3`) are skipped:
// the id alone says which entity is meant. Malformed input throws a
// `Diagnostic` at the offending token (`<ir>:line:col`).

import Foundation

public extension Program {
    /// Parses the text form of `printed()`.
    init(parsing text: String) throws {
        var p = try IRParser(text: text)
        self = try p.parseProgram()
    }
}

enum IRToken: Equatable {
    case ident(String)
    case int(Int64)
    case float(Double)
    /// A quoted literal: its code units (Unicode scalars for names) and prefix (`u`, `L`, `w3`, or "").
    case string([UInt32], prefix: String)
    /// `@` and a path or a quoted string: a global's name or a location's file.
    case at(String)
    case punct(String)
    case eof

    static func == (a: IRToken, b: IRToken) -> Bool {
        switch (a, b) {
        case (.ident(let x), .ident(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x, let p), .string(let y, let q)): return x == y && p == q
        case (.at(let x), .at(let y)): return x == y
        case (.punct(let x), .punct(let y)): return x == y
        case (.eof, .eof): return true
        default: return false
        }
    }
}

struct IRLexer {
    let s: [Unicode.Scalar]
    var i = 0
    var line = 1
    var col = 1

    init(_ text: String) { s = Array(text.unicodeScalars) }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    mutating func advance() {
        if s[i] == "\n" { line += 1; col = 1 } else { col += 1 }
        i += 1
    }

    func error(_ msg: String) -> Diagnostic {
        Diagnostic(.error, SourceLoc(file: "<ir>", line: line, column: col), msg)
    }

    static func isIdentStart(_ u: Unicode.Scalar) -> Bool { u == "_" || (u.isASCII && u.properties.isAlphabetic) }
    static func isIdent(_ u: Unicode.Scalar) -> Bool { isIdentStart(u) || isDigit(u) }
    static func isDigit(_ u: Unicode.Scalar) -> Bool { ("0"..."9").contains(u) }

    static let puncts = ["...", "->", "&&", "||", "<<", ">>", "<=", ">=", "==", "!=",
                         "(", ")", "[", "]", "{", "}", ",", ":", ";", "=", "*", "&", "?", "!", "~", "+", "-",
                         "/", "%", "^", "|", "<", ">", "#", ".", "$"]

    mutating func tokens() throws -> [(IRToken, Int, Int)] {
        var out: [(IRToken, Int, Int)] = []
        while true {
            // Skip blanks and `//` comments.
            while let c = peek() {
                if c == " " || c == "\t" || c == "\n" || c == "\r" { advance() }
                else if c == "/" && peek(1) == "/" { while let d = peek(), d != "\n" { _ = d; advance() } }
                else { break }
            }
            let (l, c) = (line, col)
            guard let ch = peek() else { out.append((.eof, l, c)); return out }
            out.append((try token(ch), l, c))
        }
    }

    func startsWord(_ w: String, at k: Int) -> Bool {
        let ws = Array(w.unicodeScalars)
        for (j, u) in ws.enumerated() where peek(k + j) != u { return false }
        if let after = peek(k + ws.count), IRLexer.isIdent(after) { return false }
        return true
    }

    mutating func token(_ ch: Unicode.Scalar) throws -> IRToken {
        if IRLexer.isDigit(ch) || (ch == "-" && peek(1).map(IRLexer.isDigit) == true) { return try number() }
        if ch == "-" && (startsWord("inf", at: 1) || startsWord("nan", at: 1)) {
            let w = "-" + String(String.UnicodeScalarView(s[(i + 1)..<(i + 4)]))
            for _ in 0..<4 { advance() }
            return .ident(w)
        }
        if IRLexer.isIdentStart(ch) {
            var w = String.UnicodeScalarView()
            while let c = peek(), IRLexer.isIdent(c) { w.append(c); advance() }
            let word = String(w)
            if peek() == "\"", word == "u" || word == "L" || (word.hasPrefix("w") && word.count > 1 && Int(word.dropFirst()) != nil) {
                return .string(try quoted(), prefix: word)
            }
            return .ident(word)
        }
        if ch == "\"" { return .string(try quoted(), prefix: "") }
        if ch == "@" {
            advance()
            if peek() == "\"" { return .at(try scalarsString(quoted())) }
            var w = String.UnicodeScalarView()
            while let c = peek(), irIsPathChar(c) { w.append(c); advance() }
            return .at(String(w))
        }
        if ch == "+" || ch == "-", peek(1) == "p" {
            if ch == "-" && startsWord("pp", at: 1) { advance(); advance(); advance(); return .punct("-pp") }
            if startsWord("p", at: 1) { advance(); advance(); return .punct(ch == "+" ? "+p" : "-p") }
        }
        for p in IRLexer.puncts {
            let ps = Array(p.unicodeScalars)
            if ps.indices.allSatisfy({ peek($0) == ps[$0] }) {
                for _ in ps { advance() }
                return .punct(p)
            }
        }
        throw error("unexpected character '\(ch)'")
    }

    mutating func number() throws -> IRToken {
        var w = ""
        if peek() == "-" { w.append("-"); advance() }
        if peek() == "0", peek(1) == "x" {
            advance(); advance()
            var h = ""
            while let c = peek(), c.properties.isASCIIHexDigit { h.unicodeScalars.append(c); advance() }
            guard let v = UInt64(h, radix: 16) else { throw error("bad hexadecimal number") }
            return .int(w == "-" ? -Int64(bitPattern: v) : Int64(bitPattern: v))
        }
        var isFloat = false
        while let c = peek(), IRLexer.isDigit(c) { w.unicodeScalars.append(c); advance() }
        if peek() == ".", let d = peek(1), IRLexer.isDigit(d) {
            isFloat = true
            w.append("."); advance()
            while let c = peek(), IRLexer.isDigit(c) { w.unicodeScalars.append(c); advance() }
        }
        if peek() == "e" || peek() == "E",
           let d = peek(1), IRLexer.isDigit(d) || ((d == "+" || d == "-") && peek(2).map(IRLexer.isDigit) == true) {
            isFloat = true
            w.append("e"); advance()
            if let d = peek(), d == "+" || d == "-" { w.unicodeScalars.append(d); advance() }
            while let c = peek(), IRLexer.isDigit(c) { w.unicodeScalars.append(c); advance() }
        }
        if isFloat {
            guard let d = Double(w) else { throw error("bad number '\(w)'") }
            return .float(d)
        }
        guard let v = Int64(w) else { throw error("integer '\(w)' out of range") }
        return .int(v)
    }

    mutating func quoted() throws -> [UInt32] {
        advance()  // the opening quote
        var units: [UInt32] = []
        while true {
            guard let c = peek() else { throw error("unterminated string") }
            advance()
            switch c {
            case "\"": return units
            case "\\":
                guard let e = peek() else { throw error("unterminated string") }
                advance()
                switch e {
                case "\"": units.append(0x22)
                case "\\": units.append(0x5c)
                case "n": units.append(0x0a)
                case "t": units.append(0x09)
                case "r": units.append(0x0d)
                case "x", "u":
                    guard peek() == "{" else { throw error("expected '{' after '\\\(e)'") }
                    advance()
                    var h = ""
                    while let d = peek(), d != "}" { h.unicodeScalars.append(d); advance() }
                    guard peek() == "}", let v = UInt32(h, radix: 16) else { throw error("bad escape '\\\(e){\(h)'") }
                    advance()
                    units.append(v)
                default: throw error("unknown escape '\\\(e)'")
                }
            default: units.append(c.value)
            }
        }
    }

    func scalarsString(_ units: [UInt32]) throws -> String {
        var v = String.UnicodeScalarView()
        for u in units {
            guard let sc = Unicode.Scalar(u) else { throw error("invalid character U+\(String(u, radix: 16)) in a name") }
            v.append(sc)
        }
        return String(v)
    }
}

struct IRParser {
    var toks: [(IRToken, Int, Int)]
    var p = 0
    /// The function whose body (or locals) is being read: local types for `local` initializers.
    var locals: [Local] = []

    init(text: String) throws {
        var lx = IRLexer(text)
        toks = try lx.tokens()
    }

    var tok: IRToken { toks[p].0 }
    func peek(_ k: Int = 1) -> IRToken { toks[min(p + k, toks.count - 1)].0 }

    func error(_ msg: String, at k: Int? = nil) -> Diagnostic {
        let t = toks[k ?? p]
        return Diagnostic(.error, SourceLoc(file: "<ir>", line: t.1, column: t.2), msg)
    }

    func describe(_ t: IRToken) -> String {
        switch t {
        case .ident(let s): return "'\(s)'"
        case .int(let v): return "'\(v)'"
        case .float(let d): return "'\(d)'"
        case .string: return "a string"
        case .at(let s): return "'@\(s)'"
        case .punct(let s): return "'\(s)'"
        case .eof: return "end of input"
        }
    }

    mutating func next() { if p < toks.count - 1 { p += 1 } }

    func isPunct(_ s: String) -> Bool { tok == .punct(s) }
    func isWord(_ s: String) -> Bool { tok == .ident(s) }

    mutating func accept(_ s: String) -> Bool {
        if isPunct(s) { next(); return true }
        return false
    }
    mutating func acceptWord(_ s: String) -> Bool {
        if isWord(s) { next(); return true }
        return false
    }
    mutating func expect(_ s: String) throws {
        guard accept(s) else { throw error("expected '\(s)', found \(describe(tok))") }
    }
    mutating func expectWord(_ s: String) throws {
        guard acceptWord(s) else { throw error("expected '\(s)', found \(describe(tok))") }
    }

    mutating func int() throws -> Int64 {
        guard case .int(let v) = tok else { throw error("expected an integer, found \(describe(tok))") }
        next()
        return v
    }
    mutating func intValue() throws -> Int {
        let v = try int()
        return Int(v)
    }

    mutating func string() throws -> String {
        guard case .string(let u, let prefix) = tok, prefix.isEmpty else { throw error("expected a string, found \(describe(tok))") }
        let s = try scalars(u)
        next()
        return s
    }

    func scalars(_ units: [UInt32]) throws -> String {
        var v = String.UnicodeScalarView()
        for u in units {
            guard let sc = Unicode.Scalar(u) else { throw error("invalid character U+\(String(u, radix: 16)) in a name") }
            v.append(sc)
        }
        return String(v)
    }

    /// Whether the current token is a name (an identifier that is no keyword, or a quoted string).
    func isName(_ t: IRToken) -> Bool {
        switch t {
        case .ident(let s): return !irReservedWords.contains(s)
        case .string(_, let prefix): return prefix.isEmpty
        default: return false
        }
    }

    mutating func name() throws -> String {
        if case .ident(let s) = tok, !irReservedWords.contains(s) { next(); return s }
        if case .string(_, "") = tok { return try string() }
        throw error("expected a name, found \(describe(tok))")
    }

    /// `[name] # n` — a reference or declaration: the name (or "") and the id.
    mutating func nameAndId() throws -> (String, Int) {
        var n = ""
        if !isPunct("#") { n = try name() }
        try expect("#")
        return (n, try intValue())
    }

    mutating func loc() throws -> SourceLoc {
        guard case .at(let file) = tok else { throw error("expected a location '@file:line:col', found \(describe(tok))") }
        next()
        try expect(":")
        let l = try intValue()
        try expect(":")
        return SourceLoc(file: file, line: l, column: try intValue())
    }

    var atLoc: Bool {
        if case .at = tok, peek() == .punct(":") { return true }
        return false
    }

    // MARK: Program

    mutating func parseProgram() throws -> Program {
        var prog = Program()
        var appearance: [TopLevel] = []
        var explicitOrder: [TopLevel]?
        while tok != .eof {
            if acceptWord("sources") {
                prog.sources.append(try string())
                while accept(",") { prog.sources.append(try string()) }
                continue
            }
            if acceptWord("order") {
                try expect("{")
                var order: [TopLevel] = []
                while !accept("}") {
                    if acceptWord("asm") { order.append(.asm(try string())); continue }
                    guard case .ident(let k) = tok else { throw error("expected an order entry, found \(describe(tok))") }
                    next()
                    try expect("#")
                    let i = try intValue()
                    switch k {
                    case "record": order.append(.record(RecordID(i)))
                    case "enum": order.append(.enumeration(EnumID(i)))
                    case "typedef": order.append(.typedef(TypedefID(i)))
                    case "global": order.append(.global(GlobalID(i)))
                    case "function": order.append(.function(FuncID(i)))
                    default: throw error("unknown order entry '\(k)'", at: p - 2)
                    }
                }
                explicitOrder = order
                continue
            }
            if acceptWord("asm") { appearance.append(.asm(try string())); continue }
            if isWord("struct") || isWord("union") || isWord("anonymous") {
                let r = try record()
                appearance.append(.record(RecordID(prog.records.count)))
                prog.records.append(r)
                continue
            }
            if isWord("enum") {
                let e = try enumDef()
                appearance.append(.enumeration(EnumID(prog.enums.count)))
                prog.enums.append(e)
                continue
            }
            if isWord("typedef") {
                let t = try typedef()
                appearance.append(.typedef(TypedefID(prog.typedefs.count)))
                prog.typedefs.append(t)
                continue
            }
            var storage = Storage.none
            if acceptWord("static") { storage = .static } else if acceptWord("extern") { storage = .extern }
            var threadLocal = false, inline = false
            while true {
                if acceptWord("thread_local") { threadLocal = true } else if acceptWord("inline") { inline = true } else { break }
            }
            if isWord("global") && !inline {
                let g = try global(storage: storage, threadLocal: threadLocal)
                appearance.append(.global(GlobalID(prog.globals.count)))
                prog.globals.append(g)
                continue
            }
            if isWord("function") && !threadLocal {
                let f = try function(storage: storage, inline: inline)
                appearance.append(.function(FuncID(prog.functions.count)))
                prog.functions.append(f)
                continue
            }
            throw error("expected a declaration, found \(describe(tok))")
        }
        prog.order = explicitOrder ?? appearance
        return prog
    }

    mutating func attributes() throws -> [Attribute] {
        guard acceptWord("attrs") else { return [] }
        try expect("(")
        var out: [Attribute] = []
        repeat {
            let n = try name()
            var args: [String] = []
            if accept("(") {
                if !isPunct(")") {
                    args.append(try string())
                    while accept(",") { args.append(try string()) }
                }
                try expect(")")
            }
            out.append(Attribute(n, args))
        } while accept(",")
        try expect(")")
        return out
    }

    mutating func identity(default d: String) throws -> String {
        acceptWord("identity") ? try string() : d
    }

    mutating func sourceName(default d: String) throws -> String {
        acceptWord("source") ? try string() : d
    }

    mutating func record() throws -> Record {
        let anon = acceptWord("anonymous")
        let kind: Record.Kind
        if acceptWord("struct") { kind = .struct } else { try expectWord("union"); kind = .union }
        let (tag, id) = try nameAndId()
        try expectWord("size")
        let size = try intValue()
        try expectWord("align")
        let align = try intValue()
        let attrs = try attributes()
        let ident = try identity(default: tag)
        let l = try loc()
        var fields: [Field]?
        if accept("{") {
            var fs: [Field] = []
            while !accept("}") {
                try expectWord("field")
                let n: String? = isPunct(":") ? nil : try name()
                try expect(":")
                let t = try type()
                var bits: Int?
                if acceptWord("bits") { bits = try intValue() }
                try expectWord("offset")
                let off = try intValue()
                fs.append(Field(name: n, type: t, bitWidth: bits, offsetBits: off, attributes: try attributes()))
            }
            fields = fs
        }
        return Record(id: RecordID(id), kind: kind, tag: tag, isAnonymousMember: anon, fields: fields, size: size, align: align,
                      attributes: attrs, identity: ident, loc: l)
    }

    mutating func intKind() throws -> IntKind {
        guard case .ident(let w) = tok, let k = IntKind(rawValue: w) else { throw error("expected an integer kind, found \(describe(tok))") }
        next()
        return k
    }

    mutating func enumDef() throws -> EnumDef {
        try expectWord("enum")
        let (tag, id) = try nameAndId()
        try expect(":")
        let under = try intKind()
        let complete = !acceptWord("incomplete")
        let attrs = try attributes()
        let ident = try identity(default: tag)
        let l = try loc()
        try expect("{")
        var names: [String] = [], values: [Int64] = []
        if !accept("}") {
            repeat {
                if !isPunct("=") { names.append(try name()) }
                if accept("=") { values.append(try int()) }
            } while accept(",")
            try expect("}")
        }
        var e = EnumDef(id: EnumID(id), tag: tag, items: [], underlying: under, isComplete: complete, attributes: attrs,
                        identity: ident, loc: l)
        e.names = names
        e.values = values
        return e
    }

    mutating func typedef() throws -> Typedef {
        try expectWord("typedef")
        let (n, id) = try nameAndId()
        try expect("=")
        let t = try type()
        let ident = try identity(default: n)
        return Typedef(id: TypedefID(id), name: n, type: t, identity: ident, loc: try loc())
    }

    mutating func global(storage: Storage, threadLocal: Bool) throws -> GlobalVar {
        try expectWord("global")
        guard case .at(let n) = tok else { throw error("expected '@name', found \(describe(tok))") }
        next()
        try expect("#")
        let id = try intValue()
        try expect(":")
        let t = try type()
        let src = try sourceName(default: n)
        let attrs = try attributes()
        let ident = try identity(default: n)
        var ini: Initializer?
        if accept("=") { ini = try initializer(known: t) }
        return GlobalVar(id: GlobalID(id), name: n, sourceName: src, type: t, storage: storage, initializer: ini,
                         isThreadLocal: threadLocal, attributes: attrs, identity: ident, loc: try loc())
    }

    mutating func function(storage: Storage, inline: Bool) throws -> Function {
        try expectWord("function")
        let (n, id) = try nameAndId()
        try expect("(")
        var params: [LocalID] = []
        if !isPunct(")") {
            repeat { params.append(try localRef()) } while accept(",")
        }
        try expect(")")
        try expect(":")
        let typeAt = p
        guard case .function(let ft) = try type() else { throw error("expected a function type", at: typeAt) }
        let src = try sourceName(default: n)
        let attrs = try attributes()
        let ident = try identity(default: n)
        let l = try loc()
        locals = []
        while acceptWord("var") {
            try expect("%")
            let (ln, lid) = try nameAndId()
            try expect(":")
            let t = try type()
            let isParam = acceptWord("param"), isTemp = acceptWord("temp"), isReg = acceptWord("register")
            let lsrc = try sourceName(default: ln)
            let lattrs = try attributes()
            locals.append(Local(id: LocalID(lid), name: ln, sourceName: lsrc, type: t, isParam: isParam, isTemp: isTemp,
                                isRegister: isReg, attributes: lattrs, loc: try loc()))
        }
        var body: Stmt?
        if acceptWord("body") { body = try stmt() }
        defer { locals = [] }
        return Function(id: FuncID(id), name: n, sourceName: src, type: ft, storage: storage, isInline: inline, params: params,
                        locals: locals, body: body, attributes: attrs, identity: ident, loc: l)
    }

    // MARK: Types

    static let typeWords: Set<String> = [
        "void", "bool", "char", "schar", "uchar", "short", "ushort", "int", "uint", "long", "ulong", "longlong", "ulonglong",
        "int128", "uint128", "float", "double", "longDouble", "float128", "_Complex", "_Atomic", "__builtin_va_list",
        "struct", "union", "enum", "record", "typedef", "fn",
    ]

    /// Whether a type starts at token `k` (after any number of `(`).
    func startsType(at k: Int) -> Bool {
        var k = k
        while toks[min(k, toks.count - 1)].0 == .punct("(") { k += 1 }
        let t = toks[min(k, toks.count - 1)].0
        if case .ident(let w) = t, IRParser.typeWords.contains(w) { return true }
        return isName(t) && toks[min(k + 1, toks.count - 1)].0 == .punct("#")
    }

    mutating func type() throws -> CType {
        var t = try primaryType()
        while true {
            if accept("*") { t = .pointer(t); continue }
            if accept("[") {
                if accept("]") { t = .array(t, length: nil); continue }
                if acceptWord("vla") { t = .vla(t, length: try expr()) } else { t = .array(t, length: try intValue()) }
                try expect("]")
                continue
            }
            if accept("<") {
                t = .vector(t, count: try intValue())
                try expect(">")
                continue
            }
            if acceptWord("qual") {
                try expect("(")
                let v = try intValue()
                guard let raw = UInt8(exactly: v) else { throw error("qualifier bits out of range", at: p - 1) }
                try expect(")")
                t = .qualified(t, Qualifiers(rawValue: raw))
                continue
            }
            var q: Qualifiers = []
            while true {
                if acceptWord("const") { q.insert(.const) }
                else if acceptWord("volatile") { q.insert(.volatile) }
                else if acceptWord("restrict") { q.insert(.restrict) }
                else { break }
            }
            if !q.isEmpty { t = .qualified(t, q); continue }
            return t
        }
    }

    mutating func primaryType() throws -> CType {
        if accept("(") {
            let t = try type()
            try expect(")")
            return t
        }
        if case .ident(let w) = tok {
            if let k = IntKind(rawValue: w) { next(); return .int(k) }
            if let k = FloatKind(rawValue: w) { next(); return .float(k) }
            switch w {
            case "void": next(); return .void
            case "__builtin_va_list": next(); return .vaList
            case "_Complex":
                next()
                guard case .ident(let f) = tok, let k = FloatKind(rawValue: f) else { throw error("expected a floating kind after '_Complex'") }
                next()
                return .complex(k)
            case "_Atomic":
                next()
                try expect("(")
                let t = try type()
                try expect(")")
                return .atomic(t)
            case "struct", "union", "record":
                next()
                return .record(RecordID(try nameAndId().1))
            case "enum":
                next()
                return .enumeration(EnumID(try nameAndId().1))
            case "typedef":
                next()
                try expect("#")
                return .typedef(TypedefID(try intValue()))
            case "fn":
                next()
                try expect("(")
                var params: [CType] = [], variadic = false, proto = true
                if accept("?") { proto = false; _ = accept(",") }
                while !isPunct(")") {
                    if accept("...") { variadic = true; break }
                    params.append(try type())
                    if !accept(",") { break }
                }
                try expect(")")
                try expect("->")
                return .function(FunctionType(result: try type(), params: params, variadic: variadic, hasPrototype: proto))
            default: break
            }
        }
        if isName(tok) && peek() == .punct("#") {
            return .typedef(TypedefID(try nameAndId().1))
        }
        throw error("expected a type, found \(describe(tok))")
    }

    // MARK: Expressions

    static let binaryOps: [String: BinaryOp] = Dictionary(uniqueKeysWithValues: BinaryOp.allCases.map { ($0.rawValue, $0) })

    mutating func floatConst(_ d: Double) throws -> Expr {
        var spelling: String?
        if case .string(_, "") = tok { spelling = try string() }
        try expect(":")
        return .const(.float(d, spelling: spelling), try primaryType())
    }

    mutating func expr() throws -> Expr {
        switch tok {
        case .int(let v):
            next()
            try expect(":")
            return .const(.int(v), try primaryType())
        case .float(let d):
            next()
            return try floatConst(d)
        case .string(let units, let prefix):
            if prefix.isEmpty && peek() == .punct("=") { break }  // an enumerator with a quoted name
            next()
            let width: Int
            switch prefix {
            case "": width = 1
            case "u": width = 2
            case "L": width = 4
            default: width = Int(prefix.dropFirst()) ?? 1
            }
            try expect(":")
            return .const(.string(units, width: width), try primaryType())
        case .ident("inf"): next(); return try floatConst(.infinity)
        case .ident("-inf"): next(); return try floatConst(-.infinity)
        case .ident("-nan"): next(); return try floatConst(-.nan)
        case .ident("nan"):
            next()
            if accept("(") {
                let bits = try int()
                try expect(")")
                return try floatConst(Double(bitPattern: UInt64(bitPattern: bits)))
            }
            return try floatConst(.nan)
        case .ident("current") where peek() == .punct("("):
            next()
            try expect("(")
            let t = try type()
            guard case .record(let r) = t else { throw error("current(…) takes a record type") }
            try expect(",")
            let a = try expr()
            try expect(")")
            return .current(r, a)
        case .ident("pinned") where peek() == .punct("("):
            next()
            try expect("(")
            let t = try type()
            guard case .record(let r) = t else { throw error("pinned(…) takes a record type") }
            try expect(",")
            let k = try int()
            try expect(",")
            let a = try expr()
            try expect(")")
            return .pinned(r, Int(k), a)
        case .ident("startof"):
            next()
            try expect("(")
            let lv = try lvalue()
            try expect(")")
            return .startOf(lv)
        case .ident("sizeof"), .ident("alignof"):
            let isSize = tok == .ident("sizeof")
            next()
            try expect("(")
            let t = try type()
            try expect(")")
            try expect("=")
            let v = try intValue()
            return isSize ? .sizeOf(t, value: v) : .alignOf(t, value: v)
        case .punct("&&"):
            next()
            return .labelAddr(try name())
        case .punct("&"):
            next()
            if isName(tok) || isPunct("#") {
                return .function(FuncID(try nameAndId().1))
            }
            return .addrOf(try lvalue())
        case .punct("%"), .at, .punct("$"):
            return .read(try lvalue())
        case .punct("("):
            if peek() == .punct("*") { return .read(try lvalue()) }
            let op: UnaryOp?
            switch peek() {
            case .punct("-"): op = .neg
            case .punct("~"): op = .bitNot
            case .punct("!"): op = .logNot
            case .ident("__real__"): op = .real
            case .ident("__imag__"): op = .imag
            default: op = nil
            }
            if let op {
                next(); next()
                let a = try expr()
                try expect(")")
                try expect(":")
                return .unary(op, a, try primaryType())
            }
            if startsType(at: p + 1) {
                // `(T)e`, `(T){…}` — or an operator whose left operand
                // starts with one, `((T)e + x):t`: only a whole type
                // closing the parenthesis makes it a cast.
                let start = p
                next()
                if let t = try? type(), accept(")") {
                    if isPunct("{") { return .compoundLiteral(t, try braced(known: t)) }
                    return .cast(t, try expr())
                }
                p = start
            }
            next()
            let a = try expr()
            if accept("?") {
                let b = try expr()
                try expect(":")
                let c = try expr()
                try expect(")")
                try expect(":")
                return .cond(a, b, c, try primaryType())
            }
            guard case .punct(let o) = tok, let bop = IRParser.binaryOps[o] else {
                throw error("expected a binary operator, found \(describe(tok))")
            }
            next()
            let b = try expr()
            try expect(")")
            try expect(":")
            return .binary(bop, a, b, try primaryType())
        default: break
        }
        if isName(tok) && peek() == .punct("=") {
            let n = try name()
            try expect("=")
            let v = try int()
            try expect(":")
            return .const(.enumerator(name: n, value: v), try primaryType())
        }
        throw error("expected an expression, found \(describe(tok))")
    }

    mutating func localRef() throws -> LocalID {
        try expect("%")
        return LocalID(try nameAndId().1)
    }

    mutating func lvalue() throws -> LValue {
        var lv: LValue
        switch tok {
        case .punct("%"): lv = .local(try localRef())
        case .at:
            next()
            try expect("#")
            lv = .global(GlobalID(try intValue()))
        case .punct("("):
            next()
            try expect("*")
            let e = try expr()
            try expect(")")
            lv = .mem(e)
        case .punct("$"):
            next()
            try expect("(")
            let t = try type()
            try expect(")")
            lv = LValue(.compound(t, try braced(known: t)))
        default: throw error("expected an lvalue, found \(describe(tok))")
        }
        while true {
            if accept(".") {
                let rid = try nameAndId().1
                try expect(":")
                let fi = try nameAndId().1
                lv.offsets.append(.field(RecordID(rid), index: fi))
            } else if accept("[") {
                lv.offsets.append(.index(try expr()))
                try expect("]")
            } else {
                return lv
            }
        }
    }

    // MARK: Initializers

    /// An initializer where `known` is the expected type: `{entries}` is a compound of that type.
    mutating func initializer(known: CType?) throws -> Initializer {
        isPunct("{") ? try braced(known: known) : .expr(try expr())
    }

    mutating func braced(known: CType?) throws -> Initializer {
        try expect("{")
        if accept("=") {
            let e = try expr()
            try expect("}")
            return .expr(e)
        }
        let t: CType
        if let known, isPunct("}") || isPunct(".") || isPunct("[") {
            t = known
        } else {
            t = try type()
            try expect(":")
        }
        var entries: [InitEntry] = []
        if !accept("}") {
            repeat {
                let d: InitEntry.Designator
                if accept(".") {
                    d = .field(index: try intValue())
                } else {
                    try expect("[")
                    let lo = try intValue()
                    if accept("...") { d = .range(lo, try intValue()) } else { d = .index(lo) }
                    try expect("]")
                }
                try expect("=")
                entries.append(InitEntry(d, try initializer(known: nil)))
            } while accept(",")
            try expect("}")
        }
        return .compound(t, entries)
    }

    // MARK: Statements

    mutating func stmt() throws -> Stmt {
        if accept("{") {
            var ss: [Stmt] = []
            while !accept("}") {
                if tok == .eof { throw error("expected '}', found end of input") }
                ss.append(try stmt())
            }
            return .block(ss)
        }
        if isName(tok) && peek() == .punct(":") {
            let n = try name()
            try expect(":")
            return .label(.named(n), try loc())
        }
        if case .ident(let w) = tok {
            switch w {
            case "local":
                next()
                let id = try localRef()
                var ini: Initializer?
                if accept("=") {
                    ini = try initializer(known: locals.indices.contains(id.index) ? locals[id.index].type : nil)
                }
                return .local(id, ini, try loc())
            case "if":
                next()
                try expect("(")
                let c = try expr()
                try expect(")")
                let l = try loc()
                let t = try stmt()
                var e: Stmt?
                if acceptWord("else") { e = acceptWord("none") ? nil : try stmt() }
                return .if(c, then: t, else: e, l)
            case "loop":
                next()
                let l = try loc()
                let b = try stmt()
                var n: Stmt?
                if acceptWord("next") { n = acceptWord("none") ? nil : try stmt() }
                return .loop(body: b, next: n, l)
            case "break": next(); return .break(try loc())
            case "continue": next(); return .continue(try loc())
            case "switch":
                next()
                try expect("(")
                let c = try expr()
                try expect(")")
                let l = try loc()
                return .switch(c, body: try stmt(), l)
            case "case":
                next()
                let lo = try int()
                if accept("...") {
                    let hi = try int()
                    try expect(":")
                    return .label(.caseRange(lo, hi), try loc())
                }
                try expect(":")
                return .label(.case(lo), try loc())
            case "default":
                next()
                try expect(":")
                return .label(.default, try loc())
            case "goto":
                next()
                if accept("*") {
                    let e = try expr()
                    return .computedGoto(e, try loc())
                }
                let n = try name()
                return .goto(n, try loc())
            case "return":
                next()
                if atLoc { return .return(nil, try loc()) }
                let e = try expr()
                return .return(e, try loc())
            case "call": return .instr(try call(result: nil))
            case "asm": return .instr(try asm())
            case "note" where peek() == .punct("("):
                next(); next()
                let t = try type()
                try expect(",")
                let e = try expr()
                try expect(")")
                return .instr(.note(t, e, try loc()))
            default: break
            }
        }
        let lv = try lvalue()
        try expect("=")
        if isWord("call") { return .instr(try call(result: lv)) }
        if isWord("va_arg") && peek() == .punct("(") {
            next(); next()
            let e = try expr()
            try expect(")")
            return .instr(.vaArg(result: lv, list: e, try loc()))
        }
        let e = try expr()
        return .instr(.assign(lv, e, try loc()))
    }

    mutating func call(result: LValue?) throws -> Instr {
        try expectWord("call")
        let callee: Callee
        if acceptWord("builtin") {
            callee = .builtin(try name())
        } else if accept("(") {
            callee = .indirect(try expr())
            try expect(")")
        } else {
            callee = .direct(FuncID(try nameAndId().1))
        }
        try expect("(")
        var args: [Expr] = []
        if !isPunct(")") {
            repeat { args.append(try expr()) } while accept(",")
        }
        try expect(")")
        return .call(result: result, callee: callee, args: args, try loc())
    }

    mutating func asm() throws -> Instr {
        try expectWord("asm")
        let vol = acceptWord("volatile")
        try expect("(")
        let template = try string()
        try expect(":")
        let outs = try asmOperands()
        try expect(":")
        let ins = try asmOperands()
        try expect(":")
        var clobbers: [String] = []
        if case .string = tok {
            repeat { clobbers.append(try string()) } while accept(",")
        }
        try expect(":")
        var labels: [String] = []
        if !isPunct(")") {
            repeat { labels.append(try name()) } while accept(",")
        }
        try expect(")")
        return .asm(InlineAsm(template: template, outputs: outs, inputs: ins, clobbers: clobbers, labels: labels,
                              isVolatile: vol), try loc())
    }

    mutating func asmOperands() throws -> [InlineAsm.Operand] {
        var out: [InlineAsm.Operand] = []
        guard !isPunct(":") else { return out }
        repeat {
            var n: String?
            if accept("[") {
                n = try name()
                try expect("]")
            }
            let c = try string()
            try expect("(")
            let e = try expr()
            try expect(")")
            var lv: LValue?
            if accept("->") { lv = try lvalue() }
            out.append(InlineAsm.Operand(name: n, constraint: c, value: e, lvalue: lv))
        } while accept(",")
        return out
    }
}
