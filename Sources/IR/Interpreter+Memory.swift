// The interpreter's memory: objects with fake addresses, pointers with
// provenance, checked loads and stores. See Interpreter.swift for the model.

/// A pointer: an object and a byte offset into it. Object 0 is "no object":
/// its offset is the raw address (0 for the null pointer).
struct Pointer: Hashable {
    var obj: Int
    var off: Int
    static let null = Pointer(obj: 0, off: 0)
}

/// The bytes of an aggregate value (a struct, union or array read whole),
/// with the provenance of the pointers stored in them.
struct Bytes {
    var data: [UInt8]
    var ptrs: [Int: Int]
}

final class MemObject {
    enum Kind {
        case null
        case global(String)
        case local(name: String, function: String)
        case temporary(function: String)
        case heap
        case string
        case function(FuncID)
        /// What `&&label` points into: one byte per label of the function
        /// (sorted by name), so label differences (`&&a - &&b`) work.
        case labels(FuncID, [String])
        case argv
        case file(Int)
        case libc(String)
    }
    enum State: Equatable {
        case live, freed(SourceLoc), ended(SourceLoc)
        /// An external variable no definition or libc provides.
        case undefined(String)
        /// What a pointer kept across an update points to, once its target converted (Interpreter+Patch.swift).
        case stale(String)
    }
    let base: UInt64
    var data: [UInt8]
    /// offset → object: the provenance of a pointer stored at that offset
    /// (dropped when any of its bytes is overwritten by something else).
    var ptrs: [Int: Int] = [:]
    var state: State = .live { didSet { live = state == .live } }
    /// Some of its bytes are the old value of a struct that moved at an update (REP-5): accesses are checked.
    var guarded = false
    /// `state == .live`, kept for the hot path.
    var live = true
    let kind: Kind
    let readOnly: Bool
    let loc: SourceLoc
    /// The size it was created with (`data` is emptied when it dies).
    let size: Int
    init(base: UInt64, size: Int, kind: Kind, readOnly: Bool, loc: SourceLoc) {
        self.base = base; self.data = [UInt8](repeating: 0, count: size); self.kind = kind; self.readOnly = readOnly; self.loc = loc
        self.size = size
    }

    var what: String {
        switch kind {
        case .null: return "no object"
        case .global(let n): return "global '\(n)'"
        case .local(let n, let f): return "local '\(n)' of \(f)"
        case .temporary(let f): return "a temporary of \(f)"
        case .heap: return "a heap block allocated at \(loc)"
        case .string: return "a string literal"
        case .function(let f): return "function #\(f.index)"
        case .labels: return "the labels of a function"
        case .argv: return "argv"
        case .file(let n): return "FILE #\(n)"
        case .libc(let n): return "libc's \(n)"
        }
    }
}

extension Machine {
    // MARK: Objects

    /// A new zero-filled object at a fresh address.
    func allocate(size: Int, kind: MemObject.Kind, readOnly: Bool = false, align: Int = 16, loc: SourceLoc) -> Int {
        let size = max(0, size)
        let a = UInt64(max(16, align))
        let base = (nextAddress + a - 1) / a * a
        nextAddress = base + UInt64(max(size, 1)) + 16
        objects.append(MemObject(base: base, size: size, kind: kind, readOnly: readOnly, loc: loc))
        return objects.count - 1
    }

    func address(_ p: Pointer) -> UInt64 { objects[p.obj].base &+ UInt64(bitPattern: Int64(p.off)) }

    /// The pointer an integer address denotes: the object whose bytes or
    /// one-past-end hold it (dead ones too, so a stale address is reported as
    /// such), else no object.
    func pointer(fromAddress a: UInt64) -> Pointer {
        if a == 0 { return .null }
        var lo = 1, hi = objects.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let o = objects[mid]
            if a < o.base { hi = mid - 1 }
            else if a > o.base + UInt64(o.size) { lo = mid + 1 }
            else { return Pointer(obj: mid, off: Int(a - o.base)) }
        }
        return Pointer(obj: 0, off: Int(Int64(bitPattern: a)))
    }

    /// The object `p` points into, checked for an access of `n` bytes.
    @inline(__always)
    func check(_ p: Pointer, _ n: Int, write: Bool) throws -> MemObject {
        let o = objects[p.obj]
        if o.live, !o.guarded, n >= 0, p.off >= 0, p.off <= o.data.count - n, p.obj != 0, !(write && o.readOnly) {
            if case .function = o.kind { throw fail(.invalidPointer, "access to the bytes of a function") }
            if case .labels = o.kind { throw fail(.invalidPointer, "access to the bytes of a label") }
            return o
        }
        if o.guarded, o.live, n >= 0, p.off >= 0, p.off <= o.data.count - n, !(write && o.readOnly) {
            try checkMoved(p, n)
            return o
        }
        throw accessError(p, n, write: write)
    }

    func accessError(_ p: Pointer, _ n: Int, write: Bool) -> InterpreterError {
        let verb = write ? "write" : "read"
        if p.obj == 0 {
            if p.off >= 0 && p.off < 4096 {
                return fail(.nullDereference, "\(verb) of \(n) byte\(n == 1 ? "" : "s") through a null pointer" + (p.off == 0 ? "" : " (offset \(p.off))"))
            }
            return fail(.invalidPointer, "\(verb) through 0x\(String(UInt64(bitPattern: Int64(p.off)), radix: 16)), an address of no object")
        }
        let o = objects[p.obj]
        switch o.state {
        case .freed(let at): return fail(.useAfterFree, "\(verb) of \(o.what), freed at \(at)")
        case .ended(let at): return fail(.useAfterScope, "\(verb) of \(o.what) after its frame ended (at \(at))")
        case .undefined(let name): return fail(.unsupported, "external variable '\(name)' (no definition, and the interpreter's libc has none)")
        case .stale(let why): return fail(.staleRepresentation, "\(verb) through \(why)")
        case .live: break
        }
        if write && o.readOnly { return fail(.writeToReadOnly, "write into \(o.what)") }
        if n < 0 { return fail(.outOfBounds, "\(verb) of \(UInt64(bitPattern: Int64(n))) bytes (a negative size) at offset \(p.off) of \(o.what)") }
        return fail(.outOfBounds, "\(verb) of \(n) byte\(n == 1 ? "" : "s") at offset \(p.off) of \(o.what) (\(o.size) bytes)")
    }

    // MARK: Raw bytes

    func readBytes(_ p: Pointer, _ n: Int) throws -> Bytes {
        if n == 0 { return Bytes(data: [], ptrs: [:]) }
        let o = try check(p, n, write: false)
        var ptrs: [Int: Int] = [:]
        if !o.ptrs.isEmpty {
            for (k, v) in o.ptrs where k >= p.off && k + 8 <= p.off + n { ptrs[k - p.off] = v }
        }
        return Bytes(data: Array(o.data[p.off..<p.off + n]), ptrs: ptrs)
    }

    func writeBytes(_ p: Pointer, _ b: Bytes) throws {
        let n = b.data.count
        if n == 0 { return }
        let o = try check(p, n, write: true)
        clearShadow(o, p.off, n)
        o.data.replaceSubrange(p.off..<p.off + n, with: b.data)
        for (k, v) in b.ptrs { o.ptrs[k + p.off] = v }
    }

    /// Drops the provenance of pointers overlapping bytes [off, off+n).
    @inline(__always)
    func clearShadow(_ o: MemObject, _ off: Int, _ n: Int) {
        if o.ptrs.isEmpty { return }
        if n <= 16 {
            for k in (off - 7)..<(off + n) { o.ptrs.removeValue(forKey: k) }
        } else {
            o.ptrs = o.ptrs.filter { $0.key + 8 <= off || $0.key >= off + n }
        }
    }

    func storePointer(_ p: Pointer, obj: Int, off: Int) {
        let o = objects[obj]
        clearShadow(o, off, 8)
        let a = address(p)
        o.data.withUnsafeMutableBytes { $0.storeBytes(of: a.littleEndian, toByteOffset: off, as: UInt64.self) }
        if p.obj != 0 { o.ptrs[off] = p.obj }
    }

    // MARK: Scalars

    func loadScalar(_ p: Pointer, _ s: Scalar) throws -> Value {
        switch s {
        case .int(let k):
            let o = try check(p, k.size, write: false)
            return o.data.withUnsafeBytes { b -> Value in
                switch k {
                case .bool: return .int(b[p.off] != 0 ? 1 : 0, k)
                case .char, .schar: return .int(Int64(Int8(bitPattern: b[p.off])), k)
                case .uchar: return .int(Int64(b[p.off]), k)
                case .short: return .int(Int64(b.loadUnaligned(fromByteOffset: p.off, as: Int16.self)), k)
                case .ushort: return .int(Int64(b.loadUnaligned(fromByteOffset: p.off, as: UInt16.self)), k)
                case .int: return .int(Int64(b.loadUnaligned(fromByteOffset: p.off, as: Int32.self)), k)
                case .uint: return .int(Int64(b.loadUnaligned(fromByteOffset: p.off, as: UInt32.self)), k)
                case .long, .ulong, .longlong, .ulonglong: return .int(b.loadUnaligned(fromByteOffset: p.off, as: Int64.self), k)
                case .int128, .uint128: return .wide(b.loadUnaligned(fromByteOffset: p.off, as: UInt128.self), k)
                }
            }
        case .float(let k):
            switch k {
            case .float:
                let o = try check(p, 4, write: false)
                let bits = o.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: p.off, as: UInt32.self) }
                return .float(Double(Float(bitPattern: bits)), k)
            case .double, .longDouble, .float128:
                // long double and __float128 occupy 16 bytes; the first 8 hold a double.
                let o = try check(p, k.size, write: false)
                let bits = o.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: p.off, as: UInt64.self) }
                return .float(Double(bitPattern: bits), k)
            }
        case .pointer:
            let o = try check(p, 8, write: false)
            let a = o.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: p.off, as: UInt64.self) }
            if let src = o.ptrs[p.off] {
                return .ptr(Pointer(obj: src, off: Int(Int64(bitPattern: a &- objects[src].base))))
            }
            return .ptr(pointer(fromAddress: a))
        }
    }

    /// Stores `v`, already of scalar shape `s`.
    func storeScalar(_ p: Pointer, _ s: Scalar, _ v: Value) throws {
        switch s {
        case .int(let k):
            let o = try check(p, k.size, write: true)
            clearShadow(o, p.off, k.size)
            switch v {
            case .int(let x, _):
                o.data.withUnsafeMutableBytes { b in
                    switch k.size {
                    case 1: b[p.off] = UInt8(truncatingIfNeeded: x)
                    case 2: b.storeBytes(of: UInt16(truncatingIfNeeded: x), toByteOffset: p.off, as: UInt16.self)
                    case 4: b.storeBytes(of: UInt32(truncatingIfNeeded: x), toByteOffset: p.off, as: UInt32.self)
                    case 8: b.storeBytes(of: x, toByteOffset: p.off, as: Int64.self)
                    default: b.storeBytes(of: UInt128(truncatingIfNeeded: x), toByteOffset: p.off, as: UInt128.self)
                    }
                }
            case .wide(let w, _):
                o.data.withUnsafeMutableBytes { $0.storeBytes(of: w, toByteOffset: p.off, as: UInt128.self) }
            default: throw fail(.malformedIR, "store of \(v) as an integer")
            }
        case .float(let k):
            guard case .float(let d, _) = v else { throw fail(.malformedIR, "store of \(v) as a floating value") }
            let o = try check(p, k.size, write: true)
            clearShadow(o, p.off, k.size)
            if k == .float {
                o.data.withUnsafeMutableBytes { $0.storeBytes(of: Float(d).bitPattern, toByteOffset: p.off, as: UInt32.self) }
            } else {
                o.data.withUnsafeMutableBytes { $0.storeBytes(of: d.bitPattern, toByteOffset: p.off, as: UInt64.self) }
            }
        case .pointer:
            guard case .ptr(let q) = v else { throw fail(.malformedIR, "store of \(v) as a pointer") }
            _ = try check(p, 8, write: true)
            storePointer(q, obj: p.obj, off: p.off)
        }
    }

    // MARK: Bit-fields

    func loadBits(_ p: Pointer, bit: Int, width: Int, _ k: IntKind) throws -> Value {
        let n = (bit + width + 7) / 8
        let o = try check(p, n, write: false)
        var raw: UInt128 = 0
        for i in 0..<n { raw |= UInt128(o.data[p.off + i]) << (8 * i) }
        raw = (raw >> bit) & (width >= 128 ? ~0 : (1 << width) - 1)
        var v = Int128(bitPattern: raw)
        if k.isSigned && width > 0 && (raw >> (width - 1)) & 1 == 1 { v -= Int128(1) << width }
        if k.size == 16 { return .wide(UInt128(bitPattern: v), k) }
        return .int(norm(Int64(truncatingIfNeeded: v), k), k)
    }

    func storeBits(_ p: Pointer, bit: Int, width: Int, _ v: Value) throws {
        let n = (bit + width + 7) / 8
        let o = try check(p, n, write: true)
        clearShadow(o, p.off, n)
        let x: UInt128
        switch v {
        case .int(let i, _): x = UInt128(truncatingIfNeeded: i)
        case .wide(let w, _): x = w
        default: throw fail(.malformedIR, "store of \(v) into a bit-field")
        }
        var raw: UInt128 = 0
        for i in 0..<n { raw |= UInt128(o.data[p.off + i]) << (8 * i) }
        let mask: UInt128 = (width >= 128 ? ~0 : (1 << width) - 1) << bit
        raw = (raw & ~mask) | ((x << bit) & mask)
        for i in 0..<n { o.data[p.off + i] = UInt8(truncatingIfNeeded: raw >> (8 * i)) }
    }

    // MARK: C strings

    /// The bytes of the NUL-terminated string at `p` (without the NUL).
    func cString(_ p: Pointer, limit: Int = Int.max) throws -> [UInt8] {
        let o = try check(p, 0, write: false)
        var end = p.off
        while end - p.off < limit {
            guard end < o.data.count else { throw accessError(Pointer(obj: p.obj, off: end), 1, write: false) }
            if o.data[end] == 0 { break }
            end += 1
        }
        return Array(o.data[p.off..<end])
    }
}
