// C initializer semantics (C11 6.7.9), which libclang leaves to us: its
// InitListExpr is the syntactic form, as written. We walk it with a stack
// of "current objects": brace elision descends into a sub-aggregate when a
// scalar meets it, a designator restarts from the braced level, GNU ranges
// cover several elements, and whatever no element names is zero (6.7.9p21).

import CClang
import Foundation
import IR

extension Lowerer {
    /// An initializer for an object of `type` from the expression `c`
    /// (a braced list, a string literal for a char array, or an expression).
    func lowerInitializer(_ c: CXCursor, type: CType) throws -> Initializer {
        var c = c
        while c.kind == CXCursor_ParenExpr, let k = c.children.first { c = k }
        if c.kind == CXCursor_InitListExpr { return try lowerBraced(c, type: type) }
        if isStringLiteral(c), isCharArray(type) { return .expr(try stringInit(c, type)) }
        return .expr(try convertInit(c, to: type))
    }

    /// A string literal initializing a character array: characters past the
    /// array's length are dropped, as C (6.7.9p14) and GNU C do.
    func stringInit(_ c: CXCursor, _ type: CType) throws -> Expr {
        let s = try stringConstant(c)
        guard case .const(.string(let units, let width), let st) = s,
              case .array(_, let n?) = program.unroll(type), units.count > n else { return s }
        guard case .array(let el, _) = program.unroll(st) else { return s }
        return .const(.string(Array(units.prefix(n)), width: width), .array(el, length: n))
    }

    /// A file-scope or static initializer: it must not need any instruction.
    func lowerStaticInitializer(_ c: CXCursor, type: CType) throws -> Initializer {
        let saved = fn
        let scratch = FunctionBuilder(function: Function(id: FuncID(-1), name: "__static_init", type: FunctionType(result: .void, params: []),
                                                         storage: .static, identity: "", loc: c.loc))
        fn = scratch
        inStaticInitializer = true
        defer { fn = saved; inStaticInitializer = false }
        let ini = try lowerInitializer(c, type: type)
        if scratch.blocks.contains(where: { !$0.isEmpty }) || !scratch.function.locals.isEmpty {
            throw unsupported(c, "static initializer that is not a constant expression")
        }
        return ini
    }

    func convertInit(_ c: CXCursor, to t: CType) throws -> Expr {
        if program.isRecord(t) || program.unroll(t).isArray || isVector(t) {
            let v = try lowerExpr(c)
            return v
        }
        return try convert(c, to: strip(t))
    }

    func isVector(_ t: CType) -> Bool {
        if case .vector = program.unroll(t) { return true }
        return false
    }

    func isCharArray(_ t: CType) -> Bool {
        switch program.unroll(t) {
        case .array(let e, _):
            if case .int(let k) = program.valueType(e) { return k.size == 1 || k == .int || k == .uint || k == .short || k == .ushort }
            return false
        default: return false
        }
    }

    private struct Frame {
        var type: CType
        var next: Int = 0
        var rangeHi: Int? = nil
    }

    /// Positions of a frame's type: (designator, subobject type) for each
    /// position, nil count for an array of unknown length.
    private func positions(_ t: CType) -> (count: Int?, isUnion: Bool) {
        switch program.unroll(t) {
        case .record(let rid):
            return (program[rid].fields?.count ?? 0, program[rid].kind == .union)
        case .array(_, let n): return (n, false)
        case .vector(_, let n): return (n, false)
        default: return (1, false)
        }
    }

    private func subobject(_ t: CType, at i: Int) -> (InitEntry.Designator, CType) {
        switch program.unroll(t) {
        case .record(let rid): return (.field(index: i), program[rid].fields![i].type)
        case .array(let e, _), .vector(let e, _): return (.index(i), e)
        default: return (.index(i), t)
        }
    }

    /// Skips unnamed bit-fields, which take no part in initialization.
    private func skipUnnamed(_ f: inout Frame) {
        guard case .record(let rid) = program.unroll(f.type), let fields = program[rid].fields else { return }
        while f.next < fields.count, fields[f.next].name == nil, fields[f.next].bitWidth != nil { f.next += 1 }
    }

    private func exhausted(_ f: Frame) -> Bool {
        let (n, _) = positions(f.type)
        guard let n else { return false }
        return f.next >= n
    }

    private func advance(_ f: inout Frame) {
        let (n, isUnion) = positions(f.type)
        if isUnion { f.next = n ?? 0; f.rangeHi = nil; return }
        f.next = (f.rangeHi ?? f.next) + 1
        f.rangeHi = nil
        skipUnnamed(&f)
    }

    private func designator(_ f: Frame) -> InitEntry.Designator {
        if let hi = f.rangeHi { return .range(f.next, hi) }
        return subobject(f.type, at: f.next).0
    }

    func lowerBraced(_ list: CXCursor, type: CType) throws -> Initializer {
        let elems = list.children.filter { $0.isExpression }
        let ut = program.unroll(type)
        switch ut {
        case .record, .array, .vector: break
        default:
            // A scalar in braces: `int x = { 5 };`
            guard let first = elems.first else { return .compound(type, []) }
            return try lowerInitializer(first, type: type)
        }
        var assignments: [([InitEntry.Designator], Initializer)] = []
        var stack = [Frame(type: type)]
        skipUnnamed(&stack[0])
        for elem in elems {
            var value = elem
            if isDesignation(elem) {
                let parts = try designation(elem)
                stack = [stack[0]]
                for (k, d) in parts.designators.enumerated() {
                    var top = stack[stack.count - 1]
                    let steps: [(Int, Int?)]
                    switch d {
                    case .field(let name):
                        guard case .record(let rid) = program.unroll(top.type), let path = fieldPath(rid, name) else {
                            throw unsupported(elem, "designator .\(name)")
                        }
                        steps = path.map { ($0.1, nil) }
                    case .index(let i): steps = [(i, nil)]
                    case .range(let lo, let hi): steps = [(lo, hi)]
                    }
                    for (s, step) in steps.enumerated() {
                        top.next = step.0
                        top.rangeHi = step.1
                        stack[stack.count - 1] = top
                        let isLast = k == parts.designators.count - 1 && s == steps.count - 1
                        if !isLast {
                            let sub = subobject(top.type, at: top.next).1
                            stack.append(Frame(type: sub))
                            skipUnnamed(&stack[stack.count - 1])
                            top = stack[stack.count - 1]
                        }
                    }
                }
                value = parts.value
            }
            // Place `value` at the current position, eliding braces as needed.
            while true {
                if exhausted(stack[stack.count - 1]) {
                    if stack.count == 1 { break }  // excess initializer: clang warned; ignored as C says
                    stack.removeLast()
                    advance(&stack[stack.count - 1])
                    continue
                }
                let top = stack[stack.count - 1]
                let path = stack.map { designator($0) }
                let subT = subobject(top.type, at: top.next).1
                let isAggregate: Bool = {
                    switch program.unroll(subT) {
                    case .record, .array, .vector: return true
                    default: return false
                    }
                }()
                var v = value
                while v.kind == CXCursor_ParenExpr, let k = v.children.first { v = k }
                if v.kind == CXCursor_InitListExpr {
                    assignments.append((path, try lowerBraced(v, type: subT)))
                } else if isAggregate {
                    if isStringLiteral(v) && isCharArray(subT) {
                        assignments.append((path, .expr(try stringInit(v, subT))))
                    } else if let vt = try? lowerType(v.type, at: v), strip(vt) == strip(subT) {
                        assignments.append((path, .expr(try lowerExpr(v))))
                    } else {
                        stack.append(Frame(type: subT))
                        skipUnnamed(&stack[stack.count - 1])
                        continue
                    }
                } else {
                    assignments.append((path, .expr(try convert(v, to: strip(subT)))))
                }
                advance(&stack[stack.count - 1])
                break
            }
        }
        let root = InitNode(type: type, isUnion: isUnionType(type))
        for (path, value) in assignments {
            insert(root, path: path[...], value: value)
        }
        return root.build()
    }

    func isUnionType(_ t: CType) -> Bool {
        if case .record(let rid) = program.unroll(t) { return program[rid].kind == .union }
        return false
    }

    /// Builds the initializer tree in linear time: each level indexes its
    /// entries by designator (a later initializer of the same subobject
    /// replaces the earlier one; in a union, any other member's).
    final class InitNode {
        let type: CType
        let isUnion: Bool
        var order: [InitEntry.Designator] = []
        var values: [InitEntry.Designator: Initializer] = [:]
        var children: [InitEntry.Designator: InitNode] = [:]
        init(type: CType, isUnion: Bool) { self.type = type; self.isUnion = isUnion }

        func claim(_ d: InitEntry.Designator) {
            if isUnion && order.first != d { order = []; values = [:]; children = [:] }
            if values[d] == nil && children[d] == nil { order.append(d) }
        }

        func build() -> Initializer {
            .compound(type, order.compactMap { d in
                if let v = values[d] { return InitEntry(d, v) }
                if let c = children[d] { return InitEntry(d, c.build()) }
                return nil
            })
        }
    }

    private func insert(_ node: InitNode, path: ArraySlice<InitEntry.Designator>, value: Initializer) {
        guard let d = path.first else { return }
        node.claim(d)
        if path.count == 1 {
            node.children[d] = nil
            node.values[d] = value
            return
        }
        let child: InitNode
        if let c = node.children[d] {
            child = c
        } else {
            let subT: CType
            switch d {
            case .field(let i), .index(let i), .range(let i, _): subT = subobject(node.type, at: i).1
            }
            child = InitNode(type: subT, isUnion: isUnionType(subT))
            node.values[d] = nil
            node.children[d] = child
        }
        insert(child, path: path.dropFirst(), value: value)
    }

    // MARK: Designators

    enum Designator { case field(String), index(Int), range(Int, Int) }

    func isDesignation(_ c: CXCursor) -> Bool {
        c.kind == CXCursor_UnexposedExpr && c.type.kind == CXType_Void
            && c.children.contains { $0.kind == CXCursor_MemberRef || $0.isExpression }
            && c.children.count >= 2
    }

    /// The designators of `.a[2].b = v` and the value. `[lo ... hi]` and
    /// `[lo][hi]` look alike to libclang; the tokens tell them apart.
    func designation(_ c: CXCursor) throws -> (designators: [Designator], value: CXCursor) {
        let kids = c.children
        guard let value = kids.last else { throw unsupported(c, "designated initializer shape") }
        let ds = Array(kids.dropLast())
        let toks = unit.tokens(clang_getCursorExtent(c))
        let hasRange = toks.contains("...")
        var out: [Designator] = []
        var i = 0
        // Shapes from tokens, when available: '.' name | '[' … ']' with or without '...'.
        var shapes: [Bool] = []  // for each '[': is it a range?
        if !toks.isEmpty {
            var depth = 0
            var cur = false
            for t in toks {
                if t == "=" && depth == 0 { break }
                if t == "[" { if depth == 0 { cur = false }; depth += 1 }
                else if t == "]" { depth -= 1; if depth == 0 { shapes.append(cur) } }
                else if t == "..." && depth == 1 { cur = true }
            }
        } else if hasRange {
            throw unsupported(c, "array range designator written through a macro")
        }
        var bracket = 0
        while i < ds.count {
            let d = ds[i]
            if d.kind == CXCursor_MemberRef {
                let name = d.spelling.isEmpty ? d.referenced.spelling : d.spelling
                // The implicit hop into an anonymous member: the named field after it finds its way.
                if name.contains("(anonymous") || name.contains("(unnamed") { i += 1; continue }
                out.append(.field(name))
                i += 1
                continue
            }
            let isRange = bracket < shapes.count ? shapes[bracket] : false
            bracket += 1
            guard let lo = Eval.int(d) else { throw unsupported(d, "non-constant array designator") }
            if isRange {
                guard i + 1 < ds.count, let hi = Eval.int(ds[i + 1]) else { throw unsupported(d, "array range designator") }
                out.append(.range(Int(lo), Int(hi)))
                i += 2
            } else {
                out.append(.index(Int(lo)))
                i += 1
            }
        }
        if toks.isEmpty && ds.filter({ $0.kind != CXCursor_MemberRef }).count > 1 {
            // Without tokens, two index expressions could be one GNU range.
            throw unsupported(c, "array designators written through a macro")
        }
        return (out, value)
    }
}

/// Decodes a C string literal's spelling (prefix, quotes, escapes; several
/// adjacent literals allowed) into code units: bytes for narrow strings,
/// UTF-16 units for `u"…"`, code points for `L"…"`/`U"…"`.
func decodeStringToken(_ s: String) -> [UInt32] {
    var out: [UInt32] = []
    let bytes = Array(s.utf8)
    var i = 0
    var width = 1
    func emitScalar(_ v: UInt32) {
        if width == 1 {
            if let u = Unicode.Scalar(v) { out += String(Character(u)).utf8.map { UInt32($0) } } else { out.append(v & 0xff) }
        } else if width == 2 {
            if let u = Unicode.Scalar(v) { out += String(Character(u)).utf16.map { UInt32($0) } } else { out.append(v & 0xffff) }
        } else {
            out.append(v)
        }
    }
    while i < bytes.count {
        // Prefix and opening quote.
        var j = i
        while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += 1 }
        guard j < bytes.count else { break }
        let prefix = String(decoding: bytes[i..<j], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        width = prefix == "L" || prefix == "U" ? 4 : prefix == "u" ? 2 : 1
        i = j + 1
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            let ch = bytes[i]
            if ch == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "a"): out.append(7)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "v"): out.append(11)
                case UInt8(ascii: "e"), UInt8(ascii: "E"): out.append(27)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var v = UInt32(e - 48)
                    var n = 1
                    while n < 3, i < bytes.count, bytes[i] >= 48, bytes[i] <= 55 { v = v * 8 + UInt32(bytes[i] - 48); i += 1; n += 1 }
                    out.append(v)
                case UInt8(ascii: "x"):
                    var v: UInt32 = 0
                    while i < bytes.count, let d = hexValue(bytes[i]) { v = v &* 16 &+ d; i += 1 }
                    out.append(width == 1 ? v & 0xff : width == 2 ? v & 0xffff : v)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let n = e == UInt8(ascii: "u") ? 4 : 8
                    var v: UInt32 = 0
                    for _ in 0..<n where i < bytes.count { v = v * 16 + (hexValue(bytes[i]) ?? 0); i += 1 }
                    emitScalar(v)
                default: out.append(UInt32(e))
                }
            } else if ch < 0x80 || width == 1 {
                out.append(UInt32(ch))
                i += 1
            } else {
                // A UTF-8 sequence in a wide literal: one code point.
                var len = 1
                if ch >= 0xF0 { len = 4 } else if ch >= 0xE0 { len = 3 } else if ch >= 0xC0 { len = 2 }
                let seq = bytes[i..<min(bytes.count, i + len)]
                if let scalar = String(decoding: seq, as: UTF8.self).unicodeScalars.first { emitScalar(scalar.value) }
                i += len
            }
        }
        i += 1  // closing quote
    }
    return out
}

private func hexValue(_ b: UInt8) -> UInt32? {
    switch b {
    case 48...57: return UInt32(b - 48)
    case 65...70: return UInt32(b - 55)
    case 97...102: return UInt32(b - 87)
    default: return nil
    }
}

