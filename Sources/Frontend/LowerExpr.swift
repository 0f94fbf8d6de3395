// Lowering expressions: every side effect becomes an instruction emitted
// into the current block, and what is left is a pure `Expr`.
//
// Order of evaluation: operands are lowered left to right. When a later
// operand emits instructions (a call, an assignment), earlier operands that
// read memory are saved into temporaries at the point where they were
// evaluated, so no instruction can change a value already computed
// (CIL's rule). `&&`, `||` and `?:` whose later operands have side effects
// become control flow.

import CClang
import IR

extension Lowerer {
    // MARK: Entry points

    /// Lowers `c` for its effects only (an expression statement).
    func lowerDiscarded(_ c: CXCursor) throws {
        switch c.kind {
        case CXCursor_ParenExpr:
            if let k = c.children.first { try lowerDiscarded(k) }
            return
        case CXCursor_CallExpr:
            try lowerCall(c, wantValue: false)
            return
        case CXCursor_BinaryOperator, CXCursor_CompoundAssignOperator:
            let op = clang_getCursorBinaryOperatorKind(c)
            let kids = c.children
            if op == CXBinaryOperator_Comma {
                try lowerDiscarded(kids[0]); try lowerDiscarded(kids[1]); return
            }
            if op == CXBinaryOperator_LAnd || op == CXBinaryOperator_LOr {
                let lhs = try lowerExpr(kids[0])
                let rhs = try b.collect { try lowerDiscarded(kids[1]) }
                if rhs.isEmpty { _ = lhs; return }
                let cond = op == CXBinaryOperator_LAnd ? lhs : negate(lhs)
                b.emit(.if(cond, then: .block(rhs), else: nil, c.loc))
                return
            }
            _ = try lowerExpr(c, wantValue: false)
            return
        case CXCursor_UnaryOperator:
            _ = try lowerExpr(c, wantValue: false)
            return
        case CXCursor_ConditionalOperator:
            let kids = c.children
            let cond = try lowerExpr(kids[0])
            let a = try b.collect { try lowerDiscarded(kids[1]) }
            let e = try b.collect { try lowerDiscarded(kids[2]) }
            if a.isEmpty && e.isEmpty { return }
            b.emit(.if(cond, then: .block(a), else: e.isEmpty ? nil : .block(e), c.loc))
            return
        case CXCursor_CStyleCastExpr:
            if c.type.canonical.kind == CXType_Void, let k = c.children.last(where: { $0.isExpression }) {
                try lowerDiscarded(k); return
            }
        default:
            break
        }
        let v = try lowerExpr(c, wantValue: false)
        if readsVolatile(v) {
            let t = program.typeOf(v, in: b.function)
            if !t.isVoid {
                let tmp = newTemp(t, c.loc)
                b.emit(.local(tmp, .expr(v), c.loc))
            }
        }
    }

    /// A value of void type (the result of a void call or cast to void).
    var voidValue: Expr { .cast(.void, .const(.int(0), .int)) }

    func newTemp(_ t: CType, _ loc: SourceLoc) -> LocalID {
        var t = t
        // A temporary holds a value: no qualifiers at the top.
        if !program.qualifiers(t).isEmpty { t = program.unroll(t) }
        if case .atomic(let inner) = program.unroll(t) { t = program.unroll(inner) }
        b.tempCount += 1
        return b.addLocal(name: "__t\(b.tempCount)", type: t, isTemp: true, loc: loc)
    }

    /// Saves `e` into a fresh temporary and returns a read of it.
    func saveTemp(_ e: Expr, _ loc: SourceLoc) -> Expr {
        if isStable(e) { return e }
        let t = program.typeOf(e, in: b.function)
        let tmp = newTemp(t, loc)
        b.emit(.local(tmp, .expr(e), loc))
        return .read(.local(tmp))
    }

    /// Lowers operands left to right, saving earlier ones whose value a
    /// later operand's instructions could change.
    func lowerOperands(_ cs: [CXCursor]) throws -> [Expr] {
        var values: [Expr] = []
        var positions: [Int] = []
        for c in cs {
            values.append(try lowerExpr(c))
            positions.append(b.position)
        }
        // Insert from the last so earlier positions stay valid.
        for i in stride(from: values.count - 2, through: 0, by: -1) where positions[i] != b.position {
            if isStable(values[i]) { continue }
            let t = program.typeOf(values[i], in: b.function)
            let tmp = newTemp(t, cs[i].loc)
            // Declared with its value: a struct with const members cannot be assigned.
            b.insert(.local(tmp, .expr(values[i]), cs[i].loc), at: positions[i])
            values[i] = .read(.local(tmp))
            // Later positions moved by one.
            for j in (i + 1)..<positions.count { positions[j] += 1 }
        }
        return values
    }

    // MARK: Stability and effects

    /// An expression whose value no instruction can change: constants,
    /// addresses of named objects, reads of compiler temporaries.
    func isStable(_ e: Expr) -> Bool {
        switch e {
        case .const, .sizeOf, .alignOf, .function, .labelAddr: return true
        case .read(let lv):
            if lv.offsets.isEmpty, case .local(let id) = lv.host { return b.function.locals[id.index].isTemp }
            return false
        case .addrOf(let lv), .startOf(let lv): return isStableAddress(lv)
        case .unary(_, let a, _), .cast(_, let a), .current(_, let a): return isStable(a)
        case .pinned: return false
        case .binary(_, let x, let y, _): return isStable(x) && isStable(y)
        case .cond(let c, let x, let y, _): return isStable(c) && isStable(x) && isStable(y)
        case .compoundLiteral: return false
        }
    }

    func isStableAddress(_ lv: LValue) -> Bool {
        switch lv.host {
        case .local, .global: break
        case .mem(let e): if !isStable(e) { return false }
        case .compound: return false
        }
        for o in lv.offsets { if case .index(let i) = o, !isStable(i) { return false } }
        return true
    }

    func readsVolatile(_ e: Expr) -> Bool {
        switch e {
        case .read(let lv):
            if program.qualifiers(program.typeOf(lv, in: b.function)).contains(.volatile) { return true }
            return lvalueReadsVolatile(lv)
        case .addrOf(let lv), .startOf(let lv): return lvalueReadsVolatile(lv)
        case .unary(_, let a, _), .cast(_, let a): return readsVolatile(a)
        case .binary(_, let x, let y, _): return readsVolatile(x) || readsVolatile(y)
        case .cond(let c, let x, let y, _): return readsVolatile(c) || readsVolatile(x) || readsVolatile(y)
        default: return false
        }
    }

    private func lvalueReadsVolatile(_ lv: LValue) -> Bool {
        if case .mem(let e) = lv.host, readsVolatile(e) { return true }
        for o in lv.offsets { if case .index(let i) = o, readsVolatile(i) { return true } }
        return false
    }

    func hasSideEffects(_ c: CXCursor) -> Bool {
        switch c.kind {
        case CXCursor_CallExpr, CXCursor_CompoundAssignOperator, CXCursor_StmtExpr: return true
        case CXCursor_BinaryOperator:
            if clang_getCursorBinaryOperatorKind(c) == CXBinaryOperator_Assign { return true }
        case CXCursor_UnaryOperator:
            let k = clang_getCursorUnaryOperatorKind(c)
            if k == CXUnaryOperator_PostInc || k == CXUnaryOperator_PostDec || k == CXUnaryOperator_PreInc || k == CXUnaryOperator_PreDec { return true }
        default: break
        }
        return c.children.contains { hasSideEffects($0) }
    }

    // MARK: Expressions

    func lowerExpr(_ c: CXCursor, wantValue: Bool = true) throws -> Expr {
        let loc = c.loc
        switch c.kind {
        case CXCursor_ParenExpr:
            guard let k = c.children.first else { throw unsupported(c, "empty parentheses") }
            return try lowerExpr(k, wantValue: wantValue)
        case CXCursor_IntegerLiteral, CXCursor_CharacterLiteral:
            let t = try lowerType(c.type, at: c)
            guard let v = Eval.int(c) else { throw unsupported(c, "integer literal") }
            return .const(.int(v), t)
        case CXCursor_FloatingLiteral:
            let t = try lowerType(c.type, at: c)
            guard case .float(let d)? = Eval.of(c) else { throw unsupported(c, "floating literal") }
            var spelling: String? = nil
            if case .float(let k) = program.unroll(t), k == .longDouble || k == .float128 {
                spelling = unit.firstSpelledToken(c)
                if let s = spelling, !(s.first?.isNumber == true || s.first == ".") { spelling = nil }
            }
            return .const(.float(d, spelling: spelling), t)
        case CXCursor_StringLiteral:
            return try stringConstant(c)
        case CXCursor_DeclRefExpr:
            let d = c.referenced
            switch d.kind {
            case CXCursor_EnumConstantDecl:
                let t = try lowerType(c.type, at: c)
                return .const(.enumerator(name: d.spelling, value: Int64(clang_getEnumConstantDeclValue(d))), t)
            case CXCursor_FunctionDecl:
                return .function(try functionID(d))
            default:
                return .read(try lowerLValue(c))
            }
        case CXCursor_MemberRefExpr, CXCursor_ArraySubscriptExpr, CXCursor_CompoundLiteralExpr:
            return .read(try lowerLValue(c))
        case CXCursor_UnaryOperator:
            return try lowerUnary(c, wantValue: wantValue)
        case CXCursor_BinaryOperator, CXCursor_CompoundAssignOperator:
            return try lowerBinary(c, wantValue: wantValue)
        case CXCursor_ConditionalOperator:
            return try lowerConditional(c, wantValue: wantValue)
        case CXCursor_CStyleCastExpr:
            guard let k = c.children.last(where: { $0.isExpression }) else { throw unsupported(c, "cast shape") }
            let to = try lowerType(c.type, at: c)
            if to.isVoid {
                try lowerDiscarded(k)
                return voidValue
            }
            if case .record = program.unroll(to) {
                // GNU cast to union, or a no-op struct cast.
                if c.type.canonical.kind == CXType_Record, clang_equalTypes(c.type.canonical, k.type.canonical) != 0 {
                    return try lowerExpr(k)
                }
                throw unsupported(c, "cast to a union type")
            }
            return try convert(k, to: to)
        case CXCursor_CallExpr:
            return try lowerCall(c, wantValue: wantValue) ?? voidValue
        case CXCursor_UnaryExpr:
            return try lowerSizeof(c)
        case CXCursor_StmtExpr:
            return try lowerStmtExpr(c, wantValue: wantValue)
        case CXCursor_AddrLabelExpr:
            guard let l = c.children.first(where: { $0.kind == CXCursor_LabelRef }) else { throw unsupported(c, "&&label shape") }
            return .labelAddr(l.spelling)
        case CXCursor_GenericSelectionExpr:
            return try lowerExpr(try genericChoice(c), wantValue: wantValue)
        case CXCursor_UnexposedExpr:
            return try lowerUnexposed(c, wantValue: wantValue)
        case CXCursor_InitListExpr:
            throw unsupported(c, "initializer list in this position")
        case CXCursor_ImaginaryLiteral:
            // `2.0i`: a complex constant with a zero real part (IR: a float constant of complex type is imaginary).
            let t = try lowerType(c.type, at: c)
            guard let k = c.children.first else { throw unsupported(c, "imaginary literal shape") }
            switch Eval.of(k) {
            case .float(let d)?: return .const(.float(d, spelling: nil), t)
            case .int(let i, _)?: return .const(.float(Double(i), spelling: nil), t)
            default: throw unsupported(c, "imaginary literal")
            }
        default:
            if let v = Eval.of(c), case .int(let i, _) = v {
                return .const(.int(i), try lowerType(c.type, at: c))
            }
            _ = loc
            throw unsupported(c, "expression \(c.kindName)")
        }
    }

    /// The IR value of `k` converted to `to` (no cast when the types agree).
    func convert(_ k: CXCursor, to: CType) throws -> Expr {
        let kt = k.type.canonical
        // va_list values decay by themselves in C: pass the object as it is.
        if isVaListValue(to), let kl = try? lowerType(k.type, at: k), isVaListValue(kl) {
            switch kt.kind {
            case CXType_ConstantArray, CXType_IncompleteArray: return .read(try lowerLValue(k))
            default: return try lowerExpr(k)
            }
        }
        switch kt.kind {
        case CXType_ConstantArray, CXType_IncompleteArray, CXType_VariableArray:
            if isStringLiteral(k) {
                let s = try lowerExpr(k)
                return .cast(to, s)
            }
            let lv = try lowerLValue(k)
            if case .vaList = to { return .read(lv) }
            // A parameter written with array type is a pointer already.
            guard program.unroll(program.typeOf(lv, in: fn?.function)).isArray else {
                let v = Expr.read(lv)
                return program.unroll(to).isArray || sameType(program.typeOf(v, in: fn?.function), to) ? v : .cast(to, v)
            }
            let p = Expr.startOf(lv)
            return sameType(program.typeOf(p, in: fn?.function), to) ? p : .cast(to, p)
        case CXType_FunctionProto, CXType_FunctionNoProto:
            let f = try lowerExpr(k)
            let ft = program.typeOf(f, in: fn?.function)
            if sameType(ft, to) { return f }
            // A parameter written with function type (`callback_t cb`), read:
            // clang types the read as the function; it is the pointer (C11 6.7.6.3p8).
            if case .function = program.unroll(to), case .pointer = program.unroll(ft) { return f }
            return .cast(to, f)
        default:
            let v = try lowerExpr(k)
            let from = program.typeOf(v, in: fn?.function)
            if sameType(from, to) { return v }
            if to.isVoid { return voidValue }
            // libclang gives a decayed type (a parameter written with array type) as the array it was written
            // as: the value is the pointer, so a read of the parameter is as it is, and a null pointer constant
            // or a `void *` passed to it is converted to the pointer.
            if program.unroll(to).isArray {
                let p = adjustParameter(to)
                return sameType(from, p) ? v : splatOrCast(v, from: from, to: p, loc: k.loc)
            }
            return splatOrCast(v, from: from, to: to, loc: k.loc)
        }
    }

    /// A conversion; a scalar converted to a vector (clang's splat) is the
    /// vector literal with the scalar in every lane.
    func splatOrCast(_ v: Expr, from: CType, to: CType, loc: SourceLoc) -> Expr {
        // A scalar as big as the vector is reinterpreted (an explicit cast); a smaller one is splatted.
        guard case .vector(let el, let n) = program.unroll(to), program.isScalar(from),
              program.size(of: from) != program.size(of: to) else { return .cast(to, v) }
        let lane = sameType(from, el) ? v : .cast(el, v)
        let x = fn != nil && !inStaticInitializer ? saveTemp(lane, loc) : lane
        return .compoundLiteral(strip(to), .compound(strip(to), (0..<n).map { InitEntry(.index($0), .expr(x)) }))
    }

    /// Equal types, up to typedef names and top-level qualifiers (which a
    /// value does not carry). Qualifiers behind pointers count: a cast that
    /// adds `volatile` to a pointee changes what the program does.
    func sameType(_ a: CType, _ b: CType) -> Bool {
        let ua = program.unroll(a), ub = program.unroll(b)
        return ua == ub || canonical(ua) == canonical(ub)
    }

    /// `t` without typedef names anywhere, qualifiers merged and kept.
    func canonical(_ t: CType) -> CType {
        let q = program.qualifiers(t)
        let base: CType
        switch program.unroll(t) {
        case .pointer(let p): base = .pointer(canonical(p))
        case .array(let e, let n): base = .array(canonical(e), length: n)
        case .atomic(let i): base = .atomic(canonical(i))
        case .function(let f):
            base = .function(FunctionType(result: canonical(f.result), params: f.params.map { canonical($0) }, variadic: f.variadic, hasPrototype: f.hasPrototype))
        case let u: base = u
        }
        return q.isEmpty ? base : .qualified(base, q)
    }

    /// The type of a value of type `t`: no typedef names, no qualifiers at
    /// the top; qualifiers behind pointers kept.
    func strip(_ t: CType) -> CType {
        canonical(program.unroll(t))
    }

    // MARK: Unexposed expressions (implicit casts and friends)

    func lowerUnexposed(_ c: CXCursor, wantValue: Bool) throws -> Expr {
        let kids = c.children
        let exprKids = kids.filter { $0.isExpression }
        if exprKids.isEmpty {
            if let v = Eval.of(c) {
                let t = try lowerType(c.type, at: c)
                switch v {
                case .int(let i, _): return .const(.int(i), t)
                case .float(let d): return .const(.float(d, spelling: nil), t)
                case .string: break
                }
            }
            throw unsupported(c, "expression '\(unit.tokens(clang_getCursorExtent(c)).prefix(6).joined(separator: " "))'")
        }
        // (void)e written implicitly (a ?: arm of type void).
        if exprKids.count == 1, c.type.canonical.kind == CXType_Void {
            try lowerDiscarded(exprKids[0])
            return voidValue
        }
        // An implicit conversion to a type with a VLA in it (a read of `int (*p)[n]`,
        // the decay of `int m[r][c]`): the operand's own IR type carries the lengths.
        if exprKids.count == 1, containsVLA(c.type), (try? lowerType(c.type, at: c)) == nil {
            let k = exprKids[0]
            if k.type.canonical.kind == CXType_VariableArray || k.type.canonical.kind == CXType_ConstantArray {
                let lv = try lowerLValue(k)
                return program.unroll(program.typeOf(lv, in: fn?.function)).isArray ? .startOf(lv) : .read(lv)
            }
            return try lowerExpr(k)
        }
        // va_arg(ap, T): a va_list operand and a result of another type.
        let to = try lowerType(c.type, at: c)
        if exprKids.count == 1, c.type.canonical.kind != CXType_Void {
            let k = exprKids[0]
            if k.type.canonical.kind != CXType_VariableArray, let kt = try? lowerType(k.type, at: k),
               isVaListValue(kt), !isVaListValue(to), case .vaList = program.unroll(kt) {
                let ap = try lowerExpr(k)
                let tmp = newTemp(to, c.loc)
                b.emit(.vaArg(result: .local(tmp), list: ap, c.loc))
                return .read(.local(tmp))
            }
            // __func__ and friends: the string literal itself.
            if k.kind == CXCursor_StringLiteral, c.type.canonical.kind == CXType_ConstantArray {
                return try lowerExpr(k)
            }
            // An implicit conversion spans exactly its operand; anything wider
            // (__builtin_types_compatible_p(typeof(x), int), offsetof) is a
            // builtin form whose operand is not evaluated: clang folds it.
            if clang_equalRanges(clang_getCursorExtent(c), clang_getCursorExtent(k)) == 0, let v = Eval.int(c) {
                return .const(.int(v), to)
            }
            if kids.first?.kind == CXCursor_TypeRef || kids.contains(where: { $0.kind == CXCursor_MemberRef }) {
                // offsetof(T, a[i]) and other constant forms with operands.
                if let v = Eval.int(c) { return .const(.int(v), to) }
            }
            return try convert(k, to: to)
        }
        if exprKids.count >= 2, let v = try lowerAtomicBuiltin(c, exprKids, wantValue: wantValue) { return v }
        if exprKids.count == 4 {
            // GNU `a ?: b`: a evaluated once.
            let a = try lowerExpr(exprKids[0])
            let saved = saveTemp(a, c.loc)
            var altValue: Expr? = nil
            let alt = try b.collect {
                let v = try convert(exprKids[3], to: to)
                if !to.isVoid, wantValue { altValue = v }
            }
            let trueValue: Expr = sameType(program.typeOf(saved, in: b.function), to) ? saved : .cast(to, saved)
            if alt.isEmpty, let altValue {
                return .cond(saved, trueValue, altValue, to)
            }
            if to.isVoid || !wantValue {
                b.emit(.if(negate(saved), then: .block(alt), else: nil, c.loc))
                return voidValue
            }
            let tmp = newTemp(to, c.loc)
            var alt2 = alt
            if let altValue { alt2.append(.instr(.assign(.local(tmp), altValue, c.loc))) }
            b.emit(.if(saved, then: .instr(.assign(.local(tmp), trueValue, c.loc)), else: .block(alt2), c.loc))
            return .read(.local(tmp))
        }
        if exprKids.count == 3 {
            // __builtin_choose_expr(const, a, b)
            guard let v = Eval.int(exprKids[0]) else { throw unsupported(c, "__builtin_choose_expr condition") }
            return try lowerExpr(v != 0 ? exprKids[1] : exprKids[2], wantValue: wantValue)
        }
        if let v = Eval.int(c) { return .const(.int(v), to) }
        throw unsupported(c, "expression '\(unit.tokens(clang_getCursorExtent(c)).prefix(6).joined(separator: " "))'")
    }

    /// GNU `__atomic_*` builtins (clang's AtomicExpr). libclang lists the
    /// operands in clang's internal order (pointer, order, value, …); they
    /// are put back in the order written, which their source offsets give.
    /// Written through a macro (offsets not distinct) or in clang's
    /// `__c11_atomic_*` form, they are refused.
    func lowerAtomicBuiltin(_ c: CXCursor, _ kids: [CXCursor], wantValue: Bool) throws -> Expr? {
        guard let name = unit.tokens(clang_getCursorExtent(c)).first ?? unit.firstSpelledToken(c),
              name.hasPrefix("__atomic_") || name.hasPrefix("__c11_atomic") else { return nil }
        guard name.hasPrefix("__atomic_") else { throw unsupported(c, "\(name) (clang's C11 atomic builtins have no gcc equivalent)") }
        var offsets: [(Int, CXCursor)] = []
        for k in kids {
            var file: CXFile?
            var off: UInt32 = 0
            clang_getFileLocation(clang_getRangeStart(clang_getCursorExtent(k)), &file, nil, nil, &off)
            offsets.append((Int(off), k))
        }
        guard Set(offsets.map(\.0)).count == offsets.count else { throw unsupported(c, "\(name) written through a macro") }
        let ordered = offsets.sorted { $0.0 < $1.0 }.map(\.1)
        let args = try lowerOperands(ordered)
        let t = try lowerType(c.type, at: c)
        if t.isVoid || !wantValue {
            b.emit(.call(result: nil, callee: .builtin(name), args: args, c.loc))
            return voidValue
        }
        let tmp = newTemp(t, c.loc)
        b.emit(.call(result: .local(tmp), callee: .builtin(name), args: args, c.loc))
        return .read(.local(tmp))
    }

    func isVaListValue(_ t: CType) -> Bool {
        if case .vaList = program.unroll(t) { return true }
        return false
    }

    // MARK: Strings

    func isStringLiteral(_ c: CXCursor) -> Bool {
        if c.kind == CXCursor_StringLiteral { return true }
        if c.kind == CXCursor_ParenExpr, let k = c.children.first { return isStringLiteral(k) }
        if c.kind == CXCursor_UnexposedExpr, let k = c.children.first, c.children.count == 1,
           k.kind == CXCursor_StringLiteral, c.type.canonical.kind == CXType_ConstantArray { return true }
        return false
    }

    func stringConstant(_ c: CXCursor) throws -> Expr {
        if c.kind != CXCursor_StringLiteral, let k = c.children.first { return try stringConstant(k) }
        let t = try lowerType(c.type, at: c)
        let spelling = c.spelling
        var width = 1
        if spelling.hasPrefix("L") || spelling.hasPrefix("U") { width = 4 } else if spelling.hasPrefix("u8") { width = 1 } else if spelling.hasPrefix("u") { width = 2 }
        let units = decodeStringToken(spelling)
        return .const(.string(units, width: width), t)
    }

    // MARK: Unary operators

    func lowerUnary(_ c: CXCursor, wantValue: Bool) throws -> Expr {
        guard let k = c.children.first else { throw unsupported(c, "unary operator shape") }
        let op = clang_getCursorUnaryOperatorKind(c)
        // Lowered only where needed: `p++` on a pointer to a VLA has a type only the operand knows.
        var t: CType { get throws { try lowerType(c.type, at: c) } }
        switch op {
        case CXUnaryOperator_PostInc, CXUnaryOperator_PostDec, CXUnaryOperator_PreInc, CXUnaryOperator_PreDec:
            let inc = op == CXUnaryOperator_PostInc || op == CXUnaryOperator_PreInc
            let post = op == CXUnaryOperator_PostInc || op == CXUnaryOperator_PostDec
            let lv = try lowerLValue(k)
            let lt = program.typeOf(lv, in: b.function)
            if let v = try atomicUpdate(lv, lt, op: inc ? .add : .sub, operand: nil, returnOld: post, at: c) { return v }
            if post && wantValue {
                let old = newTemp(lt, c.loc)
                b.emit(.assign(.local(old), .read(lv), c.loc))
                b.emit(.assign(lv, step(.read(.local(old)), type: lt, inc: inc), c.loc))
                return .read(.local(old))
            }
            b.emit(.assign(lv, step(.read(lv), type: lt, inc: inc), c.loc))
            return .read(lv)
        case CXUnaryOperator_AddrOf:
            if let f = functionDesignator(k) { return .function(f) }
            return .addrOf(try lowerLValue(k))
        case CXUnaryOperator_Deref:
            if c.type.canonical.kind == CXType_FunctionProto || c.type.canonical.kind == CXType_FunctionNoProto {
                return try lowerExpr(k)  // *fp is fp as a function designator
            }
            return .read(try lowerLValue(c))
        case CXUnaryOperator_Plus:
            return try convert(k, to: try t)
        case CXUnaryOperator_Minus:
            return .unary(.neg, try lowerExpr(k), try t)
        case CXUnaryOperator_Not:
            return .unary(.bitNot, try lowerExpr(k), try t)
        case CXUnaryOperator_LNot:
            return .unary(.logNot, try lowerExpr(k), try t)
        case CXUnaryOperator_Real:
            return .unary(.real, try lowerExpr(k), try t)
        case CXUnaryOperator_Imag:
            return .unary(.imag, try lowerExpr(k), try t)
        case CXUnaryOperator_Extension:
            return try lowerExpr(k, wantValue: wantValue)
        default:
            throw unsupported(c, "unary operator")
        }
    }

    /// `++`, `--` and `op=` on an `_Atomic` integer are one atomic
    /// read-modify-write (C11 6.5.2.4p2, 6.5.16.2p3): a GNU `__atomic_*`
    /// builtin, sequentially consistent. nil when the lvalue is not atomic.
    func atomicUpdate(_ lv: LValue, _ lt: CType, op: BinaryOp, operand: Expr?, returnOld: Bool, at c: CXCursor) throws -> Expr? {
        guard case .atomic(let inner) = program.unroll(lt) else { return nil }
        guard case .int(let k) = program.valueType(inner), k != .bool else {
            throw unsupported(c, "this read-modify-write of an _Atomic \(program.valueType(inner))")
        }
        let names: [BinaryOp: String] = [.add: "add", .sub: "sub", .bitAnd: "and", .bitOr: "or", .bitXor: "xor"]
        let vt = CType.int(k)
        guard let name = names[op] else {
            // Any other operator: a compare-and-swap loop (C11 6.5.16.2 note 113).
            guard let r = operand else { throw unsupported(c, "'\(op.rawValue)' on an _Atomic object") }
            let old = newTemp(vt, c.loc), new = newTemp(vt, c.loc), ok = newTemp(.bool, c.loc)
            b.emit(.call(result: .local(old), callee: .builtin("__atomic_load_n"), args: [.addrOf(lv), .const(.int(5), .int)], c.loc))
            let body = try b.collect {
                b.emit(.assign(.local(new), try compute(op, .read(.local(old)), vt, r, at: c).castIfNeeded(to: vt, self), c.loc))
                b.emit(.call(result: .local(ok), callee: .builtin("__atomic_compare_exchange_n"),
                             args: [.addrOf(lv), .addrOf(.local(old)), .read(.local(new)), .const(.int(0), .int),
                                    .const(.int(5), .int), .const(.int(5), .int)], c.loc))
                b.emit(.if(.read(.local(ok)), then: .break(c.loc), else: nil, c.loc))
            }
            b.emit(.loop(body: .block(body), next: nil, c.loc))
            return .read(.local(new))
        }
        var amount = operand ?? .const(.int(1), vt)
        if !sameType(program.typeOf(amount, in: b.function), vt) { amount = .cast(vt, amount) }
        let builtin = returnOld ? "__atomic_fetch_\(name)" : "__atomic_\(name)_fetch"
        let tmp = newTemp(vt, c.loc)
        b.emit(.call(result: .local(tmp), callee: .builtin(builtin), args: [.addrOf(lv), amount, .const(.int(5), .int)], c.loc))
        return .read(.local(tmp))
    }

    /// `v + 1` / `v - 1` in the type of an lvalue being incremented.
    func step(_ v: Expr, type: CType, inc: Bool) -> Expr {
        let vt = program.valueType(type)
        switch vt {
        case .pointer:
            return .binary(inc ? .ptrAdd : .ptrSub, v, .const(.int(1), .long), strip(type))
        case .float:
            return .binary(inc ? .add : .sub, v, .const(.float(1, spelling: nil), vt), vt).castIfNeeded(to: type, self)
        case .complex(let k):
            return .binary(inc ? .add : .sub, v, .cast(vt, .const(.float(1, spelling: nil), .float(k))), vt)
        case .int:
            let ct = promote(vt)
            let operand = sameType(program.typeOf(v, in: b.function), ct) ? v : .cast(ct, v)
            let r = Expr.binary(inc ? .add : .sub, operand, .const(.int(1), ct), ct)
            return sameType(ct, type) ? r : .cast(strip(type), r)
        default:
            return .binary(inc ? .add : .sub, v, .const(.int(1), vt), vt)
        }
    }

    func functionDesignator(_ c: CXCursor) -> FuncID? {
        var c = c
        while c.kind == CXCursor_ParenExpr || (c.kind == CXCursor_UnexposedExpr && c.children.count == 1) {
            c = c.children[0]
        }
        if c.kind == CXCursor_DeclRefExpr, c.referenced.kind == CXCursor_FunctionDecl {
            return try? functionID(c.referenced)
        }
        return nil
    }

    // MARK: Binary operators

    func lowerBinary(_ c: CXCursor, wantValue: Bool) throws -> Expr {
        let kids = c.children
        guard kids.count == 2 else { throw unsupported(c, "binary operator shape") }
        let op = clang_getCursorBinaryOperatorKind(c)
        let t = try lowerType(c.type, at: c)
        switch op {
        case CXBinaryOperator_Comma:
            try lowerDiscarded(kids[0])
            return try lowerExpr(kids[1], wantValue: wantValue)
        case CXBinaryOperator_LAnd, CXBinaryOperator_LOr:
            let isAnd = op == CXBinaryOperator_LAnd
            let lhs = try lowerExpr(kids[0])
            var rhsValue: Expr = .const(.int(0), .int)
            let rhs = try b.collect { rhsValue = try lowerExpr(kids[1]) }
            if rhs.isEmpty {
                return .binary(isAnd ? .logAnd : .logOr, lhs, rhsValue, t)
            }
            let tmp = newTemp(t, c.loc)
            b.emit(.assign(.local(tmp), .const(.int(isAnd ? 0 : 1), t), c.loc))
            var then = rhs
            then.append(.instr(.assign(.local(tmp), .unary(.logNot, .unary(.logNot, rhsValue, .int), .int).castIfNeeded(to: t, self), c.loc)))
            b.emit(.if(isAnd ? lhs : negate(lhs), then: .block(then), else: nil, c.loc))
            return .read(.local(tmp))
        case CXBinaryOperator_Assign:
            let lv = try lowerLValue(kids[0])
            let lt = program.typeOf(lv, in: b.function)
            var v = try lowerExpr(kids[1])
            if !sameType(program.typeOf(v, in: b.function), lt) && !program.isRecord(lt) { v = .cast(strip(lt), v) }
            return assign(lv, v, wantValue: wantValue, loc: c.loc)
        default:
            break
        }
        if let bop = compoundOp(op) {
            let lv = try lowerLValue(kids[0])
            let r = try lowerExpr(kids[1])
            let lt = program.typeOf(lv, in: b.function)
            if let v = try atomicUpdate(lv, lt, op: bop, operand: r, returnOld: false, at: c) { return v }
            let newValue = try compute(bop, .read(lv), lt, r, at: c)
            let stored = sameType(program.typeOf(newValue, in: b.function), lt) ? newValue : .cast(strip(lt), newValue)
            return assign(lv, stored, wantValue: wantValue, loc: c.loc)
        }
        guard let bop = plainOp(op) else { throw unsupported(c, "binary operator") }
        let ops = try lowerOperands(kids)
        return try arith(bop, ops[0], ops[1], resultType: t, at: c)
    }

    /// `lv = v`, and the value of the assignment when it is wanted.
    func assign(_ lv: LValue, _ v: Expr, wantValue: Bool, loc: SourceLoc) -> Expr {
        if !wantValue {
            b.emit(.assign(lv, v, loc))
            return voidValue
        }
        if isBitField(lv) {
            b.emit(.assign(lv, v, loc))
            return .read(lv)
        }
        let saved = saveTemp(v, loc)
        b.emit(.assign(lv, saved, loc))
        return saved
    }

    func isBitField(_ lv: LValue) -> Bool {
        guard case .field(let rid, let i)? = lv.offsets.last else { return false }
        return program[rid].fields?[i].bitWidth != nil
    }

    /// `a op b` with C's typing: pointer arithmetic becomes ptrAdd/ptrSub/ptrDiff.
    func arith(_ op: BinaryOp, _ a: Expr, _ bb: Expr, resultType t: CType, at c: CXCursor) throws -> Expr {
        let at = program.typeOf(a, in: fn?.function), bt = program.typeOf(bb, in: fn?.function)
        let ap = program.isPointer(at), bp = program.isPointer(bt)
        if !ap && !bp && op != .shl && op != .shr && !sameType(at, bt) {
            // Complex with real, vector with scalar: clang leaves these mixed; the IR makes them one type.
            let common: CType
            switch op {
            case .lt, .gt, .le, .ge, .eq, .ne, .logAnd, .logOr:
                common = program.isArithmetic(at) && program.isArithmetic(bt) ? usualArithmetic(at, bt) : at
            default: common = t
            }
            if op != .logAnd && op != .logOr {
                let a2 = sameType(at, common) ? a : splatOrCast(a, from: at, to: common, loc: c.loc)
                let b2 = sameType(bt, common) ? bb : splatOrCast(bb, from: bt, to: common, loc: c.loc)
                return .binary(op, a2, b2, t)
            }
        }
        switch op {
        case .add where ap && !bp: return .binary(.ptrAdd, a, bb, strip(at))
        case .add where bp && !ap: return .binary(.ptrAdd, bb, a, strip(bt))
        case .sub where ap && !bp: return .binary(.ptrSub, a, bb, strip(at))
        case .sub where ap && bp: return .binary(.ptrDiff, a, bb, t)
        default: return .binary(op, a, bb, t)
        }
    }

    /// The new value of `lhs op= r` (C11 6.5.16.2): computed in the common
    /// type of the promoted lhs and r.
    func compute(_ op: BinaryOp, _ cur: Expr, _ lt: CType, _ r: Expr, at c: CXCursor) throws -> Expr {
        let vt = program.valueType(lt)
        let rt = program.typeOf(r, in: b.function)
        if program.isPointer(vt) {
            guard op == .add || op == .sub else { throw unsupported(c, "compound assignment on a pointer") }
            return .binary(op == .add ? .ptrAdd : .ptrSub, cur, r, strip(lt))
        }
        let ct: CType
        if op == .shl || op == .shr {
            ct = promote(vt)
            let l = sameType(program.typeOf(cur, in: b.function), ct) ? cur : .cast(ct, cur)
            return .binary(op, l, r, ct)
        }
        ct = usualArithmetic(promote(vt), promote(program.valueType(rt)))
        let l = sameType(program.typeOf(cur, in: b.function), ct) ? cur : .cast(ct, cur)
        let rr = sameType(rt, ct) ? r : .cast(ct, r)
        return .binary(op, l, rr, ct)
    }

    func compoundOp(_ op: CXBinaryOperatorKind) -> BinaryOp? {
        switch op {
        case CXBinaryOperator_MulAssign: return .mul
        case CXBinaryOperator_DivAssign: return .div
        case CXBinaryOperator_RemAssign: return .rem
        case CXBinaryOperator_AddAssign: return .add
        case CXBinaryOperator_SubAssign: return .sub
        case CXBinaryOperator_ShlAssign: return .shl
        case CXBinaryOperator_ShrAssign: return .shr
        case CXBinaryOperator_AndAssign: return .bitAnd
        case CXBinaryOperator_XorAssign: return .bitXor
        case CXBinaryOperator_OrAssign: return .bitOr
        default: return nil
        }
    }

    func plainOp(_ op: CXBinaryOperatorKind) -> BinaryOp? {
        switch op {
        case CXBinaryOperator_Mul: return .mul
        case CXBinaryOperator_Div: return .div
        case CXBinaryOperator_Rem: return .rem
        case CXBinaryOperator_Add: return .add
        case CXBinaryOperator_Sub: return .sub
        case CXBinaryOperator_Shl: return .shl
        case CXBinaryOperator_Shr: return .shr
        case CXBinaryOperator_LT: return .lt
        case CXBinaryOperator_GT: return .gt
        case CXBinaryOperator_LE: return .le
        case CXBinaryOperator_GE: return .ge
        case CXBinaryOperator_EQ: return .eq
        case CXBinaryOperator_NE: return .ne
        case CXBinaryOperator_And: return .bitAnd
        case CXBinaryOperator_Xor: return .bitXor
        case CXBinaryOperator_Or: return .bitOr
        default: return nil
        }
    }

    // MARK: Arithmetic conversions (C11 6.3.1)

    func promote(_ t: CType) -> CType {
        switch program.valueType(t) {
        case .int(let k) where k.rank < IntKind.int.rank: return .int
        case let v: return v
        }
    }

    func usualArithmetic(_ a: CType, _ b: CType) -> CType {
        let a = program.valueType(a), b = program.valueType(b)
        func floatRank(_ k: FloatKind) -> Int { [.float: 0, .double: 1, .longDouble: 2, .float128: 3][k]! }
        switch (a, b) {
        case (.complex(let x), .complex(let y)): return .complex(floatRank(x) >= floatRank(y) ? x : y)
        case (.complex(let x), .float(let y)), (.float(let y), .complex(let x)): return .complex(floatRank(x) >= floatRank(y) ? x : y)
        case (.complex(let x), _), (_, .complex(let x)): return .complex(x)
        case (.float(let x), .float(let y)): return .float(floatRank(x) >= floatRank(y) ? x : y)
        case (.float(let x), _), (_, .float(let x)): return .float(x)
        case (.int(let x), .int(let y)):
            if x == y { return a }
            if x.isSigned == y.isSigned { return x.rank >= y.rank ? a : b }
            let (s, u) = x.isSigned ? (x, y) : (y, x)
            if u.rank >= s.rank { return .int(u) }
            if s.size > u.size { return .int(s) }
            return .int(unsignedOf(s))
        default: return a
        }
    }

    func unsignedOf(_ k: IntKind) -> IntKind {
        switch k {
        case .int: return .uint
        case .long: return .ulong
        case .longlong: return .ulonglong
        case .int128: return .uint128
        case .short: return .ushort
        case .schar, .char: return .uchar
        default: return k
        }
    }

    // MARK: Conditional operator

    func lowerConditional(_ c: CXCursor, wantValue: Bool) throws -> Expr {
        let kids = c.children
        guard kids.count == 3 else { throw unsupported(c, "?: shape") }
        let t = try lowerType(c.type, at: c)
        let cond = try lowerExpr(kids[0])
        var av: Expr = voidValue, ev: Expr = voidValue
        let isVoid = t.isVoid
        let a = try b.collect { if isVoid { try lowerDiscarded(kids[1]) } else { av = try convert(kids[1], to: t) } }
        let e = try b.collect { if isVoid { try lowerDiscarded(kids[2]) } else { ev = try convert(kids[2], to: t) } }
        if isVoid {
            if !a.isEmpty || !e.isEmpty {
                b.emit(.if(cond, then: .block(a), else: e.isEmpty ? nil : .block(e), c.loc))
            }
            return voidValue
        }
        if a.isEmpty && e.isEmpty {
            return .cond(cond, av, ev, t)
        }
        let tmp = newTemp(t, c.loc)
        b.emit(.if(cond, then: .block(a + [.instr(.assign(.local(tmp), av, c.loc))]),
                   else: .block(e + [.instr(.assign(.local(tmp), ev, c.loc))]), c.loc))
        return .read(.local(tmp))
    }

    // MARK: sizeof, _Alignof

    func lowerSizeof(_ c: CXCursor) throws -> Expr {
        let tok = unit.firstSpelledToken(c) ?? "sizeof"
        let isAlign = tok.contains("align")
        let operand = c.children.first(where: { $0.isExpression })
        if let v = Eval.int(c) {
            let operandType = sizeofOperandType(c, operand, value: Int(v), isAlign: isAlign)
            return isAlign ? .alignOf(operandType, value: Int(v)) : .sizeOf(operandType, value: Int(v))
        }
        // sizeof of a variable-length array object: computed at run time. The
        // expression child of `sizeof(int[n])` is the size `n`, not the
        // operand: only an operand of VLA type is taken as the operand.
        if !isAlign, let operand, operand.type.canonical.kind == CXType_VariableArray {
            let e = try lowerExpr(operand.kind == CXCursor_UnexposedExpr && operand.children.count == 1 ? operand.children[0] : operand, wantValue: false)
            var t = program.typeOf(e, in: b.function)
            if case .read(let lv) = e { t = program.typeOf(lv, in: b.function) }
            if let s = runtimeSize(t) { return s }
        }
        throw unsupported(c, "sizeof of this operand")
    }

    /// The operand type of a folded sizeof/_Alignof. libclang shows the
    /// operand when it is an expression, and a TypeRef for a named type;
    /// otherwise (sizeof(int *), …) an integer or byte-array type of the
    /// same size stands in, so the folded value stays checkable.
    func sizeofOperandType(_ c: CXCursor, _ operand: CXCursor?, value: Int, isAlign: Bool) -> CType {
        func fits(_ t: CType) -> Bool { (isAlign ? program.align(of: t) : program.size(of: t)) == value }
        if let operand, !containsVLA(operand.type), let t = try? lowerType(operand.type, at: operand), fits(t) { return t }
        if let ref = c.children.first(where: { $0.kind == CXCursor_TypeRef }), let t = try? lowerType(ref.type, at: ref), fits(t) { return t }
        let ints: [IntKind] = [.uchar, .ushort, .uint, .ulong, .uint128]
        if let k = ints.first(where: { $0.size == value }) { return .int(k) }
        return isAlign ? .int(.uchar) : .array(.int(.uchar), length: value)
    }

    /// The size in bytes of `t` as an expression (VLAs multiply their lengths).
    func runtimeSize(_ t: CType) -> Expr? {
        switch program.unroll(t) {
        case .vla(let e, let n):
            guard let es = runtimeSize(e) else { return nil }
            let len: Expr = sameType(program.typeOf(n, in: b.function), .sizeT) ? n : .cast(.sizeT, n)
            return .binary(.mul, len, es, .sizeT)
        case .array(let e, let n?):
            guard let es = runtimeSize(e) else { return nil }
            return .binary(.mul, .const(.int(Int64(n)), .sizeT), es, .sizeT)
        default:
            guard let s = program.size(of: t) else { return nil }
            return .sizeOf(t, value: s)
        }
    }

    // MARK: Statement expressions

    func lowerStmtExpr(_ c: CXCursor, wantValue: Bool) throws -> Expr {
        guard let body = c.children.first(where: { $0.kind == CXCursor_CompoundStmt }) else { throw unsupported(c, "statement expression shape") }
        let t = try lowerType(c.type, at: c)
        let stmts = body.children
        var result: Expr = voidValue
        var tmp: LocalID? = nil
        if !t.isVoid && wantValue { tmp = newTemp(t, c.loc) }
        let inner = try b.collect {
            for (i, s0) in stmts.enumerated() {
                var s = s0
                if i == stmts.count - 1, tmp != nil {
                    // `({ …; l: e; })`: the labels come first, the value is e's.
                    while s.kind == CXCursor_LabelStmt, let inner = s.children.last {
                        b.emit(.label(.named(s.spelling), s.loc))
                        s = inner
                    }
                }
                if i == stmts.count - 1, s.isExpression, let tmp {
                    let v = try lowerExpr(s)
                    b.emit(.assign(.local(tmp), sameType(program.typeOf(v, in: b.function), t) ? v : .cast(t, v), s.loc))
                } else {
                    try lowerStmt(s)
                }
            }
        }
        b.emit(.block(inner))
        if let tmp { result = .read(.local(tmp)) }
        return result
    }

    // MARK: _Generic

    /// The association _Generic selects: libclang does not say which, but
    /// the selection has the chosen association's type; the choice must be
    /// unique among the associations, or graft refuses.
    func genericChoice(_ c: CXCursor) throws -> CXCursor {
        let kids = c.children.filter { $0.isExpression }
        guard kids.count >= 2 else { throw unsupported(c, "_Generic shape") }
        let assocs = Array(kids.dropFirst())
        // clang 19's GenericSelectionExpr keeps `NumAssocs : 15, ResultIndex : 15`
        // in the word after the Expr header (Stmt bits + type = 16 bytes).
        // Read it, and believe it only when it agrees with what libclang
        // shows: the association count, and the chosen one's type.
        if let stmt = c.stmtPointer {
            let word = stmt.advanced(by: 16).assumingMemoryBound(to: UInt32.self).pointee
            let count = Int(word & 0x7fff), index = Int((word >> 15) & 0x7fff)
            if count == assocs.count, index < count,
               clang_equalTypes(assocs[index].type.canonical, c.type.canonical) != 0 {
                return assocs[index]
            }
        }
        let matches = assocs.filter { clang_equalTypes($0.type, c.type) != 0 }
        if matches.count == 1 { return matches[0] }
        let canon = assocs.filter { clang_equalTypes($0.type.canonical, c.type.canonical) != 0 }
        if canon.count == 1 { return canon[0] }
        if !matches.isEmpty, Set(matches.compactMap { Eval.int($0) }).count == 1, matches.allSatisfy({ Eval.int($0) != nil }) {
            return matches[0]
        }
        throw unsupported(c, "_Generic whose chosen association cannot be identified")
    }
}

extension Expr {
    func castIfNeeded(to t: CType, _ l: Lowerer) -> Expr {
        let mine = l.program.typeOf(self, in: l.fn?.function)
        return l.sameType(mine, t) ? self : .cast(l.strip(t), self)
    }
}
