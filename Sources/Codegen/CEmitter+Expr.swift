// Expressions, lvalues, constants and initializers.
//
// Every compound expression is written inside parentheses, so precedence
// never matters; an atom is a name, a non-negative literal, a string, or a
// postfix chain (`a.b[i]`, `p->f`).

import Checker
import IR
import Instrument

extension Emitter {
    // MARK: Expressions

    func expr(_ e: Expr) -> String {
        switch e {
        case .const(let c, let t):
            return constant(c, t)
        case .read(let lv):
            // A bit-field wider than int keeps the type gcc gives it (arithmetic
            // at the field's width): the output behaves as the original does
            // under the same compiler. clang's typing (the declared type) is
            // what the IR records; the two differ only on such fields.
            return lvalue(lv)
        case .addrOf(let lv):
            return "(&" + lvalue(lv) + ")"
        case .startOf(let lv):
            switch p.unroll(typeOfLValue(lv)) {
            case .array, .vla, .vaList: return lvalue(lv)
            default: return "(&" + lvalue(lv) + ")"
            }
        case .function(let id):
            return functionName(id)
        case .labelAddr(let l):
            return "(&&\(l))"
        case .unary(let op, let a, let t):
            switch op {
            case .neg, .bitNot:
                let o = op == .neg ? "-" : "~"
                // Defensive: C computes in the promoted operand type; the IR
                // says `t`. They agree in well-typed IR; if not, compute in `t`.
                if let k = intKind(t), let ka = intKind(typeOfExpr(a)), promoted(ka) != k {
                    return "((\(k.spelling))(" + o + "((\(k.spelling))" + expr(a) + ")))"
                }
                return "(" + o + expr(a) + ")"
            case .logNot: return "(!" + expr(a) + ")"
            case .real: return "(__real__ " + expr(a) + ")"
            case .imag: return "(__imag__ " + expr(a) + ")"
            }
        case .binary(let op, let a, let b, let t):
            let o: String
            switch op {
            case .ptrAdd: o = "+"
            case .ptrSub, .ptrDiff: o = "-"
            default: o = op.rawValue
            }
            if let k = intKind(t), let ka = intKind(typeOfExpr(a)), let kb = intKind(typeOfExpr(b)) {
                // Defensive, as for unary operators: C's result type must be the IR's.
                let ts = k.spelling
                switch op {
                case .add, .sub, .mul, .div, .rem, .bitAnd, .bitOr, .bitXor:
                    if usualArithmetic(ka, kb) != k {
                        return "((\(ts))(((\(ts))" + expr(a) + ") " + o + " ((\(ts))" + expr(b) + ")))"
                    }
                case .shl, .shr:
                    if promoted(ka) != k { return "((\(ts))(((\(ts))" + expr(a) + ") " + o + " " + expr(b) + "))" }
                default:
                    break
                }
            }
            return "(" + expr(a) + " " + o + " " + expr(b) + ")"
        case .cond(let c, let a, let b, _):
            return "(" + expr(c) + " ? " + expr(a) + " : " + expr(b) + ")"
        case .cast(let t, let a):
            return cast(t, a)
        case .sizeOf(let t, let v):
            return "\(v)UL"
        case .alignOf(let t, let v):
            return "\(v)UL"
        case .compoundLiteral(let t, let i):
            return "((" + typeName(t) + ")" + bracedInitializer(i, t) + ")"
        case .current(let rid, let a):
            // REP-2: the record's con function (CEmitter+Types.swift).
            return conName(rid) + "(" + expr(a) + ")"
        case .pinned(let rid, let k, let a):
            // REP-8: the pinned field's function, as a pointer to the field's type.
            return "((" + typeName(p.typeOf(e, in: fn)) + ")" + pinnedName(rid, k) + "(" + expr(a) + "))"
        }
    }

    func cast(_ t: CType, _ a: Expr) -> String {
        let target = p.unroll(t)
        switch target {
        case .record:
            let from = p.unroll(typeOfExpr(a))
            // A struct "cast" to its own type is the value itself; a GNU
            // cast to a union from a member type stays a cast.
            if from == target || { if case .record(let id) = target { return p.records[id.index].kind == .struct }; return false }() {
                return expr(a)
            }
            return "((" + typeName(target) + ")" + expr(a) + ")"
        case .array, .vla, .function:
            return expr(a)
        default:
            // Qualifiers and _Atomic on a cast's type have no effect on the value.
            var u = target
            if case .atomic(let i) = u { u = p.unroll(i) }
            return "((" + typeName(u) + ")" + expr(a) + ")"
        }
    }

    func typeOfExpr(_ e: Expr) -> CType {
        switch e {
        case .read(let lv): return typeOfLValue(lv)
        case .addrOf(let lv): return .pointer(typeOfLValue(lv))
        case .startOf(let lv):
            switch p.unroll(typeOfLValue(lv)) {
            case .array(let el, _), .vla(let el, _): return .pointer(el)
            case let other: return .pointer(other)
            }
        default: return safeType { p.typeOf(e, in: fn) }
        }
    }

    /// The integer kind of an integer (or enum) type, nil for other types.
    func intKind(_ t: CType) -> IntKind? {
        if case .int(let k) = p.valueType(t) { return k }
        return nil
    }

    /// Integer promotion (C11 6.3.1.1p2).
    func promoted(_ k: IntKind) -> IntKind { k.rank < IntKind.int.rank ? .int : k }

    /// The usual arithmetic conversions on two integer kinds (C11 6.3.1.8).
    func usualArithmetic(_ a0: IntKind, _ b0: IntKind) -> IntKind {
        let a = promoted(a0), b = promoted(b0)
        if a == b { return a }
        if a.isSigned == b.isSigned { return a.rank >= b.rank ? a : b }
        let (u, s) = a.isSigned ? (b, a) : (a, b)
        if u.rank >= s.rank { return u }
        if s.size > u.size { return s }
        // The unsigned counterpart of the signed type.
        switch s {
        case .long: return .ulong
        case .longlong: return .ulonglong
        case .int128: return .uint128
        default: return .uint
        }
    }

    func typeOfLValue(_ lv: LValue) -> CType {
        if case .local(let id) = lv.host, fn == nil || id.index >= (fn?.locals.count ?? 0) { return .void }
        return safeType { p.typeOf(lv, in: fn) }
    }

    private func safeType(_ f: () -> CType) -> CType { f() }

    /// The field an lvalue ends with, if any.
    func lastField(_ lv: LValue) -> Field? {
        guard case .field(let rid, let i)? = lv.offsets.last, rid.index >= 0, rid.index < p.records.count,
              let fs = p.records[rid.index].fields, i >= 0, i < fs.count else { return nil }
        return fs[i]
    }

    // MARK: Lvalues

    func lvalue(_ lv: LValue) -> String {
        var offsets = lv.offsets[...]
        var s: String
        switch lv.host {
        case .local(let id):
            s = localName(id)
        case .global(let id):
            s = globalName(id)
        case .mem(let e):
            // `(e)->f` when the path starts (through anonymous hops) at a named field.
            var k = offsets.startIndex
            while k < offsets.endIndex, case .field = offsets[k], fieldName(offsets[k]) == nil { k += 1 }
            if k < offsets.endIndex, case .field = offsets[k], let n = fieldName(offsets[k]) {
                s = expr(e) + "->" + n
                offsets = offsets[(k + 1)...]
            } else {
                s = "(*" + expr(e) + ")"
            }
        case .compound(let t, let i):
            s = "((" + typeName(t) + ")" + bracedInitializer(i, t) + ")"
        }
        for o in offsets {
            switch o {
            case .field: if let n = fieldName(o) { s += "." + n }
            case .index(let e): s += "[" + expr(e) + "]"
            }
        }
        return s
    }

    func fieldName(_ o: Offset) -> String? {
        guard case .field(let rid, let i) = o, rid.index >= 0, rid.index < p.records.count,
              let fs = p.records[rid.index].fields, i >= 0, i < fs.count else { return nil }
        return fs[i].name
    }

    // MARK: Constants

    func constant(_ c: Constant, _ t: CType) -> String {
        switch c {
        case .int(let v), .enumerator(_, let v):
            return intConstant(v, t)
        case .float(let d, let spelling):
            return floatConstant(d, spelling, t)
        case .string(let units, let width):
            return stringLiteral(units, width: width, type: t)
        }
    }

    func intConstant(_ v: Int64, _ t: CType) -> String {
        switch p.valueType(t) {
        case .int(let k): return intLiteral(v, k)
        case .pointer:
            return "((" + typeName(p.unroll(t)) + ")" + (v == 0 ? "0" : "\(UInt64(bitPattern: v))UL") + ")"
        case .float(let k): return "((\(k.spelling))\(intLiteral(v, .longlong)))"
        case .complex(let k): return "((_Complex \(k.spelling))\(intLiteral(v, .longlong)))"
        case let u: return "((" + typeName(u) + ")" + intLiteral(v, .longlong) + ")"
        }
    }

    /// A literal of exactly kind `k` and value `v` (truncated to `k`).
    func intLiteral(_ v: Int64, _ k: IntKind) -> String {
        func small(_ x: Int64) -> String { "((\(k.spelling))" + (x < 0 ? "(\(x))" : "\(x)") + ")" }
        switch k {
        case .int:
            let x = Int32(truncatingIfNeeded: v)
            return x == .min ? "(-2147483647-1)" : x < 0 ? "(\(x))" : "\(x)"
        case .uint: return "\(UInt32(truncatingIfNeeded: v))U"
        case .long, .longlong:
            let s = k == .long ? "L" : "LL"
            return v == .min ? "(-9223372036854775807\(s)-1\(s))" : v < 0 ? "(\(v)\(s))" : "\(v)\(s)"
        case .ulong: return "\(UInt64(bitPattern: v))UL"
        case .ulonglong: return "\(UInt64(bitPattern: v))ULL"
        case .bool: return "((_Bool)\(v != 0 ? 1 : 0))"
        case .char, .schar: return small(Int64(Int8(truncatingIfNeeded: v)))
        case .uchar: return small(Int64(UInt8(truncatingIfNeeded: v)))
        case .short: return small(Int64(Int16(truncatingIfNeeded: v)))
        case .ushort: return small(Int64(UInt16(truncatingIfNeeded: v)))
        // 128-bit constants hold 64-bit values: sign-extended for the
        // signed kind, zero-extended for the unsigned one.
        case .int128: return "((__int128)\(intLiteral(v, .longlong)))"
        case .uint128: return "((unsigned __int128)\(intLiteral(v, .ulonglong)))"
        }
    }

    func floatConstant(_ d: Double, _ spelling: String?, _ t: CType) -> String {
        switch p.valueType(t) {
        case .float(let k):
            return realLiteral(d, spelling, k)
        case .complex(let k):
            // A floating constant of complex type is an imaginary literal (`2.0i`).
            let zero = realLiteral(0, nil, k)
            let im = realLiteral(d, spelling, k)
            if d.isFinite {
                let mag = realLiteral(abs(d), spelling, k)
                let lit = mag + "i"
                return d.sign == .minus ? "(-\(lit))" : lit
            }
            return "__builtin_complex(\(zero), \(im))"
        case .int(let k):
            return "((\(k.spelling))" + realLiteral(d, nil, .double) + ")"
        case let u:
            return "((" + typeName(u) + ")" + realLiteral(d, nil, .double) + ")"
        }
    }

    /// An exact literal of kind `k` for `d`.
    func realLiteral(_ d: Double, _ spelling: String?, _ k: FloatKind) -> String {
        let suffix: String
        let fsuf: String
        switch k {
        case .float: suffix = "F"; fsuf = "f"
        case .double: suffix = ""; fsuf = ""
        case .longDouble: suffix = "L"; fsuf = "l"
        case .float128: suffix = "Q"; fsuf = "l"
        }
        // Wider than double: the source spelling keeps the digits (and the
        // range) a double loses.
        if k == .longDouble || k == .float128, let sp = spelling, let mag = cleanSpelling(sp, d) {
            return d.sign == .minus ? "(-\(mag)\(suffix))" : mag + suffix
        }
        if d.isNaN {
            let bits = d.bitPattern
            let quiet = bits & (1 << 51) != 0
            var payload = bits & ((1 << 51) - 1)
            if k == .float { payload >>= 29 }
            let arg = payload == 0 ? "\"\"" : "\"0x\(String(payload, radix: 16))\""
            var s = "__builtin_nan\(quiet ? "" : "s")\(fsuf)(\(arg))"
            if k == .float128 { s = "((__float128)\(s))" }
            return d.sign == .minus ? "(-\(s))" : s
        }
        if d.isInfinite {
            var s = "__builtin_inf\(fsuf)()"
            if k == .float128 { s = "((__float128)\(s))" }
            return d.sign == .minus ? "(-\(s))" : s
        }
        let mag = hexFloat(abs(d)) + suffix
        return d.sign == .minus ? "(-\(mag))" : mag
    }

    /// The magnitude digits of a literal spelling, suffix removed, if they
    /// denote (about) `|d|`; nil otherwise.
    func cleanSpelling(_ sp: String, _ d: Double) -> String? {
        var s = Substring(sp.filter { $0 != " " && $0 != "'" })
        if s.hasPrefix("+") || s.hasPrefix("-") { s = s.dropFirst() }
        let isHex = s.hasPrefix("0x") || s.hasPrefix("0X")
        while let c = s.last, "fFlLqQ".contains(c), !(isHex && !s.contains(where: { $0 == "p" || $0 == "P" })) { s = s.dropLast() }
        guard !s.isEmpty, s.allSatisfy({ $0.isHexDigit || ".xXpPeE+-".contains($0) }), let v = Double(String(s)) else { return nil }
        guard !d.isNaN else { return nil }
        let m = abs(d)
        guard v == m || (m != 0 && m.isFinite && abs(v - m) <= m * 1e-15) else { return nil }
        if !isHex && !s.contains(where: { ".eE".contains($0) }) { s += "." }  // `1L` would be an integer
        if isHex && !s.contains(where: { $0 == "p" || $0 == "P" }) { return nil }
        return String(s)
    }

    /// C99 hexadecimal floating literal of a finite non-negative double.
    func hexFloat(_ d: Double) -> String {
        if d == 0 { return "0x0p+0" }
        let bits = d.bitPattern
        let exp = Int((bits >> 52) & 0x7ff)
        let mant = bits & ((1 << 52) - 1)
        let lead = exp == 0 ? "0" : "1"
        let e = exp == 0 ? -1022 : exp - 1023
        var frac = String(mant, radix: 16)
        frac = String(repeating: "0", count: 13 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return "0x" + lead + (frac.isEmpty ? "" : "." + frac) + "p" + (e >= 0 ? "+" : "") + String(e)
    }

    func stringLiteral(_ units: [UInt32], width: Int, type: CType) -> String {
        var prefix = ""
        if width == 2 {
            prefix = "u"
        } else if width == 4 {
            prefix = "L"
            if case .array(let e, _) = p.unroll(type), case .int(let k) = p.valueType(e), !k.isSigned { prefix = "U" }
        }
        return prefix + cString(units, prefix: prefix)
    }

    // MARK: Initializers

    /// An initializer that is a brace list (for compound literals).
    func bracedInitializer(_ i: Initializer, _ t: CType) -> String {
        let s = initializer(i, t)
        return s.hasPrefix("{") ? s : "{ " + s + " }"
    }

    func initializer(_ i: Initializer, _ t: CType) -> String {
        switch i {
        case .expr(let e):
            return expr(e)
        case .compound(let ct, let entries):
            var u = p.unroll(ct)
            if case .atomic(let inner) = u { u = p.unroll(inner) }
            switch u {
            case .record(let rid):
                guard rid.index >= 0, rid.index < p.records.count else { return "{}" }
                let items = recordEntries(p.records[rid.index], entries)
                return items.isEmpty ? "{}" : "{ " + items.joined(separator: ", ") + " }"
            case .array(let e, _), .vla(let e, _):
                var items: [String] = []
                for en in entries {
                    switch en.designator {
                    case .index(let k): items.append("[\(k)] = " + initializer(en.value, e))
                    case .range(let a, let b): items.append("[\(a) ... \(b)] = " + initializer(en.value, e))
                    case .field(let k): items.append("[\(k)] = " + initializer(en.value, e))
                    }
                }
                return items.isEmpty ? "{}" : "{ " + items.joined(separator: ", ") + " }"
            case .vector(let e, let n):
                // Positional: designators in vector initializers are not portable.
                var items = [String](repeating: "0", count: n)
                var last = -1
                for en in entries {
                    let v = initializer(en.value, e)
                    switch en.designator {
                    case .index(let k), .field(let k):
                        if k >= 0 && k < n { items[k] = v; last = max(last, k) }
                    case .range(let a, let b):
                        for k in max(a, 0)...min(b, n - 1) where a <= b { items[k] = v; last = max(last, k) }
                    }
                }
                return last < 0 ? "{ 0 }" : "{ " + items[0...last].joined(separator: ", ") + " }"
            default:
                // A scalar in braces: its single value, or zero.
                guard let first = entries.first else { return isVLA(t) ? "{}" : "0" }
                return initializer(first.value, u)
            }
        }
    }

    func isVLA(_ t: CType) -> Bool {
        if case .vla = p.unroll(t) { return true }
        return false
    }

    /// `.name = value` items of a record's initializer; the entries of an
    /// anonymous member are lifted into the parent (C11 lets `.x` name a
    /// member of an anonymous struct or union).
    func recordEntries(_ r: Record, _ entries: [InitEntry]) -> [String] {
        var items: [String] = []
        let fields = r.fields ?? []
        for (n, en) in entries.enumerated() {
            guard case .field(let k) = en.designator, k >= 0, k < fields.count else { continue }
            let f = fields[k]
            if let name = f.name {
                items.append("." + name + " = " + initializer(en.value, f.type))
            } else if case .record(let aid) = p.unroll(f.type), aid.index < p.records.count, p.records[aid.index].isAnonymousMember {
                switch en.value {
                case .compound(_, let inner):
                    items += recordEntries(p.records[aid.index], inner)
                case .expr(let e):
                    // Cannot be designated; positional only when it comes first.
                    if n == 0 && k == 0 { items.append(expr(e)) }
                }
            }
        }
        return items
    }
}

// MARK: - C string literals

/// A C string literal body in quotes. Printable ASCII stays, the rest is
/// escaped: 3-digit octal for units below 512 (never absorbs a following
/// digit), hex for wider units with the literal split when a hex digit
/// follows.
func cString(_ units: [UInt32], prefix: String = "") -> String {
    var s = "\""
    var splitBeforeHexDigit = false
    for u in units {
        if splitBeforeHexDigit {
            splitBeforeHexDigit = false
            if let sc = Unicode.Scalar(u), sc.properties.isASCIIHexDigit { s += "\" \(prefix)\"" }
        }
        switch u {
        case 0x22: s += "\\\""
        case 0x5C: s += "\\\\"
        case 0x3F: s += "\\?"
        case 0x0A: s += "\\n"
        case 0x09: s += "\\t"
        case 0x20...0x7E: s.unicodeScalars.append(Unicode.Scalar(UInt8(u)))
        case 0..<512:
            let o = String(u, radix: 8)
            s += "\\" + String(repeating: "0", count: 3 - o.count) + o
        default:
            s += "\\x" + String(u, radix: 16)
            splitBeforeHexDigit = true
        }
    }
    return s + "\""
}

func cString(_ bytes: [UInt8]) -> String { cString(bytes.map { UInt32($0) }) }
