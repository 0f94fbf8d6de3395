// Type queries over a program: unrolling typedefs, the type of an
// expression or lvalue, sizes and alignments on x86-64 Linux (LP64).

public extension IntKind {
    var size: Int {
        switch self {
        case .bool, .char, .schar, .uchar: return 1
        case .short, .ushort: return 2
        case .int, .uint: return 4
        case .long, .ulong, .longlong, .ulonglong: return 8
        case .int128, .uint128: return 16
        }
    }
    var isSigned: Bool {
        switch self {
        case .char, .schar, .short, .int, .long, .longlong, .int128: return true
        case .bool, .uchar, .ushort, .uint, .ulong, .ulonglong, .uint128: return false
        }
    }
    /// Integer conversion rank (C11 6.3.1.1).
    var rank: Int {
        switch self {
        case .bool: return 0
        case .char, .schar, .uchar: return 1
        case .short, .ushort: return 2
        case .int, .uint: return 3
        case .long, .ulong: return 4
        case .longlong, .ulonglong: return 5
        case .int128, .uint128: return 6
        }
    }
    /// The C spelling.
    var spelling: String {
        switch self {
        case .bool: return "_Bool"
        case .char: return "char"
        case .schar: return "signed char"
        case .uchar: return "unsigned char"
        case .short: return "short"
        case .ushort: return "unsigned short"
        case .int: return "int"
        case .uint: return "unsigned int"
        case .long: return "long"
        case .ulong: return "unsigned long"
        case .longlong: return "long long"
        case .ulonglong: return "unsigned long long"
        case .int128: return "__int128"
        case .uint128: return "unsigned __int128"
        }
    }
}

public extension FloatKind {
    var size: Int {
        switch self {
        case .float: return 4
        case .double: return 8
        case .longDouble, .float128: return 16
        }
    }
    var spelling: String {
        switch self {
        case .float: return "float"
        case .double: return "double"
        case .longDouble: return "long double"
        case .float128: return "__float128"
        }
    }
}

public extension CType {
    var isVoid: Bool { if case .void = self { return true }; return false }
}

public extension Program {
    /// The type with typedefs and qualifiers removed at the top (not inside
    /// pointers). `_Atomic` is kept.
    func unroll(_ t: CType) -> CType {
        var t = t
        while true {
            switch t {
            case .typedef(let id): t = self[id].type
            case .qualified(let inner, _): t = inner
            default: return t
            }
        }
    }

    /// Qualifiers at the top of `t`, through typedefs.
    func qualifiers(_ t: CType) -> Qualifiers {
        var q: Qualifiers = []
        var t = t
        while true {
            switch t {
            case .typedef(let id): t = self[id].type
            case .qualified(let inner, let qs): q.formUnion(qs); t = inner
            default: return q
            }
        }
    }

    /// Unrolled, with `_Atomic` and enums seen as their value type.
    func valueType(_ t: CType) -> CType {
        switch unroll(t) {
        case .atomic(let inner): return valueType(inner)
        case .enumeration(let id): return .int(self[id].underlying)
        case let u: return u
        }
    }

    func isInteger(_ t: CType) -> Bool {
        if case .int = valueType(t) { return true }
        return false
    }
    func isFloating(_ t: CType) -> Bool {
        if case .float = valueType(t) { return true }
        return false
    }
    func isArithmetic(_ t: CType) -> Bool {
        switch valueType(t) {
        case .int, .float, .complex: return true
        default: return false
        }
    }
    func isPointer(_ t: CType) -> Bool {
        if case .pointer = valueType(t) { return true }
        return false
    }
    func isScalar(_ t: CType) -> Bool { isArithmetic(t) || isPointer(t) }
    func pointee(_ t: CType) -> CType? {
        if case .pointer(let p) = valueType(t) { return p }
        return nil
    }
    func isRecord(_ t: CType) -> Bool {
        if case .record = unroll(t) { return true }
        return false
    }

    /// Size in bytes, nil for incomplete types, VLAs and functions.
    func size(of t: CType) -> Int? {
        switch unroll(t) {
        case .void: return 1  // GNU: sizeof(void) == 1
        case .int(let k): return k.size
        case .float(let k): return k.size
        case .complex(let k): return 2 * k.size
        case .pointer: return 8
        case .array(let e, let n): guard let n, let es = size(of: e) else { return nil }; return n * es
        case .vla, .function: return nil
        case .record(let id): return self[id].fields == nil ? nil : self[id].size
        case .enumeration(let id): return self[id].underlying.size
        case .atomic(let inner):
            guard let s = size(of: inner) else { return nil }
            return s <= 16 && s & (s - 1) == 0 ? s : s
        case .vector(let e, let n): return (size(of: e) ?? 0) * n
        case .vaList: return 24
        case .typedef, .qualified: fatalError("unrolled")
        }
    }

    func align(of t: CType) -> Int? {
        switch unroll(t) {
        case .void: return 1
        case .int(let k): return k.size
        case .float(let k): return k.size
        case .complex(let k): return k.size
        case .pointer: return 8
        case .array(let e, _), .vla(let e, _): return align(of: e)
        case .function: return nil
        case .record(let id): return self[id].align
        case .enumeration(let id): return self[id].underlying.size
        case .atomic(let inner): return size(of: inner).map { $0 <= 16 && $0 & ($0 - 1) == 0 ? $0 : (align(of: inner) ?? 1) }
        case .vector(let e, let n): return (size(of: e) ?? 0) * n
        case .vaList: return 8
        case .typedef, .qualified: fatalError("unrolled")
        }
    }

    /// The function a function-typed or pointer-to-function type denotes.
    func functionType(_ t: CType) -> FunctionType? {
        switch valueType(t) {
        case .function(let f): return f
        case .pointer(let p): if case .function(let f) = unroll(p) { return f }; return nil
        default: return nil
        }
    }

    // MARK: Types of expressions

    /// The type of a local, global or memory host.
    /// The flexible array member of struct `r`: its last field, an array of
    /// unknown length (or GNU's zero-length one), with its index.
    func flexibleArray(of r: RecordID) -> (index: Int, field: Field)? {
        guard records.indices.contains(r.index), self[r].kind == .struct, let fields = self[r].fields,
              let last = fields.indices.last, fields[last].bitWidth == nil,
              case .array(_, let n) = unroll(fields[last].type), n == nil || n == 0 else { return nil }
        return (last, fields[last])
    }

    func typeOf(_ host: LHost, in fn: Function?) -> CType {
        switch host {
        case .local(let id):
            guard let fn else { preconditionFailure("local outside a function") }
            return fn.locals[id.index].type
        case .global(let id): return self[id].type
        case .mem(let e): return pointee(typeOf(e, in: fn)) ?? .void
        case .compound(let t, _): return t
        }
    }

    func typeOf(_ lv: LValue, in fn: Function?) -> CType {
        var t = typeOf(lv.host, in: fn)
        for o in lv.offsets { t = typeOf(o, base: t) }
        return t
    }

    /// The type reached by one offset step from an lvalue of type `base`.
    func typeOf(_ o: Offset, base: CType) -> CType {
        switch o {
        case .field(let rid, let i):
            return self[rid].fields?[i].type ?? .void
        case .index:
            switch unroll(base) {
            case .array(let e, _), .vla(let e, _): return e
            case .vector(let e, _): return e
            default: return .void
            }
        }
    }

    func typeOf(_ e: Expr, in fn: Function?) -> CType {
        switch e {
        case .const(_, let t): return t
        case .read(let lv): return typeOf(lv, in: fn)
        case .addrOf(let lv): return .pointer(typeOf(lv, in: fn))
        case .startOf(let lv):
            switch unroll(typeOf(lv, in: fn)) {
            case .array(let el, _), .vla(let el, _): return .pointer(el)
            case let other: return .pointer(other)
            }
        case .function(let id): return .pointer(.function(self[id].type))
        case .labelAddr: return .voidPtr
        case .unary(_, _, let t), .binary(_, _, _, let t), .cond(_, _, _, let t), .cast(let t, _): return t
        case .sizeOf, .alignOf: return .sizeT
        case .compoundLiteral(let t, _): return t
        case .current(_, let a): return typeOf(a, in: fn)
        case .pinned(let r, let k, _):
            guard records.indices.contains(r.index), let fs = self[r].fields, fs.indices.contains(k) else { return .voidPtr }
            return .pointer(fs[k].type)
        }
    }
}
