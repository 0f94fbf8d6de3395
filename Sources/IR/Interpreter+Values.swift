// The interpreter's values and C's arithmetic on them (C11 6.3 conversions,
// 6.5 operators). Operands arrive already converted (the IR makes every
// conversion an explicit cast); each operation computes in its result type.

/// The shape of a scalar type.
enum Scalar: Equatable {
    case int(IntKind)
    case float(FloatKind)
    case pointer
}

/// A value. Integers of up to 64 bits are normalized to their kind: signed
/// kinds sign-extended, unsigned ones zero-extended (so `ulong` is its bit
/// pattern). An array-typed expression's value is a pointer to its first
/// element; a struct or union's value is its bytes.
enum Value: CustomStringConvertible {
    case int(Int64, IntKind)
    case wide(UInt128, IntKind)
    case float(Double, FloatKind)
    case ptr(Pointer)
    case agg(Bytes)
    case void

    var description: String {
        switch self {
        case .int(let v, let k): return "\(v):\(k.rawValue)"
        case .wide(let v, let k): return "\(v):\(k.rawValue)"
        case .float(let d, let k): return "\(d):\(k.rawValue)"
        case .ptr(let p): return "ptr(#\(p.obj)+\(p.off))"
        case .agg(let b): return "{\(b.data.count) bytes}"
        case .void: return "void"
        }
    }
}

/// `v` truncated to kind `k` and extended back to 64 bits.
@inline(__always)
func norm(_ v: Int64, _ k: IntKind) -> Int64 {
    switch k {
    case .bool: return v & 0xff != 0 ? 1 : 0
    case .char, .schar: return Int64(Int8(truncatingIfNeeded: v))
    case .uchar: return Int64(UInt8(truncatingIfNeeded: v))
    case .short: return Int64(Int16(truncatingIfNeeded: v))
    case .ushort: return Int64(UInt16(truncatingIfNeeded: v))
    case .int: return Int64(Int32(truncatingIfNeeded: v))
    case .uint: return Int64(UInt32(truncatingIfNeeded: v))
    case .long, .ulong, .longlong, .ulonglong, .int128, .uint128: return v
    }
}

extension Machine {
    // MARK: Types

    /// The scalar shape of `t`, nil for aggregates, arrays, functions, void.
    /// A `va_list` is a scalar here: the handle its bytes hold.
    func scalar(_ t: CType) -> Scalar? {
        switch t {
        case .int(let k): return .int(k)
        case .pointer: return .pointer
        case .float(let k): return .float(k)
        case .vaList: return .int(.ulong)
        case .typedef(let id): return scalar(typedefTypes[id.index])
        case .qualified(let inner, _), .atomic(let inner): return scalar(inner)
        case .enumeration(let id): return .int(enumKinds[id.index])
        case .complex, .void, .array, .vla, .function, .record, .vector: return nil
        }
    }

    /// `t` without typedefs and qualifiers at the top.
    func unroll(_ t: CType) -> CType {
        var t = t
        while true {
            switch t {
            case .typedef(let id): t = typedefTypes[id.index]
            case .qualified(let inner, _): t = inner
            default: return t
            }
        }
    }

    func pointee(_ t: CType) -> CType? {
        switch unroll(t) {
        case .pointer(let p): return p
        case .atomic(let inner): return pointee(inner)
        default: return nil
        }
    }

    /// The type of an expression (cheaper than `Program.typeOf` for the common shapes).
    func typeOf(_ e: Expr) -> CType {
        switch e {
        case .const(_, let t), .unary(_, _, let t), .binary(_, _, _, let t), .cond(_, _, _, let t), .cast(let t, _), .compoundLiteral(let t, _):
            return t
        case .read(let lv): return typeOf(lv)
        case .addrOf(let lv): return .pointer(typeOf(lv))
        default: return program.typeOf(e, in: frame?.info.fn)
        }
    }

    func typeOf(_ lv: LValue) -> CType {
        var t: CType
        switch lv.host {
        case .local(let id): t = frame!.info.types[id.index]
        case .global(let id): t = globalTypes[id.index]
        case .mem(let e): t = pointee(typeOf(e)) ?? .void
        case .compound(let ct, _): t = ct
        }
        for o in lv.offsets {
            switch o {
            case .field(let rid, let i): t = fieldTable[rid.index][i].type
            case .index:
                switch unroll(t) {
                case .array(let el, _), .vla(let el, _), .vector(let el, _): t = el
                default: t = .void
                }
            }
        }
        return t
    }

    /// Size in bytes; a VLA's length is evaluated now.
    func sizeOf(_ t: CType) throws -> Int {
        switch t {
        case .int(let k): return k.size
        case .pointer: return 8
        case .float(let k): return k.size
        case .record(let id): if let s = recordSizes[id.index] { return s }
        case .typedef(let id): return try sizeOf(typedefTypes[id.index])
        case .qualified(let inner, _): return try sizeOf(inner)
        case .enumeration(let id): return enumKinds[id.index].size
        case .array(let e, let n?): return n * (try sizeOf(e))
        default: break
        }
        if let s = program.size(of: t) { return s }
        switch unroll(t) {
        case .vla(let e, let len):
            let n = try intValue(eval(len))
            return Int(n) * (try sizeOf(e))
        case .array(let e, let n): return (n ?? 0) * (try sizeOf(e))
        case .function: return 1
        case .atomic(let inner): return try sizeOf(inner)
        case .record(let id): throw fail(.malformedIR, "size of incomplete struct \(program[id].tag)")
        default: throw fail(.unsupported, "size of type \(program.printed(t))")
        }
    }

    /// The size of what a pointer of type `t` points to (1 for void and functions, as GNU C).
    func pointeeSize(_ t: CType) throws -> Int {
        guard let pe = pointee(t) else { return 1 }
        switch unroll(pe) {
        case .void, .function: return 1
        default: return try sizeOf(pe)
        }
    }

    func zero(_ t: CType) throws -> Value {
        switch scalar(t) {
        case .int(let k)?: return k.size == 16 ? .wide(0, k) : .int(0, k)
        case .float(let k)?: return .float(0, k)
        case .pointer?: return .ptr(.null)
        case nil:
            if unroll(t).isVoid { return .void }
            let n = try sizeOf(t)
            return .agg(Bytes(data: [UInt8](repeating: 0, count: n), ptrs: [:]))
        }
    }

    // MARK: Conversions (C11 6.3.1)

    func intValue(_ v: Value) throws -> Int64 {
        switch v {
        case .int(let x, _): return x
        case .wide(let w, _): return Int64(truncatingIfNeeded: w)
        case .ptr(let p): return Int64(bitPattern: address(p))
        case .float(let d, _): return Int64(exactly: d.rounded(.towardZero)) ?? Int64.min
        default: throw fail(.malformedIR, "\(v) used as an integer")
        }
    }

    func truthy(_ v: Value) throws -> Bool {
        switch v {
        case .int(let x, _): return x != 0
        case .wide(let w, _): return w != 0
        case .float(let d, _): return d != 0
        case .ptr(let p): return address(p) != 0
        default: throw fail(.malformedIR, "\(v) used as a condition")
        }
    }

    /// `v` converted to type `t` (a cast); aggregates and void pass through.
    func cast(_ v: Value, to t: CType) throws -> Value {
        if let s = scalar(t) { return try convert(v, to: s) }
        switch unroll(t) {
        case .void: return .void
        case .complex, .vector: throw unsupportedType(t)
        default: return v
        }
    }

    func unsupportedType(_ t: CType) -> InterpreterError {
        fail(.unsupported, "values of type \(program.printed(t)) (complex and vector types)")
    }

    func convert(_ v: Value, to s: Scalar) throws -> Value {
        switch (v, s) {
        case (.int(let x, let k), .int(let t)):
            if k == t { return v }
            if t.size == 16 { return .wide(k.isSigned ? UInt128(truncatingIfNeeded: x) : UInt128(UInt64(bitPattern: x)), t) }
            if t == .bool { return .int(x != 0 ? 1 : 0, t) }
            return .int(norm(x, t), t)
        case (.wide(let w, _), .int(let t)):
            if t.size == 16 { return .wide(w, t) }
            if t == .bool { return .int(w != 0 ? 1 : 0, t) }
            return .int(norm(Int64(truncatingIfNeeded: w), t), t)
        case (.float(let d, _), .int(let t)):
            return floatToInt(d, t)
        case (.ptr(let p), .int(let t)):
            let a = address(p)
            if t == .bool { return .int(a != 0 ? 1 : 0, t) }
            if t.size == 16 { return .wide(UInt128(a), t) }
            return .int(norm(Int64(bitPattern: a), t), t)
        case (.int(let x, let k), .float(let t)):
            if t == .float { return .float(Double(k.isSigned ? Float(x) : Float(UInt64(bitPattern: x))), t) }
            return .float(k.isSigned ? Double(x) : Double(UInt64(bitPattern: x)), t)
        case (.wide(let w, let k), .float(let t)):
            let d = k.isSigned ? Double(Int128(bitPattern: w)) : Double(w)
            return .float(t == .float ? Double(Float(d)) : d, t)
        case (.float(let d, _), .float(let t)):
            return .float(t == .float ? Double(Float(d)) : d, t)
        case (.ptr, .pointer): return v
        case (.int(let x, _), .pointer): return .ptr(pointer(fromAddress: UInt64(bitPattern: x)))
        case (.wide(let w, _), .pointer): return .ptr(pointer(fromAddress: UInt64(truncatingIfNeeded: w)))
        case (.ptr(let p), .float(let t)): return .float(Double(address(p)), t)
        default:
            throw fail(.malformedIR, "cannot convert \(v) to \(s)")
        }
    }

    /// C11 6.3.1.4: truncation toward zero. Out of range is undefined; the
    /// result saturates to the target's range (NaN gives 0), as gcc's
    /// constant folder does (the torture corpus expects it), not a trap.
    func floatToInt(_ d: Double, _ t: IntKind) -> Value {
        if t == .bool { return .int(d != 0 ? 1 : 0, t) }
        if d.isNaN { return t.size == 16 ? .wide(0, t) : .int(0, t) }
        let z = d.rounded(.towardZero)
        if t.size == 16 {
            if t.isSigned { return .wide(UInt128(bitPattern: z <= -0x1p127 ? Int128.min : z >= 0x1p127 ? Int128.max : Int128(z)), t) }
            return .wide(z <= 0 ? 0 : z >= 0x1p128 ? UInt128.max : UInt128(z), t)
        }
        let bits = t.size * 8
        if t.isSigned {
            let lo = -Double(sign: .plus, exponent: bits - 1, significand: 1), hi = -lo
            if z <= lo { return .int(bits == 64 ? Int64.min : -(Int64(1) << (bits - 1)), t) }
            if z >= hi { return .int(bits == 64 ? Int64.max : (Int64(1) << (bits - 1)) - 1, t) }
            return .int(Int64(z), t)
        }
        if z <= 0 { return .int(0, t) }
        if z >= Double(sign: .plus, exponent: bits, significand: 1) { return .int(bits == 64 ? -1 : (Int64(1) << bits) - 1, t) }
        return .int(Int64(bitPattern: UInt64(z)), t)
    }

    // MARK: Operators (C11 6.5.3, 6.5.5–6.5.15)

    func unary(_ op: UnaryOp, _ v: Value, _ t: CType) throws -> Value {
        switch op {
        case .logNot:
            return try convert(.int(truthy(v) ? 0 : 1, .int), to: scalar(t) ?? .int(.int))
        case .neg, .bitNot:
            switch (v, scalar(t)) {
            case (.int(let x, _), .int(let k)?) where k.size < 16:
                return .int(norm(op == .neg ? 0 &- x : ~x, k), k)
            case (.wide(let w, _), .int(let k)?):
                return .wide(op == .neg ? 0 &- w : ~w, k)
            case (.int, .int(let k)?):
                return try unary(op, convert(v, to: .int(k)), t)
            case (.float(let d, _), .float(let k)?) where op == .neg:
                return .float(-d, k)
            default: throw fail(.malformedIR, "operator \(op.rawValue) on \(v)")
            }
        case .real, .imag:
            throw fail(.unsupported, "complex numbers (\(op.rawValue))")
        }
    }

    func binary(_ op: BinaryOp, _ a: Value, _ b: Value, _ t: CType, elementSize: Int = 1) throws -> Value {
        switch op {
        case .ptrAdd, .ptrSub:
            guard case .ptr(var p) = a else {
                if case .ptr = b, op == .ptrAdd { return try binary(op, b, a, t) }  // i + p
                throw fail(.malformedIR, "pointer arithmetic on \(a)")
            }
            let n = try intValue(b) &* Int64(pointeeSize(t))
            p.off = Int(op == .ptrAdd ? Int64(p.off) &+ n : Int64(p.off) &- n)
            return .ptr(p)
        case .ptrDiff:
            guard case .ptr(let p) = a, case .ptr(let q) = b else { throw fail(.malformedIR, "pointer difference of \(a) and \(b)") }
            // In elements of the operands' pointee (the caller knows their type).
            let d = Int64(bitPattern: address(p) &- address(q))
            let s = Int64(elementSize)
            return try convert(.int(s == 0 ? d : d / s, .long), to: scalar(t) ?? .int(.long))
        case .logAnd, .logOr:
            fatalError("short-circuit operators are evaluated by eval")
        default: break
        }
        switch (a, b) {
        case (.int(let x, let ka), .int(let y, let kb)):
            return try intBinary(op, x, ka, y, kb, t)
        case (.float(let x, _), .float(let y, _)):
            return try floatBinary(op, x, y, t)
        case (.wide, _), (_, .wide):
            return try wideBinary(op, a, b, t)
        case (.ptr, _), (_, .ptr):
            // Comparisons of pointers (or of a pointer with an integer): by address.
            let x = try intValue(a), y = try intValue(b)
            return try intBinary(op, x, .ulong, y, .ulong, t)
        case (.int, .float), (.float, .int):
            let s = scalar(t)
            if case .float(let k)? = s { return try floatBinary(op, floatOf(a, k), floatOf(b, k), t) }
            return try floatBinary(op, floatOf(a, .double), floatOf(b, .double), t)
        default:
            throw fail(.malformedIR, "operator \(op.rawValue) on \(a) and \(b)")
        }
    }

    func floatOf(_ v: Value, _ k: FloatKind) throws -> Double {
        guard case .float(let d, _) = try convert(v, to: .float(k)) else { return 0 }
        return d
    }

    func boolValue(_ c: Bool, _ t: CType) -> Value {
        if case .int(let k)? = scalar(t), k.size < 16 { return .int(c ? 1 : 0, k) }
        if case .int(let k)? = scalar(t) { return .wide(c ? 1 : 0, k) }
        return .int(c ? 1 : 0, .int)
    }

    func intBinary(_ op: BinaryOp, _ x: Int64, _ ka: IntKind, _ y: Int64, _ kb: IntKind, _ t: CType) throws -> Value {
        guard case .int(let k)? = scalar(t) else {
            if case .float? = scalar(t) { return try floatBinary(op, floatOf(.int(x, ka), .double), floatOf(.int(y, kb), .double), t) }
            if case .pointer? = scalar(t) { return .ptr(pointer(fromAddress: UInt64(bitPattern: try intBinary(op, x, .ulong, y, .ulong, .ulong).int))) }
            throw fail(.malformedIR, "integer operator with result type \(program.printed(t))")
        }
        if k.size == 16 { return try wideBinary(op, .int(x, ka), .int(y, kb), t) }
        let signed = ka.isSigned
        let r: Int64
        switch op {
        case .add: r = x &+ y
        case .sub: r = x &- y
        case .mul: r = x &* y
        case .div, .rem:
            if y == 0 { throw fail(.divisionByZero, op == .div ? "division by zero" : "remainder by zero") }
            if k.isSigned {
                r = op == .div ? x.dividedReportingOverflow(by: y).partialValue : x.remainderReportingOverflow(dividingBy: y).partialValue
            } else {
                let ux = UInt64(bitPattern: x), uy = UInt64(bitPattern: y)
                r = Int64(bitPattern: op == .div ? ux / uy : ux % uy)
            }
        case .shl, .shr:
            let width = max(32, k.size * 8)
            let c = Int(UInt64(bitPattern: y) & UInt64(width - 1))
            if op == .shl { r = Int64(bitPattern: UInt64(bitPattern: x) << c) }
            else if k.isSigned { r = x >> c }
            else { r = Int64(bitPattern: UInt64(bitPattern: x) >> c) }
        case .bitAnd: r = x & y
        case .bitOr: r = x | y
        case .bitXor: r = x ^ y
        case .lt: return boolValue(signed ? x < y : UInt64(bitPattern: x) < UInt64(bitPattern: y), t)
        case .gt: return boolValue(signed ? x > y : UInt64(bitPattern: x) > UInt64(bitPattern: y), t)
        case .le: return boolValue(signed ? x <= y : UInt64(bitPattern: x) <= UInt64(bitPattern: y), t)
        case .ge: return boolValue(signed ? x >= y : UInt64(bitPattern: x) >= UInt64(bitPattern: y), t)
        case .eq: return boolValue(x == y, t)
        case .ne: return boolValue(x != y, t)
        case .ptrAdd, .ptrSub, .ptrDiff, .logAnd, .logOr: fatalError("handled by binary")
        }
        return .int(norm(r, k), k)
    }

    func wideBinary(_ op: BinaryOp, _ a: Value, _ b: Value, _ t: CType) throws -> Value {
        func w(_ v: Value) throws -> (UInt128, Bool) {
            switch v {
            case .wide(let x, let k): return (x, k.isSigned)
            case .int(let x, let k): return (k.isSigned ? UInt128(truncatingIfNeeded: x) : UInt128(UInt64(bitPattern: x)), k.isSigned)
            case .ptr(let p): return (UInt128(address(p)), false)
            default: throw fail(.malformedIR, "128-bit operator on \(v)")
            }
        }
        let (x, sa) = try w(a), (y, _) = try w(b)
        let sx = Int128(bitPattern: x), sy = Int128(bitPattern: y)
        let r: UInt128
        switch op {
        case .add: r = x &+ y
        case .sub: r = x &- y
        case .mul: r = x &* y
        case .div, .rem:
            if y == 0 { throw fail(.divisionByZero, "division by zero") }
            if sa {
                r = UInt128(bitPattern: op == .div ? sx.dividedReportingOverflow(by: sy).partialValue : sx.remainderReportingOverflow(dividingBy: sy).partialValue)
            } else { r = op == .div ? x / y : x % y }
        case .shl: r = x << (y & 127)
        case .shr: r = sa ? UInt128(bitPattern: sx >> Int128(y & 127)) : x >> (y & 127)
        case .bitAnd: r = x & y
        case .bitOr: r = x | y
        case .bitXor: r = x ^ y
        case .lt: return boolValue(sa ? sx < sy : x < y, t)
        case .gt: return boolValue(sa ? sx > sy : x > y, t)
        case .le: return boolValue(sa ? sx <= sy : x <= y, t)
        case .ge: return boolValue(sa ? sx >= sy : x >= y, t)
        case .eq: return boolValue(x == y, t)
        case .ne: return boolValue(x != y, t)
        case .ptrAdd, .ptrSub, .ptrDiff, .logAnd, .logOr: fatalError("handled by binary")
        }
        return try convert(.wide(r, .uint128), to: scalar(t) ?? .int(.uint128))
    }

    func floatBinary(_ op: BinaryOp, _ x: Double, _ y: Double, _ t: CType) throws -> Value {
        let r: Double
        switch op {
        case .add: r = x + y
        case .sub: r = x - y
        case .mul: r = x * y
        case .div: r = x / y
        case .lt: return boolValue(x < y, t)
        case .gt: return boolValue(x > y, t)
        case .le: return boolValue(x <= y, t)
        case .ge: return boolValue(x >= y, t)
        case .eq: return boolValue(x == y, t)
        case .ne: return boolValue(x != y, t)
        default: throw fail(.malformedIR, "operator \(op.rawValue) on floating operands")
        }
        guard case .float(let k)? = scalar(t) else { return try convert(.float(r, .double), to: scalar(t) ?? .float(.double)) }
        return .float(k == .float ? Double(Float(r)) : r, k)
    }
}

extension Value {
    var int: Int64 { if case .int(let x, _) = self { return x }; return 0 }
}
