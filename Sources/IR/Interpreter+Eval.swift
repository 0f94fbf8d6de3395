// Expressions, lvalues and initializers.

/// Where an lvalue is: a register of the current frame, bytes of an object,
/// or a bit-field inside them.
enum Place {
    case reg(Int)
    case mem(Pointer)
    case bits(Pointer, bit: Int, width: Int)
}

extension Machine {
    // MARK: Expressions

    func eval(_ e: Expr) throws -> Value {
        // The hot cases inline, the rest in `evalOther` (see `exec`).
        switch e {
        case .const(let c, let t):
            return try constant(c, t)
        case .read(let lv):
            // The common case first: a register local.
            if case .local(let id) = lv.host, let f = frame, f.info.isReg[id.index], lv.offsets.isEmpty { return f.regs[id.index] }
            let (pl, t) = try place(lv)
            return try load(pl, t)
        case .binary(let op, let a, let b, let t):
            switch op {
            case .logAnd, .logOr, .ptrDiff: return try evalOther(e)
            default: return try binary(op, eval(a), eval(b), t)
            }
        case .cast(let t, let a):
            return try cast(eval(a), to: t)
        default:
            return try evalOther(e)
        }
    }

    func evalOther(_ e: Expr) throws -> Value {
        switch e {
        case .const, .read, .cast: return try eval(e)
        case .addrOf(let lv), .startOf(let lv):
            let (pl, _) = try place(lv)
            switch pl {
            case .mem(let p): return .ptr(p)
            case .reg: throw fail(.malformedIR, "address of a register local")
            case .bits: throw fail(.malformedIR, "address of a bit-field")
            }
        case .function(let f):
            return .ptr(Pointer(obj: fnObj[f.index], off: 0))
        case .labelAddr(let l):
            // `&&l`: a pointer into the object standing for the function's labels.
            if let f = frame { return .ptr(try labelPointer(f.fn, l)) }
            // In a static local's initializer: the one function with that label.
            var owners: [Int] = []
            for i in program.functions.indices where hasBody[i] { if try info(FuncID(i)).labels[l] != nil { owners.append(i) } }
            guard owners.count == 1 else { throw fail(.unsupported, "label address &&\(l) in a static initializer (\(owners.count) functions have that label)") }
            return .ptr(try labelPointer(FuncID(owners[0]), l))
        case .unary(let op, let a, let t):
            return try unary(op, eval(a), t)
        case .binary(let op, let a, let b, let t):
            switch op {
            case .logAnd:
                if try !truthy(eval(a)) { return boolValue(false, t) }
                return boolValue(try truthy(eval(b)), t)
            case .logOr:
                if try truthy(eval(a)) { return boolValue(true, t) }
                return boolValue(try truthy(eval(b)), t)
            case .ptrDiff:
                let es = try pointeeSize(typeOf(a))
                return try binary(op, eval(a), eval(b), t, elementSize: es)
            default:
                return try binary(op, eval(a), eval(b), t)
            }
        case .cond(let c, let a, let b, _):
            return try truthy(eval(c)) ? eval(a) : eval(b)
        case .sizeOf(let t, let v), .alignOf(let t, let v):
            if let u = update, u.applied, (frame?.fn.index ?? 0) < u.oldFunctions { try checkSize(u, t) }
            return .int(Int64(v), .ulong)
        case .compoundLiteral(let t, let ini):
            let p = try temporary(t, ini)
            return try load(.mem(p), t)
        case .current(_, let a):
            // The object itself: a patch's conversions happen where the
            // object is reached (Interpreter+Patch.swift), as the runtime's
            // do where `current` is (REP-2).
            return try eval(a)
        case .pinned(let rid, let k, let a):
            // REP-8: a pinned field where the object's layout put it, which never moves.
            guard case .ptr(let p) = try eval(a) else { throw fail(.unsupported, "pinned(…) of a value that is not a pointer") }
            return .ptr(Pointer(obj: p.obj, off: p.off + (try pinnedOffset(rid, k, p))))
        }
    }

    func constant(_ c: Constant, _ t: CType) throws -> Value {
        switch c {
        case .int(let x), .enumerator(_, let x):
            if case .int(let k) = t, k.size < 16 { return .int(norm(x, k), k) }
            guard let s = scalar(t) else { throw fail(.malformedIR, "integer constant of type \(program.printed(t))") }
            if case .int(let k) = s, !k.isSigned { return try convert(.int(x, .ulonglong), to: s) }
            return try convert(.int(x, .longlong), to: s)
        case .float(let d, _):
            return try convert(.float(d, .double), to: scalar(t) ?? .float(.double))
        case .string(let units, let width):
            return .ptr(Pointer(obj: stringObject(units, width), off: 0))
        }
    }

    func labelPointer(_ fn: FuncID, _ label: String) throws -> Pointer {
        let key = "labels \(fn.index)"
        let names = try info(fn).labels.keys.sorted()
        let o: Int
        if let x = libcObjects[key] { o = x } else {
            o = allocate(size: names.count, kind: .labels(fn, names), readOnly: true, loc: loc)
            libcObjects[key] = o
        }
        guard let i = names.firstIndex(of: label) else { throw fail(.malformedIR, "address of unknown label \(label)") }
        return Pointer(obj: o, off: i)
    }

    /// The (read-only, shared) object of a string literal.
    func stringObject(_ units: [UInt32], _ width: Int) -> Int {
        let key = StringKey(units: units, width: width)
        if let o = strings[key] { return o }
        let bytes = encode(units, width)
        let o = allocate(size: bytes.count, kind: .string, readOnly: true, loc: loc)
        objects[o].data = bytes
        strings[key] = o
        return o
    }

    /// A string's code units, little-endian, with the terminating NUL.
    func encode(_ units: [UInt32], _ width: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((units.count + 1) * width)
        for u in units + [0] { for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * i))) } }
        return bytes
    }

    /// A new object for a compound literal, owned by the current frame.
    func temporary(_ t: CType, _ ini: Initializer) throws -> Pointer {
        let o = allocate(size: try sizeOf(t), kind: .temporary(function: frame?.info.fn.sourceName ?? "file scope"),
                         align: program.align(of: t) ?? 16, loc: loc)
        frame?.owned.append(o)
        let p = Pointer(obj: o, off: 0)
        try initialize(p, t, ini)
        return p
    }

    // MARK: Lvalues

    func place(_ lv: LValue) throws -> (Place, CType) {
        var p: Pointer
        var t: CType
        switch lv.host {
        case .local(let id):
            let f = frame!
            if f.info.isReg[id.index] {
                guard lv.offsets.isEmpty else { throw fail(.malformedIR, "offset into scalar local") }
                return (.reg(id.index), f.info.types[id.index])
            }
            p = Pointer(obj: f.slots[id.index], off: 0)
            if p.obj == 0 { throw fail(.malformedIR, "use of VLA \(f.info.fn.locals[id.index].sourceName) before its declaration") }
            t = f.info.types[id.index]
        case .global(let id):
            if let u = update { try checkGlobal(u, id) }
            p = Pointer(obj: globalObj[id.index], off: 0)
            t = globalTypes[id.index]
        case .mem(let e):
            switch try eval(e) {
            case .ptr(let q): p = q
            case .int(let x, _): p = pointer(fromAddress: UInt64(bitPattern: x))
            case let v: throw fail(.malformedIR, "dereference of \(v)")
            }
            t = pointee(typeOf(e)) ?? .void
        case .compound(let ct, let ini):
            p = try temporary(ct, ini)
            t = ct
        }
        if lv.offsets.isEmpty { return (.mem(p), t) }
        var bits: (Int, Int)?
        for o in lv.offsets {
            switch o {
            case .field(let rid, let i):
                if update != nil { p = try reach(rid, p) }
                let f = fieldTable[rid.index][i]
                p.off += f.byte
                if let w = f.width { bits = (f.bit, w) }
                t = f.type
            case .index(let e):
                let i = try intValue(eval(e))
                let el: CType
                switch unroll(t) {
                case .array(let x, _), .vla(let x, _), .vector(let x, _): el = x
                default: throw fail(.malformedIR, "index into a non-array lvalue of type \(program.printed(t))")
                }
                p.off = Int(Int64(p.off) &+ i &* Int64(try sizeOf(el)))
                t = el
            }
        }
        if let (b, w) = bits { return (.bits(p, bit: b, width: w), t) }
        return (.mem(p), t)
    }

    func load(_ pl: Place, _ t: CType) throws -> Value {
        switch pl {
        case .reg(let i):
            return frame!.regs[i]
        case .mem(let p):
            if let s = scalar(t) { return try loadScalar(p, s) }
            switch unroll(t) {
            case .array, .vla, .function: return .ptr(p)  // an array's value is its address
            case .void: return .void
            case .complex, .vector: throw unsupportedType(t)
            case .record(let rid) where update != nil: return .agg(try readBytes(reach(rid, p), sizeOf(t)))
            default: return .agg(try readBytes(p, sizeOf(t)))
            }
        case .bits(let p, let b, let w):
            guard case .int(let k)? = scalar(t) else { throw fail(.malformedIR, "bit-field of type \(program.printed(t))") }
            return try loadBits(p, bit: b, width: w, k)
        }
    }

    func store(_ pl: Place, _ t: CType, _ v: Value) throws {
        switch pl {
        case .reg(let i):
            let f = frame!
            f.regs[i] = try convert(v, to: f.info.scalars[i]!)
        case .mem(let p):
            if let s = scalar(t) { try storeScalar(p, s, convert(v, to: s)); return }
            var p = p
            switch unroll(t) {
            case .complex, .vector: throw unsupportedType(t)
            case .record(let rid) where update != nil: p = try reach(rid, p)
            default: break
            }
            let n = try sizeOf(t)
            switch v {
            case .agg(let b):
                guard b.data.count == n else { throw fail(.malformedIR, "store of \(b.data.count) bytes into an object of type \(program.printed(t)) (\(n) bytes)") }
                try writeBytes(p, b)
            case .ptr(let src):
                // An array value: its bytes.
                try writeBytes(p, readBytes(src, n))
            case .void where n == 0: break
            default: throw fail(.malformedIR, "store of \(v) into an object of type \(program.printed(t))")
            }
        case .bits(let p, let b, let w):
            guard case .int(let k)? = scalar(t) else { throw fail(.malformedIR, "bit-field of type \(program.printed(t))") }
            try storeBits(p, bit: b, width: w, convert(v, to: .int(k)))
        }
    }

    // MARK: Initializers (C11 6.7.9)

    func initializeLocal(_ id: LocalID, _ ini: Initializer) throws {
        let f = frame!
        if f.info.isReg[id.index] {
            var i = ini
            // `int x = { 3 };`
            while case .compound(_, let es) = i {
                guard let first = es.first else { f.regs[id.index] = try zero(f.info.types[id.index]); return }
                i = first.value
            }
            guard case .expr(let e) = i else { return }
            f.regs[id.index] = try convert(eval(e), to: f.info.scalars[id.index]!)
            return
        }
        try initialize(Pointer(obj: f.slots[id.index], off: 0), f.info.types[id.index], ini)
    }

    /// Writes `ini` into the object of type `t` at `p`; what a compound
    /// initializer does not list becomes zero.
    func initialize(_ p: Pointer, _ t: CType, _ ini: Initializer) throws {
        switch ini {
        case .expr(let e):
            if case .const(.string(let units, let width), _) = e, case .array = unroll(t) {
                // `char s[N] = "…"`: as many bytes as fit, the rest zero.
                var bytes = encode(units, width)
                var n = try sizeOf(t)
                if case .array(_, nil) = unroll(t) { n = bytes.count }  // a flexible array member
                if bytes.count > n { bytes.removeLast(bytes.count - n) }
                bytes += [UInt8](repeating: 0, count: n - bytes.count)
                try writeBytes(p, Bytes(data: bytes, ptrs: [:]))
                return
            }
            try store(.mem(p), t, eval(e))
        case .compound(_, let entries):
            let n = try sizeOf(t)
            try writeBytes(p, Bytes(data: [UInt8](repeating: 0, count: n), ptrs: [:]))
            switch unroll(t) {
            case .record(let rid):
                for en in entries {
                    guard case .field(let i) = en.designator else { throw fail(.malformedIR, "array designator in a struct initializer") }
                    let f = fieldTable[rid.index][i]
                    let q = Pointer(obj: p.obj, off: p.off + f.byte)
                    if let w = f.width {
                        var v = en.value
                        while case .compound(_, let es) = v, let first = es.first { v = first.value }
                        guard case .expr(let e) = v else { continue }
                        try store(.bits(q, bit: f.bit, width: w), f.type, eval(e))
                    } else {
                        try initialize(q, f.type, en.value)
                    }
                }
            case .array(let el, _), .vla(let el, _):
                let es = try sizeOf(el)
                for en in entries {
                    switch en.designator {
                    case .index(let i): try initialize(Pointer(obj: p.obj, off: p.off + i * es), el, en.value)
                    case .range(let lo, let hi):
                        for i in stride(from: lo, through: hi, by: 1) { try initialize(Pointer(obj: p.obj, off: p.off + i * es), el, en.value) }
                    case .field: throw fail(.malformedIR, "field designator in an array initializer")
                    }
                }
            case .vector, .complex:
                throw unsupportedType(t)
            default:
                if let first = entries.first { try initialize(p, t, first.value) }
            }
        }
    }
}
