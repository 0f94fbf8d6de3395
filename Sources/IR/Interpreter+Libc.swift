// External functions and compiler builtins: a small libc in Swift.
//
// stdout and stderr are byte buffers (stdin is the run's input); the heap is
// objects of kind `heap`; printf's conversions are formatted one at a time
// by the host's vsnprintf, so numbers print exactly as glibc prints them.
// Anything else is an `unsupported` error that names the function: an
// oracle that guessed would be worse than one that stops.

import Foundation

extension Machine {
    // MARK: Arguments

    func ptrArg(_ a: [Value], _ i: Int) throws -> Pointer {
        guard i < a.count else { throw fail(.malformedIR, "missing argument \(i + 1)") }
        switch a[i] {
        case .ptr(let p): return p
        case .int(let x, _): return pointer(fromAddress: UInt64(bitPattern: x))
        case let v: throw fail(.malformedIR, "argument \(i + 1) is \(v), not a pointer")
        }
    }

    func intArg(_ a: [Value], _ i: Int) throws -> Int64 {
        guard i < a.count else { throw fail(.malformedIR, "missing argument \(i + 1)") }
        return try intValue(a[i])
    }

    func doubleArg(_ a: [Value], _ i: Int) throws -> Double {
        guard i < a.count else { throw fail(.malformedIR, "missing argument \(i + 1)") }
        return try floatOf(a[i], .double)
    }

    func size(_ x: Int64) -> Value { .int(x, .ulong) }
    func int(_ x: Int64) -> Value { .int(norm(x, .int), .int) }

    // MARK: External functions

    func external(_ fn: Function, _ args: [Value]) throws -> Value {
        if let target = aliasTarget(fn.attributes), let g = program.functions.first(where: { $0.name == target && $0.isDefinition }) {
            return try call(g.id, args)
        }
        if let r = try libc(fn.name, args) { return r }
        throw fail(.unsupported, "external function '\(fn.name)'")
    }

    /// The libc function `name` applied to `a`; nil when there is none.
    func libc(_ name: String, _ a: [Value]) throws -> Value? {
        switch name {
        // stdio
        case "printf":
            return try printTo(1, format(ptrArg(a, 0), varargs(a, from: 1)))
        case "fprintf":
            return try printTo(stream(ptrArg(a, 0)), format(ptrArg(a, 1), varargs(a, from: 2)))
        case "vprintf":
            return try printTo(1, format(ptrArg(a, 0), vaArgs(a[1])))
        case "vfprintf":
            return try printTo(stream(ptrArg(a, 0)), format(ptrArg(a, 1), vaArgs(a[2])))
        case "sprintf":
            return try printInto(ptrArg(a, 0), limit: nil, format(ptrArg(a, 1), varargs(a, from: 2)))
        case "vsprintf":
            return try printInto(ptrArg(a, 0), limit: nil, format(ptrArg(a, 1), vaArgs(a[2])))
        case "snprintf":
            return try printInto(ptrArg(a, 0), limit: Int(intArg(a, 1)), format(ptrArg(a, 2), varargs(a, from: 3)))
        case "vsnprintf":
            return try printInto(ptrArg(a, 0), limit: Int(intArg(a, 1)), format(ptrArg(a, 2), vaArgs(a[3])))
        case "puts":
            _ = try printTo(1, cString(ptrArg(a, 0)) + [10])
            return int(1)
        case "putchar":
            _ = try printTo(1, [UInt8(truncatingIfNeeded: intArg(a, 0))])
            return int(Int64(UInt8(truncatingIfNeeded: try intArg(a, 0))))
        case "fputs":
            _ = try printTo(stream(ptrArg(a, 1)), cString(ptrArg(a, 0)))
            return int(1)
        case "fputc", "putc", "_IO_putc":
            _ = try printTo(stream(ptrArg(a, 1)), [UInt8(truncatingIfNeeded: intArg(a, 0))])
            return int(Int64(UInt8(truncatingIfNeeded: try intArg(a, 0))))
        case "fwrite":
            let n = try intArg(a, 1) * intArg(a, 2)
            _ = try printTo(stream(ptrArg(a, 3)), readBytes(ptrArg(a, 0), Int(n)).data)
            return size(try intArg(a, 2))
        case "write":
            let fd = Int(try intArg(a, 0))
            guard fd == 1 || fd == 2 else { throw fail(.unsupported, "write to file descriptor \(fd)") }
            let n = Int(try intArg(a, 2))
            _ = try printTo(fd, readBytes(ptrArg(a, 1), n).data)
            return .int(Int64(n), .long)
        case "fflush": return int(0)
        case "getchar":
            return int(readChar())
        case "getc", "fgetc", "_IO_getc":
            guard try stream(ptrArg(a, 0)) == 0 else { throw fail(.unsupported, "reading from a stream other than stdin") }
            return int(readChar())
        case "fgets":
            guard try stream(ptrArg(a, 2)) == 0 else { throw fail(.unsupported, "reading from a stream other than stdin") }
            let n = Int(try intArg(a, 1))
            var line: [UInt8] = []
            while line.count < n - 1, inputPos < input.count {
                line.append(input[inputPos]); inputPos += 1
                if line.last == 10 { break }
            }
            if line.isEmpty { return .ptr(.null) }
            try writeBytes(ptrArg(a, 0), Bytes(data: line + [0], ptrs: [:]))
            return a[0]

        // stdlib
        case "malloc":
            return .ptr(malloc(Int(try intArg(a, 0))))
        case "calloc":
            let (n, o) = try intArg(a, 0).multipliedReportingOverflow(by: intArg(a, 1))
            return o || n < 0 ? .ptr(.null) : .ptr(malloc(Int(n)))
        case "realloc", "graft_realloc":
            // graft_*: the update runtime's stand-ins in an updatable build (REP-3, REP-6).
            return try realloc(ptrArg(a, 0), Int(intArg(a, 1)))
        case "reallocarray", "graft_reallocarray":
            let (n, o) = try intArg(a, 1).multipliedReportingOverflow(by: intArg(a, 2))
            return o || n < 0 ? .ptr(.null) : try realloc(ptrArg(a, 0), Int(n))
        case "free", "graft_free":
            try free(ptrArg(a, 0))
            return .void
        case "exit", "_exit", "_Exit":
            throw ExitSignal(status: try intArg(a, 0))
        case "abort":
            throw fail(.abort, "abort() called")
        case "__assert_fail":
            let expr = String(decoding: try cString(ptrArg(a, 0)), as: UTF8.self)
            let file = String(decoding: try cString(ptrArg(a, 1)), as: UTF8.self)
            let fn = String(decoding: try cString(ptrArg(a, 3)), as: UTF8.self)
            err += Array("a.out: \(file):\(try intArg(a, 2)): \(fn): Assertion `\(expr)' failed.\n".utf8)
            throw fail(.assertionFailure, "assertion `\(expr)' failed")
        case "abs": return int(abs(try intArg(a, 0) == Int64(Int32.min) ? Int64(Int32.min) : intArg(a, 0)))
        case "labs", "llabs":
            let x = try intArg(a, 0)
            return .int(x == Int64.min ? x : abs(x), .long)
        case "atoi": return int(try strtol(ptrArg(a, 0), base: 10, signed: true, bits: 64).0)
        case "atol", "atoll": return .int(try strtol(ptrArg(a, 0), base: 10, signed: true, bits: 64).0, .long)
        case "strtol", "strtoll", "strtoul", "strtoull":
            let signed = name == "strtol" || name == "strtoll"
            let s = try ptrArg(a, 0)
            let (v, used) = try strtol(s, base: Int(intArg(a, 2)), signed: signed, bits: 64)
            let endp = try ptrArg(a, 1)
            if address(endp) != 0 { try storeScalar(endp, .pointer, .ptr(Pointer(obj: s.obj, off: s.off + used))) }
            return .int(v, signed ? .long : .ulong)
        case "qsort":
            try qsort(ptrArg(a, 0), Int(intArg(a, 1)), Int(intArg(a, 2)), a[3])
            return .void
        case "__errno_location":
            return .ptr(Pointer(obj: libcObject("errno", size: 4), off: 0))

        // string.h
        case "mempcpy":
            let n = Int(try intArg(a, 2))
            if n > 0 { try writeBytes(ptrArg(a, 0), readBytes(ptrArg(a, 1), n)) }
            var d = try ptrArg(a, 0)
            d.off += n
            return .ptr(d)
        case "alloca":
            let o = allocate(size: Int(try intArg(a, 0)), kind: .temporary(function: frame?.info.fn.sourceName ?? ""), loc: loc)
            frame?.owned.append(o)
            return .ptr(Pointer(obj: o, off: 0))
        case "memcpy", "memmove":
            let n = Int(try intArg(a, 2))
            if n != 0 { try writeBytes(ptrArg(a, 0), readBytes(ptrArg(a, 1), n)) }
            return a[0]
        case "memset":
            let n = Int(try intArg(a, 2))
            if n != 0 {
                _ = try check(ptrArg(a, 0), n, write: true)
                try writeBytes(ptrArg(a, 0), Bytes(data: [UInt8](repeating: UInt8(truncatingIfNeeded: intArg(a, 1)), count: n), ptrs: [:]))
            }
            return a[0]
        case "memcmp":
            let n = Int(try intArg(a, 2))
            if n == 0 { return int(0) }
            let x = try readBytes(ptrArg(a, 0), n).data, y = try readBytes(ptrArg(a, 1), n).data
            for i in 0..<n where x[i] != y[i] { return int(Int64(x[i]) - Int64(y[i])) }
            return int(0)
        case "memchr":
            let p = try ptrArg(a, 0), n = Int(try intArg(a, 2))
            let c = UInt8(truncatingIfNeeded: try intArg(a, 1))
            let b = try readBytes(p, n).data
            if let i = b.firstIndex(of: c) { return .ptr(Pointer(obj: p.obj, off: p.off + i)) }
            return .ptr(.null)
        case "strlen":
            return size(Int64(try cString(ptrArg(a, 0)).count))
        case "strnlen":
            return size(Int64(try cString(ptrArg(a, 0), limit: Int(intArg(a, 1))).count))
        case "strcmp", "strncmp":
            let limit = name == "strncmp" ? Int(try intArg(a, 2)) : Int.max
            let x = try cString(ptrArg(a, 0), limit: limit), y = try cString(ptrArg(a, 1), limit: limit)
            for i in 0..<min(x.count, y.count) where x[i] != y[i] { return int(Int64(x[i]) - Int64(y[i])) }
            if x.count == y.count { return int(0) }
            return int(x.count < y.count ? -Int64(y[x.count]) : Int64(x[y.count]))
        case "strcpy":
            try writeBytes(ptrArg(a, 0), Bytes(data: cString(ptrArg(a, 1)) + [0], ptrs: [:]))
            return a[0]
        case "strncpy":
            let n = Int(try intArg(a, 2))
            _ = try check(ptrArg(a, 0), n, write: true)
            var s = try cString(ptrArg(a, 1), limit: n)
            s += [UInt8](repeating: 0, count: n - s.count)
            try writeBytes(ptrArg(a, 0), Bytes(data: s, ptrs: [:]))
            return a[0]
        case "strcat", "strncat":
            var d = try ptrArg(a, 0)
            d.off += try cString(d).count
            let s = try cString(ptrArg(a, 1), limit: name == "strncat" ? Int(intArg(a, 2)) : Int.max)
            try writeBytes(d, Bytes(data: s + [0], ptrs: [:]))
            return a[0]
        case "strchr", "strrchr":
            let p = try ptrArg(a, 0)
            let s = try cString(p) + [0]
            let c = UInt8(truncatingIfNeeded: try intArg(a, 1))
            let i = name == "strchr" ? s.firstIndex(of: c) : s.lastIndex(of: c)
            return .ptr(i.map { Pointer(obj: p.obj, off: p.off + $0) } ?? .null)
        case "strstr":
            let p = try ptrArg(a, 0)
            let h = try cString(p), n = try cString(ptrArg(a, 1))
            if n.isEmpty { return a[0] }
            if h.count >= n.count {
                for i in 0...(h.count - n.count) where Array(h[i..<i + n.count]) == n { return .ptr(Pointer(obj: p.obj, off: p.off + i)) }
            }
            return .ptr(.null)
        case "strdup":
            let s = try cString(ptrArg(a, 0)) + [0]
            let p = malloc(s.count)
            try writeBytes(p, Bytes(data: s, ptrs: [:]))
            return .ptr(p)

        // ctype.h (glibc's macros read these tables)
        case "__ctype_b_loc": return .ptr(try ctypeTable("b"))
        case "__ctype_tolower_loc": return .ptr(try ctypeTable("tolower"))
        case "__ctype_toupper_loc": return .ptr(try ctypeTable("toupper"))
        case "toupper", "tolower":
            let c = try intArg(a, 0)
            guard c >= 0 && c < 256 else { return int(c) }
            let u = UInt8(c)
            if name == "toupper", u >= 97 && u <= 122 { return int(c - 32) }
            if name == "tolower", u >= 65 && u <= 90 { return int(c + 32) }
            return int(c)
        case "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "isxdigit", "isprint", "ispunct":
            let c = try intArg(a, 0)
            guard c >= 0 && c < 128 else { return int(0) }
            let ch = Character(Unicode.Scalar(UInt8(c)))
            let r: Bool
            switch name {
            case "isdigit": r = ch.isASCII && ch.isNumber
            case "isalpha": r = ch.isASCII && ch.isLetter
            case "isalnum": r = ch.isASCII && (ch.isLetter || ch.isNumber)
            case "isspace": r = c == 32 || (c >= 9 && c <= 13)
            case "isupper": r = c >= 65 && c <= 90
            case "islower": r = c >= 97 && c <= 122
            case "isxdigit": r = ch.isHexDigit
            case "isprint": r = c >= 32 && c < 127
            default: r = c > 32 && c < 127 && !(ch.isLetter || ch.isNumber)
            }
            return int(r ? 1 : 0)

        // math.h (long double is double)
        case "fabs", "fabsf", "fabsl", "sqrt", "sqrtf", "sqrtl", "floor", "floorf", "floorl", "ceil", "ceilf", "ceill",
             "exp", "expf", "log", "logf", "log10", "sin", "sinf", "cos", "cosf", "tan", "atan", "trunc", "truncf", "round", "roundf":
            let x = try doubleArg(a, 0)
            let base = name.hasSuffix("f") && name != "fabs" ? String(name.dropLast()) : name.hasSuffix("l") && name != "fabsl" ? String(name.dropLast()) : name
            let r: Double
            switch base {
            case "fabs", "fabsl": r = Swift.abs(x)
            case "sqrt": r = x.squareRoot()
            case "floor": r = x.rounded(.down)
            case "ceil": r = x.rounded(.up)
            case "trunc": r = x.rounded(.towardZero)
            case "round": r = x.rounded(.toNearestOrAwayFromZero)
            case "exp": r = Foundation.exp(x)
            case "log": r = Foundation.log(x)
            case "log10": r = Foundation.log10(x)
            case "sin": r = Foundation.sin(x)
            case "cos": r = Foundation.cos(x)
            case "tan": r = Foundation.tan(x)
            default: r = Foundation.atan(x)
            }
            let isFloat = name.hasSuffix("f") && name != "fabsf" ? true : name == "fabsf"
            return isFloat ? .float(Double(Float(r)), .float) : .float(r, .double)
        case "pow", "fmod", "atan2", "copysign", "fmax", "fmin":
            let x = try doubleArg(a, 0), y = try doubleArg(a, 1)
            switch name {
            case "pow": return .float(Foundation.pow(x, y), .double)
            case "fmod": return .float(Foundation.fmod(x, y), .double)
            case "atan2": return .float(Foundation.atan2(x, y), .double)
            case "fmax": return .float(Swift.max(x, y), .double)
            case "fmin": return .float(Swift.min(x, y), .double)
            default: return .float(Foundation.copysign(x, y), .double)
            }

        // graft's runtime
        case "graft_update_point", "graft_update_point_at":
            let id = name == "graft_update_point_at" ? Int(try intArg(a, 0)) : nil
            if let hook, let f = frames.last {
                hook(PointReached(id: id, function: f.fn, loc: loc), InterpreterState(self))
                if applyRequested, let u = update {
                    applyRequested = false
                    try applyPatch(u)
                }
            }
            return .void
        default:
            return nil
        }
    }

    // MARK: stdio

    func stream(_ p: Pointer) throws -> Int {
        if case .file(let fd) = objects[p.obj].kind, p.off == 0 { return fd }
        throw fail(.unsupported, "FILE * other than stdin, stdout, stderr")
    }

    func printTo(_ fd: Int, _ bytes: [UInt8]) throws -> Value {
        switch fd {
        case 1: out += bytes
        case 2: err += bytes
        default: throw fail(.unsupported, "output to stdin")
        }
        return int(Int64(bytes.count))
    }

    func printInto(_ p: Pointer, limit: Int?, _ bytes: [UInt8]) throws -> Value {
        if let limit, limit >= 0 {
            if limit > 0 { try writeBytes(p, Bytes(data: Array(bytes.prefix(limit - 1)) + [0], ptrs: [:])) }
        } else {
            try writeBytes(p, Bytes(data: bytes + [0], ptrs: [:]))
        }
        return int(Int64(bytes.count))
    }

    func readChar() -> Int64 {
        guard inputPos < input.count else { return -1 }
        inputPos += 1
        return Int64(input[inputPos - 1])
    }

    /// The next-argument function of a variadic call's own arguments.
    func varargs(_ a: [Value], from i: Int) -> () throws -> Value {
        var k = i
        return { [unowned self] in
            guard k < a.count else { throw self.fail(.badVarArg, "format needs more arguments than the \(a.count - i) passed") }
            k += 1
            return a[k - 1]
        }
    }

    /// The next-argument function of a `va_list` (vprintf and friends).
    func vaArgs(_ handle: Value) throws -> () throws -> Value {
        let st = try vaState(handle)
        return { [unowned self] in
            guard st.next < st.args.count else { throw self.fail(.badVarArg, "format needs more arguments than the va_list has") }
            st.next += 1
            return st.args[st.args.startIndex + st.next - 1]
        }
    }

    /// printf's formatting (C11 7.21.6.1), for the conversions programs commonly use.
    func format(_ fmtPtr: Pointer, _ next: () throws -> Value) throws -> [UInt8] {
        let f = try cString(fmtPtr)
        var out: [UInt8] = []
        var i = 0
        func digits() -> Int? {
            var n: Int?
            while i < f.count, f[i] >= 48, f[i] <= 57 { n = (n ?? 0) * 10 + Int(f[i] - 48); i += 1 }
            return n
        }
        while i < f.count {
            let c = f[i]
            i += 1
            if c != 37 { out.append(c); continue }
            guard i < f.count else { break }
            if f[i] == 37 { out.append(37); i += 1; continue }
            var flags = ""
            while i < f.count, let s = "-+ #0".firstIndex(of: Character(Unicode.Scalar(f[i]))) { flags.append("-+ #0"[s]); i += 1 }
            var width: Int?
            if i < f.count, f[i] == 42 {
                i += 1
                let w = Int(try intValue(next()))
                if w < 0 { flags += "-"; width = -w } else { width = w }
            } else { width = digits() }
            var prec: Int?
            if i < f.count, f[i] == 46 {
                i += 1
                if i < f.count, f[i] == 42 {
                    i += 1
                    let p = Int(try intValue(next()))
                    prec = p < 0 ? nil : p
                } else { prec = digits() ?? 0 }
            }
            var length = ""
            while i < f.count, "hlLqjzt".contains(Character(Unicode.Scalar(f[i]))) { length.append(Character(Unicode.Scalar(f[i]))); i += 1 }
            guard i < f.count else { break }
            let conv = Character(Unicode.Scalar(f[i]))
            i += 1
            let spec = "%" + flags + (width.map { String($0) } ?? "") + (prec.map { "." + String($0) } ?? "")
            switch conv {
            case "d", "i":
                let v = try intValue(next())
                let x: Int64
                switch length {
                case "hh": x = Int64(Int8(truncatingIfNeeded: v))
                case "h": x = Int64(Int16(truncatingIfNeeded: v))
                case "": x = Int64(Int32(truncatingIfNeeded: v))
                default: x = v
                }
                out += hostFormat(spec + "lld", x)
            case "u", "x", "X", "o":
                let v = try intValue(next())
                let x: UInt64
                switch length {
                case "hh": x = UInt64(UInt8(truncatingIfNeeded: v))
                case "h": x = UInt64(UInt16(truncatingIfNeeded: v))
                case "": x = UInt64(UInt32(truncatingIfNeeded: v))
                default: x = UInt64(bitPattern: v)
                }
                out += hostFormat(spec + "ll" + String(conv), x)
            case "c":
                out += hostFormat(spec + "c", Int32(truncatingIfNeeded: try intValue(next())))
            case "s":
                guard case .ptr(let p) = try next() else { throw fail(.malformedIR, "%s of a non-pointer") }
                var s: [UInt8]
                if address(p) == 0 { s = (prec ?? 6) >= 6 ? Array("(null)".utf8) : [] }
                else { s = try cString(p, limit: prec ?? Int.max) }
                if let width, s.count < width {
                    let pad = [UInt8](repeating: 32, count: width - s.count)
                    s = flags.contains("-") ? s + pad : pad + s
                }
                out += s
            case "p":
                guard case .ptr(let p) = try next() else { throw fail(.malformedIR, "%p of a non-pointer") }
                let a = address(p)
                var s = Array((a == 0 ? "(nil)" : "0x" + String(a, radix: 16)).utf8)
                if let width, s.count < width {
                    let pad = [UInt8](repeating: 32, count: width - s.count)
                    s = flags.contains("-") ? s + pad : pad + s
                }
                out += s
            case "f", "F", "e", "E", "g", "G", "a", "A":
                out += hostFormat(spec + String(conv), try floatOf(next(), .double))
            default:
                throw fail(.unsupported, "printf conversion %\(length)\(conv)")
            }
        }
        return out
    }

    /// One conversion formatted by the host's C library.
    func hostFormat(_ spec: String, _ arg: CVarArg) -> [UInt8] {
        var cap = 128
        while true {
            var buf = [CChar](repeating: 0, count: cap)
            let n = Int(withVaList([arg]) { vsnprintf(&buf, cap, spec, $0) })
            if n < cap { return buf.prefix(n).map { UInt8(bitPattern: $0) } }
            cap = n + 1
        }
    }

    // MARK: Heap

    /// A new heap block; requests over 1 GiB (or negative) fail, as a
    /// real malloc would for absurd sizes.
    func malloc(_ n: Int) -> Pointer {
        if n < 0 || n > 1 << 30 { return .null }
        return Pointer(obj: allocate(size: n, kind: .heap, loc: loc), off: 0)
    }

    func heapBlock(_ p: Pointer, _ what: String) throws -> MemObject {
        guard p.obj != 0 else { throw fail(.invalidFree, "\(what) of 0x\(String(UInt64(bitPattern: Int64(p.off)), radix: 16)), an address of no object") }
        let o = objects[p.obj]
        guard case .heap = o.kind else { throw fail(.invalidFree, "\(what) of a pointer to \(o.what), not to a heap block") }
        if case .freed(let at) = o.state { throw fail(.doubleFree, "\(what) of \(o.what), already freed at \(at)") }
        guard p.off == 0 else { throw fail(.invalidFree, "\(what) of a pointer \(p.off) bytes into \(o.what)") }
        return o
    }

    func free(_ p: Pointer) throws {
        if p == .null { return }
        let o = try heapBlock(p, "free")
        o.state = .freed(loc)
        o.data = []
        o.ptrs = [:]
    }

    func realloc(_ p: Pointer, _ n: Int) throws -> Value {
        if p == .null { return .ptr(malloc(n)) }
        let o = try heapBlock(p, "realloc")
        let q = malloc(n)
        if q == .null { return .ptr(.null) }
        let keep = min(n, o.size)
        // The bytes as they are (a value that moved at an update included: realloc is not the program reading them).
        let to = objects[q.obj]
        to.data.replaceSubrange(0..<keep, with: o.data[0..<keep])
        for (k, v) in o.ptrs where k + 8 <= keep { to.ptrs[k] = v }
        reallocated(p.obj, q.obj)
        o.state = .freed(loc)
        o.data = []
        o.ptrs = [:]
        return .ptr(q)
    }

    // MARK: Others

    func libcObject(_ name: String, size: Int) -> Int {
        if let o = libcObjects[name] { return o }
        let o = allocate(size: size, kind: .libc(name), loc: .unknown)
        libcObjects[name] = o
        return o
    }

    /// glibc's `__ctype_b_loc()` and friends: a pointer to a pointer to the
    /// entry of character 0 in a table indexed from -128 to 255 (C locale).
    func ctypeTable(_ which: String) throws -> Pointer {
        let key = "ctype_" + which
        if let o = libcObjects[key] { return Pointer(obj: o, off: 0) }
        let width = which == "b" ? 2 : 4
        let table = libcObject(key + "_table", size: 384 * width)
        for i in -128..<256 {
            let c = i < 0 ? i + 256 : i
            var v: Int64
            if which == "b" {
                func bit(_ b: Int) -> Int64 { b < 8 ? Int64(1 << b) << 8 : Int64(1 << b) >> 8 }
                v = 0
                if c < 128 {
                    let upper = c >= 65 && c <= 90, lower = c >= 97 && c <= 122, digit = c >= 48 && c <= 57
                    let alpha = upper || lower
                    let xdigit = digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
                    let space = c == 32 || (c >= 9 && c <= 13)
                    let print = c >= 32 && c < 127
                    let graph = c > 32 && c < 127
                    let blank = c == 32 || c == 9
                    let cntrl = c < 32 || c == 127
                    let punct = graph && !alpha && !digit
                    if upper { v |= bit(0) }; if lower { v |= bit(1) }; if alpha { v |= bit(2) }; if digit { v |= bit(3) }
                    if xdigit { v |= bit(4) }; if space { v |= bit(5) }; if print { v |= bit(6) }; if graph { v |= bit(7) }
                    if blank { v |= bit(8) }; if cntrl { v |= bit(9) }; if punct { v |= bit(10) }; if alpha || digit { v |= bit(11) }
                }
                if i == -1 { v = 0 }  // EOF
                try storeScalar(Pointer(obj: table, off: (i + 128) * 2), .int(.ushort), .int(v & 0xffff, .ushort))
            } else {
                v = Int64(i)
                if i >= 0, which == "toupper", c >= 97 && c <= 122 { v -= 32 }
                if i >= 0, which == "tolower", c >= 65 && c <= 90 { v += 32 }
                try storeScalar(Pointer(obj: table, off: (i + 128) * 4), .int(.int), .int(v, .int))
            }
        }
        let o = libcObject(key, size: 8)
        storePointer(Pointer(obj: table, off: 128 * width), obj: o, off: 0)
        return Pointer(obj: o, off: 0)
    }

    /// strtol and friends (C11 7.22.1.4): the value and how many bytes it used.
    func strtol(_ p: Pointer, base: Int, signed: Bool, bits: Int) throws -> (Int64, Int) {
        let s = try cString(p)
        var i = 0
        while i < s.count, s[i] == 32 || (s[i] >= 9 && s[i] <= 13) { i += 1 }
        var neg = false
        if i < s.count, s[i] == 43 || s[i] == 45 { neg = s[i] == 45; i += 1 }
        var base = base
        if (base == 0 || base == 16), i + 1 < s.count, s[i] == 48, s[i + 1] | 32 == 120 { base = 16; i += 2 }
        else if base == 0 { base = i < s.count && s[i] == 48 ? 8 : 10 }
        let start = i
        var v: UInt64 = 0
        var overflow = false
        while i < s.count {
            let c = s[i]
            let d: Int
            if c >= 48 && c <= 57 { d = Int(c) - 48 } else if c | 32 >= 97 && c | 32 <= 122 { d = Int(c | 32) - 87 } else { break }
            if d >= base { break }
            let (m, o1) = v.multipliedReportingOverflow(by: UInt64(base))
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { overflow = true }
            v = a
            i += 1
        }
        if i == start { return (0, 0) }
        if signed {
            if overflow || (!neg && v > UInt64(Int64.max)) { return (Int64.max, i) }
            if neg && v > UInt64(Int64.max) + 1 { return (Int64.min, i) }
            return (neg ? 0 &- Int64(bitPattern: v) : Int64(bitPattern: v), i)
        }
        if overflow { return (-1, i) }
        return (Int64(bitPattern: neg ? 0 &- v : v), i)
    }

    /// qsort (a stable merge sort, as glibc's usually is), calling the comparator through the interpreter.
    func qsort(_ base: Pointer, _ n: Int, _ size: Int, _ cmp: Value) throws {
        guard n > 1, size > 0 else { return }
        guard case .ptr(let fp) = cmp, case .function(let f) = objects[fp.obj].kind else {
            throw fail(.badFunctionPointer, "qsort's comparator is not a function")
        }
        let all = try readBytes(base, n * size)
        let tmpA = malloc(size), tmpB = malloc(size)
        defer { objects[tmpA.obj].state = .freed(loc); objects[tmpB.obj].state = .freed(loc) }
        func element(_ i: Int) -> Bytes {
            var ptrs: [Int: Int] = [:]
            for (k, v) in all.ptrs where k >= i * size && k < (i + 1) * size { ptrs[k - i * size] = v }
            return Bytes(data: Array(all.data[i * size..<(i + 1) * size]), ptrs: ptrs)
        }
        func less(_ x: Int, _ y: Int) throws -> Bool {
            try writeBytes(tmpA, element(x)); try writeBytes(tmpB, element(y))
            let here = loc
            defer { loc = here }
            return try intValue(call(f, [.ptr(tmpA), .ptr(tmpB)])) <= 0
        }
        func sort(_ xs: [Int]) throws -> [Int] {
            if xs.count <= 1 { return xs }
            let l = try sort(Array(xs[..<(xs.count / 2)])), r = try sort(Array(xs[(xs.count / 2)...]))
            var out: [Int] = [], i = 0, j = 0
            while i < l.count && j < r.count {
                if try less(l[i], r[j]) { out.append(l[i]); i += 1 } else { out.append(r[j]); j += 1 }
            }
            return out + l[i...] + r[j...]
        }
        let order = try sort(Array(0..<n))
        for (k, i) in order.enumerated() { try writeBytes(Pointer(obj: base.obj, off: base.off + k * size), element(i)) }
    }

    // MARK: Builtins

    /// A compiler builtin; its operands are unevaluated, as some name places.
    func builtin(_ name: String, _ args: [Expr]) throws -> Value {
        switch name {
        case "__builtin_va_start":
            guard let f = frame, f.info.fn.type.variadic else { throw fail(.badVarArg, "va_start in a function that is not variadic") }
            try storeList(args[0], newVaList(f.varargs, next: 0))
            return .void
        case "__builtin_va_copy":
            let src = try vaState(eval(args[1]))
            try storeList(args[0], newVaList(src.args, next: src.next))
            return .void
        case "__builtin_va_end":
            _ = try vaState(eval(args[0]))
            return .void
        case "__builtin_expect", "__builtin_expect_with_probability", "__builtin_assume_aligned":
            return try eval(args[0])
        case "__builtin_unreachable":
            throw fail(.abort, "__builtin_unreachable() was reached")
        case "__builtin_trap":
            throw fail(.abort, "__builtin_trap()")
        case "__builtin_prefetch":
            for a in args { _ = try eval(a) }
            return .void
        case "__builtin_alloca", "__builtin_alloca_with_align":
            let o = allocate(size: Int(try intValue(eval(args[0]))), kind: .temporary(function: frame?.info.fn.sourceName ?? ""), loc: loc)
            frame?.owned.append(o)
            return .ptr(Pointer(obj: o, off: 0))
        case "__builtin_constant_p":
            return int(0)
        case "__builtin_object_size", "__builtin_dynamic_object_size":
            return size(try intValue(eval(args[1])) >= 2 ? 0 : -1)
        case "__builtin_frame_address", "__builtin_return_address", "__builtin_setjmp", "__builtin_longjmp",
             "__builtin_apply", "__builtin_apply_args", "__builtin_return":
            throw fail(.unsupported, "builtin \(name)")
        default: break
        }
        if let r = try overflowBuiltin(name, args) { return r }
        if let r = try bitBuiltin(name, args) { return r }
        if name.hasPrefix("__atomic_") || name.hasPrefix("__sync_") { return try atomicBuiltin(name, args) }
        if let r = try floatBuiltin(name, args) { return r }
        if name.hasPrefix("__builtin_") {
            let vs = try args.map { try eval($0) }
            if let r = try libc(String(name.dropFirst("__builtin_".count)), vs) { return r }
        }
        throw fail(.unsupported, "builtin \(name)")
    }

    /// Stores a new va_list handle into the list `e` names (`ap`, read as the builtin's operand).
    func storeList(_ e: Expr, _ handle: Value) throws {
        guard case .read(let lv) = e else { throw fail(.malformedIR, "va_list operand is not an lvalue") }
        let (pl, t) = try place(lv)
        try store(pl, t, handle)
    }

    /// `__builtin_{add,sub,mul}_overflow` and the typed `s`/`u` forms: the
    /// infinitely precise result, stored wrapped; true if it did not fit.
    func overflowBuiltin(_ name: String, _ args: [Expr]) throws -> Value? {
        let ops = ["add", "sub", "mul"]
        guard name.hasPrefix("__builtin_"), name.hasSuffix("_overflow"), args.count == 3 else { return nil }
        let core = name.dropFirst("__builtin_".count).dropLast("_overflow".count)
        guard let op = ops.first(where: { core == $0 || core.hasSuffix($0) && (core.hasPrefix("s") || core.hasPrefix("u")) }) else { return nil }
        func wide(_ v: Value) throws -> Int128? {
            switch v {
            case .int(let x, let k): return k.isSigned ? Int128(x) : Int128(UInt64(bitPattern: x))
            case .wide(let w, let k): return k.isSigned ? Int128(bitPattern: w) : (w > UInt128(Int128.max) ? nil : Int128(w))
            default: return nil
            }
        }
        guard let x = try wide(eval(args[0])), let y = try wide(eval(args[1])) else { throw fail(.unsupported, "\(name) on 128-bit operands") }
        let r: (partialValue: Int128, overflow: Bool)
        switch op {
        case "add": r = x.addingReportingOverflow(y)
        case "sub": r = x.subtractingReportingOverflow(y)
        default: r = x.multipliedReportingOverflow(by: y)
        }
        guard let rt = pointee(typeOf(args[2])), case .int(let k)? = scalar(rt) else {
            throw fail(.malformedIR, "\(name) result is not an integer pointer")
        }
        let stored = try convert(.wide(UInt128(bitPattern: r.partialValue), .int128), to: .int(k))
        let back: Int128
        switch stored {
        case .int(let v, _): back = k.isSigned ? Int128(v) : Int128(UInt64(bitPattern: v))
        case .wide(let w, _): back = k.isSigned ? Int128(bitPattern: w) : Int128(bitPattern: w)
        default: back = 0
        }
        guard case .ptr(let p) = try eval(args[2]) else { throw fail(.malformedIR, "\(name) result pointer") }
        try storeScalar(p, .int(k), stored)
        return .int(r.overflow || back != r.partialValue || (!k.isSigned && k.size == 16 && r.partialValue < 0) ? 1 : 0, .bool)
    }

    /// clz, ctz, popcount, parity, ffs, clrsb (with l/ll suffixes), bswap16/32/64.
    func bitBuiltin(_ name: String, _ args: [Expr]) throws -> Value? {
        guard name.hasPrefix("__builtin_"), args.count == 1 else { return nil }
        var base = String(name.dropFirst("__builtin_".count))
        if base.hasPrefix("bswap") {
            guard let bits = Int(base.dropFirst(5)) else { return nil }
            let x = UInt64(bitPattern: try intValue(eval(args[0])))
            switch bits {
            case 16: return .int(Int64(UInt16(truncatingIfNeeded: x).byteSwapped), .ushort)
            case 32: return .int(Int64(UInt32(truncatingIfNeeded: x).byteSwapped), .uint)
            case 64: return .int(Int64(bitPattern: x.byteSwapped), .ulong)
            default: return nil
            }
        }
        var width = 32
        if base.hasSuffix("ll") { base.removeLast(2); width = 64 } else if base.hasSuffix("l") && base != "clrsbl" || base == "clrsbl" { base.removeLast(); width = 64 }
        guard ["clz", "ctz", "popcount", "parity", "ffs", "clrsb"].contains(base) else { return nil }
        let v = try intValue(eval(args[0]))
        let x = width == 32 ? UInt64(UInt32(truncatingIfNeeded: v)) : UInt64(bitPattern: v)
        let r: Int
        switch base {
        case "clz": r = x == 0 ? width : x.leadingZeroBitCount - (64 - width)
        case "ctz": r = x == 0 ? width : x.trailingZeroBitCount
        case "popcount": r = x.nonzeroBitCount
        case "parity": r = x.nonzeroBitCount & 1
        case "ffs": r = x == 0 ? 0 : x.trailingZeroBitCount + 1
        default:
            let s = width == 32 ? Int64(Int32(truncatingIfNeeded: v)) : v
            let y = UInt64(bitPattern: s < 0 ? ~s : s)
            r = (y.leadingZeroBitCount - (64 - width)) - 1
        }
        return int(Int64(r))
    }

    func floatBuiltin(_ name: String, _ args: [Expr]) throws -> Value? {
        switch name {
        case "__builtin_inf", "__builtin_huge_val": return .float(.infinity, .double)
        case "__builtin_inff", "__builtin_huge_valf": return .float(.infinity, .float)
        case "__builtin_infl", "__builtin_huge_vall": return .float(.infinity, .longDouble)
        case "__builtin_nan", "__builtin_nanf", "__builtin_nanl":
            return .float(.nan, name.hasSuffix("f") ? .float : name.hasSuffix("l") ? .longDouble : .double)
        case "__builtin_isnan", "__builtin_isinf", "__builtin_isfinite", "__builtin_isinf_sign", "__builtin_signbit",
             "__builtin_signbitf", "__builtin_signbitl", "__builtin_isinff", "__builtin_isinfl", "__builtin_isnormal":
            let d = try floatOf(eval(args[0]), .double)
            switch name {
            case "__builtin_isnan": return int(d.isNaN ? 1 : 0)
            case "__builtin_isfinite": return int(d.isFinite ? 1 : 0)
            case "__builtin_isnormal": return int(d.isNormal ? 1 : 0)
            case "__builtin_isinf_sign": return int(d.isInfinite ? (d < 0 ? -1 : 1) : 0)
            case let n where n.hasPrefix("__builtin_signbit"): return int(d.sign == .minus ? 1 : 0)
            default: return int(d.isInfinite ? 1 : 0)
            }
        default: return nil
        }
    }

    /// The GNU `__atomic_*` and `__sync_*` builtins, on a single thread.
    func atomicBuiltin(_ name: String, _ args: [Expr]) throws -> Value {
        // clang may name the sized variant (`__sync_fetch_and_add_4`).
        if let u = name.lastIndex(of: "_"), ["1", "2", "4", "8", "16"].contains(name[name.index(after: u)...]) {
            return try atomicBuiltin(String(name[..<u]), args)
        }
        if ["__atomic_thread_fence", "__atomic_signal_fence", "__sync_synchronize"].contains(name) { return .void }
        if ["__atomic_always_lock_free", "__atomic_is_lock_free"].contains(name) { return .int(1, .bool) }
        guard let first = args.first, case .ptr(let p) = try eval(first) else { throw fail(.malformedIR, "\(name) without a pointer operand") }
        let pt = pointee(typeOf(first)) ?? .int
        guard let s = scalar(pt) else { throw fail(.unsupported, "\(name) on type \(program.printed(pt))") }
        func arg(_ i: Int) throws -> Value { try convert(eval(args[i]), to: s) }
        let old = try loadScalar(p, s)
        switch name {
        case "__atomic_load_n": return old
        case "__atomic_store_n": try storeScalar(p, s, arg(1)); return .void
        case "__atomic_exchange_n", "__sync_lock_test_and_set": try storeScalar(p, s, arg(1)); return old
        case "__sync_lock_release", "__atomic_clear": try storeScalar(p, s, convert(.int(0, .int), to: s)); return .void
        case "__atomic_test_and_set":
            try storeScalar(p, .int(.uchar), .int(1, .uchar)); return .int(try truthy(old) ? 1 : 0, .bool)
        case "__atomic_load":
            guard case .ptr(let r) = try eval(args[1]) else { throw fail(.malformedIR, name) }
            try storeScalar(r, s, old); return .void
        case "__atomic_store":
            guard case .ptr(let r) = try eval(args[1]) else { throw fail(.malformedIR, name) }
            try storeScalar(p, s, loadScalar(r, s)); return .void
        case "__atomic_compare_exchange_n", "__atomic_compare_exchange":
            guard case .ptr(let e) = try eval(args[1]) else { throw fail(.malformedIR, name) }
            let expected = try loadScalar(e, s)
            let desired: Value
            if name == "__atomic_compare_exchange" {
                guard case .ptr(let d) = try eval(args[2]) else { throw fail(.malformedIR, name) }
                desired = try loadScalar(d, s)
            } else { desired = try arg(2) }
            if try intValue(old) == intValue(expected) { try storeScalar(p, s, desired); return .int(1, .bool) }
            try storeScalar(e, s, old)
            return .int(0, .bool)
        case "__sync_bool_compare_and_swap", "__sync_val_compare_and_swap":
            let eq = try intValue(old) == intValue(arg(1))
            if eq { try storeScalar(p, s, arg(2)) }
            return name.hasPrefix("__sync_bool") ? .int(eq ? 1 : 0, .bool) : old
        default: break
        }
        // fetch_OP / OP_fetch (atomic) and fetch_and_OP / OP_and_fetch (sync)
        var core = name.hasPrefix("__atomic_") ? String(name.dropFirst(9)) : String(name.dropFirst(7))
        let returnsOld = core.hasPrefix("fetch_")
        core = core.replacingOccurrences(of: "fetch_and_", with: "").replacingOccurrences(of: "_and_fetch", with: "")
            .replacingOccurrences(of: "fetch_", with: "").replacingOccurrences(of: "_fetch", with: "")
        let t = CType.pointer(.void)
        let opT: CType
        switch s { case .int(let k): opT = .int(k); case .pointer: opT = .ulong; case .float: throw fail(.unsupported, "\(name) on a floating type") }
        let x = try convert(old, to: scalar(opT)!), y = try convert(eval(args[1]), to: scalar(opT)!)
        var r: Value
        switch core {
        case "add": r = try binary(.add, x, y, opT)
        case "sub": r = try binary(.sub, x, y, opT)
        case "and": r = try binary(.bitAnd, x, y, opT)
        case "or": r = try binary(.bitOr, x, y, opT)
        case "xor": r = try binary(.bitXor, x, y, opT)
        case "nand": r = try unary(.bitNot, binary(.bitAnd, x, y, opT), opT)
        default: throw fail(.unsupported, "builtin \(name)")
        }
        _ = t
        r = try convert(r, to: s)
        try storeScalar(p, s, r)
        return returnsOld ? old : r
    }
}
