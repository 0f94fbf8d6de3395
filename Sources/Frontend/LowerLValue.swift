// Lowering lvalues (host + offset path) and calls.

import CClang
import IR

extension Lowerer {
    func lowerLValue(_ c: CXCursor) throws -> LValue {
        switch c.kind {
        case CXCursor_ParenExpr:
            guard let k = c.children.first else { throw unsupported(c, "empty parentheses") }
            return try lowerLValue(k)
        case CXCursor_DeclRefExpr:
            let d = c.referenced
            switch d.kind {
            case CXCursor_VarDecl, CXCursor_ParmDecl:
                if let f = fn, let id = f.localIDs[DeclKey(d)] { return .local(id) }
                if d.kind == CXCursor_ParmDecl { throw unsupported(c, "parameter '\(d.spelling)' outside its function") }
                return .global(try globalID(d))
            default:
                throw unsupported(c, "reference to \(d.kindName) as an object")
            }
        case CXCursor_MemberRefExpr:
            guard let base = c.children.first(where: { $0.isExpression }) else { throw unsupported(c, "member access shape") }
            let isArrow = base.type.canonical.kind == CXType_Pointer
            let baseLV: LValue = isArrow ? .mem(try lowerExpr(base)) : try lowerObject(base)
            let baseType = program.typeOf(baseLV, in: fn?.function)
            guard case .record(let rid) = program.unroll(baseType) else { throw unsupported(c, "member access on a non-record") }
            let name = c.spelling
            if name.isEmpty || name.contains("(anonymous") || name.contains("(unnamed") {
                // The implicit hop into an anonymous member: find that member by its record.
                let fieldDecl = c.referenced
                let target = try recordID(forDecl: fieldDecl.type.canonical.declaration)
                guard let i = program[rid].fields?.firstIndex(where: { f in
                    if f.name == nil, case .record(let r) = program.unroll(f.type) { return r == target }
                    return false
                }) else { throw unsupported(c, "anonymous member access") }
                return baseLV.appending(.field(rid, index: i))
            }
            guard let path = fieldPath(rid, name) else { throw unsupported(c, "member '\(name)' not found") }
            var lv = baseLV
            for (r, i) in path { lv = lv.appending(.field(r, index: i)) }
            return lv
        case CXCursor_ArraySubscriptExpr:
            let kids = c.children.filter { $0.isExpression }
            guard kids.count == 2 else { throw unsupported(c, "subscript shape") }
            // a[i] on an array object keeps the array in the path; on a pointer it is *(p + i).
            var baseC = kids[0], idxC = kids[1]
            if isPointerOrArrayValue(idxC) && !isPointerOrArrayValue(baseC) { swap(&baseC, &idxC) }
            if let arr = decayedArray(baseC), let arrLV = try arrayObject(arr) {
                let pos = b.position
                let i = try lowerExpr(idxC)
                let arrLV2 = b.position != pos ? try stabilize(arrLV, at: pos, loc: c.loc) : arrLV
                return arrLV2.appending(.index(i))
            }
            if baseC.type.canonical.kind == CXType_Vector || baseC.type.canonical.kind == CXType_ExtVector {
                let vlv = try lowerObject(baseC)
                let i = try lowerExpr(idxC)
                return vlv.appending(.index(i))
            }
            let ops = try lowerOperands([baseC, idxC])
            let pt = program.typeOf(ops[0], in: fn?.function)
            return .mem(.binary(.ptrAdd, ops[0], ops[1], strip(pt)))
        case CXCursor_UnaryOperator:
            let op = clang_getCursorUnaryOperatorKind(c)
            guard let k = c.children.first else { throw unsupported(c, "unary operator shape") }
            if op == CXUnaryOperator_Deref { return .mem(try lowerExpr(k)) }
            if op == CXUnaryOperator_Extension { return try lowerLValue(k) }
            if op == CXUnaryOperator_Real || op == CXUnaryOperator_Imag {
                // A complex number is an array of two reals (C11 6.2.5p13): its parts are lvalues.
                let whole = try lowerLValue(k)
                guard case .complex(let fk) = program.valueType(program.typeOf(whole, in: fn?.function)) else {
                    throw unsupported(c, "__real__/__imag__ of a non-complex lvalue")
                }
                let p = Expr.cast(.pointer(.float(fk)), .addrOf(whole))
                return .mem(.binary(.ptrAdd, p, .const(.int(op == CXUnaryOperator_Real ? 0 : 1), .long), .pointer(.float(fk))))
            }
            throw unsupported(c, "this unary operator as an lvalue")
        case CXCursor_CompoundLiteralExpr:
            let t = try lowerType(c.type, at: c)
            guard let il = c.children.last(where: { $0.isExpression }) else { throw unsupported(c, "compound literal shape") }
            let ini = try lowerInitializer(il, type: t)
            if fn != nil, !inStaticInitializer {
                // A compound literal in a function is an automatic object: give it a name, keep its lifetime the block's.
                let id = b.addLocal(name: "__lit", type: t, isTemp: false, loc: c.loc)
                b.emit(.local(id, ini, c.loc))
                return .local(id)
            }
            return LValue(.compound(t, ini))
        case CXCursor_UnexposedExpr:
            let kids = c.children.filter { $0.isExpression }
            if kids.count == 1, clang_equalTypes(c.type.canonical, kids[0].type.canonical) != 0 {
                return try lowerLValue(kids[0])
            }
            return try lowerObject(c, forceTemp: true)
        default:
            return try lowerObject(c, forceTemp: true)
        }
    }

    /// An lvalue for `c`, or for a temporary holding its value when it is
    /// an rvalue (a call returning a struct, `(a = b).x`, …).
    func lowerObject(_ c: CXCursor, forceTemp: Bool = false) throws -> LValue {
        if !forceTemp { return try lowerLValue(c) }
        let v = try lowerExpr(c)
        if case .read(let lv) = v { return lv }
        let t = program.typeOf(v, in: fn?.function)
        guard fn != nil else { throw unsupported(c, "non-constant object in a static initializer") }
        let tmp = newTemp(t, c.loc)
        b.emit(.local(tmp, .expr(v), c.loc))
        return .local(tmp)
    }

    /// The lvalue of an array object, nil when `c` names a parameter
    /// written with array type (a pointer).
    func arrayObject(_ c: CXCursor) throws -> LValue? {
        let lv = try lowerObject(c)
        return program.unroll(program.typeOf(lv, in: fn?.function)).isArray ? lv : nil
    }

    /// Re-reads the host pointer of an lvalue into a temporary placed at
    /// `pos` (before later side effects), when it is not already stable.
    func stabilize(_ lv: LValue, at pos: Int, loc: SourceLoc) throws -> LValue {
        guard case .mem(let e) = lv.host, !isStable(e) else { return lv }
        let t = program.typeOf(e, in: b.function)
        let tmp = newTemp(t, loc)
        b.insert(.instr(.assign(.local(tmp), e, loc)), at: pos)
        return LValue(.mem(.read(.local(tmp))), lv.offsets)
    }

    func isPointerOrArrayValue(_ c: CXCursor) -> Bool {
        let k = c.type.canonical.kind
        return k == CXType_Pointer || k == CXType_ConstantArray || k == CXType_IncompleteArray || k == CXType_VariableArray
    }

    /// The array object under an array-to-pointer decay, if `c` is one.
    func decayedArray(_ c: CXCursor) -> CXCursor? {
        var c = c
        while c.kind == CXCursor_ParenExpr, let k = c.children.first { c = k }
        guard c.kind == CXCursor_UnexposedExpr else { return nil }
        let kids = c.children.filter { $0.isExpression }
        guard kids.count == 1, c.type.canonical.kind == CXType_Pointer else { return nil }
        let kk = kids[0].type.canonical.kind
        guard kk == CXType_ConstantArray || kk == CXType_IncompleteArray || kk == CXType_VariableArray else { return nil }
        if isStringLiteral(kids[0]) { return nil }
        if case .vaList? = try? lowerType(kids[0].type, at: kids[0]) { return nil }
        return kids[0]
    }

    /// The (record, field index) hops from record `rid` to the field named
    /// `name`, through anonymous members.
    func fieldPath(_ rid: RecordID, _ name: String) -> [(RecordID, Int)]? {
        guard let fields = program[rid].fields else { return nil }
        for (i, f) in fields.enumerated() where f.name == name { return [(rid, i)] }
        for (i, f) in fields.enumerated() where f.name == nil && f.bitWidth == nil {
            if case .record(let inner) = program.unroll(f.type), let rest = fieldPath(inner, name) {
                return [(rid, i)] + rest
            }
        }
        return nil
    }

    // MARK: Calls

    /// Lowers a call; returns its value (a read of a temporary) when wanted
    /// and not void.
    @discardableResult
    func lowerCall(_ c: CXCursor, wantValue: Bool) throws -> Expr? {
        let kids = c.children
        guard let calleeC = kids.first else { throw unsupported(c, "call shape") }
        let argCs = (0..<max(0, Int(clang_Cursor_getNumArguments(c)))).map { clang_Cursor_getArgument(c, UInt32($0)) }
        let resultType = try lowerType(c.type, at: c)
        let callee: Callee
        var args: [Expr]
        if let (name, decl) = builtinCallee(calleeC) {
            if let v = try foldBuiltin(name, c, argCs) { return v }
            callee = .builtin(name)
            args = try lowerOperands(argCs)
            _ = decl
        } else if let f = functionDesignator(calleeC) {
            callee = .direct(f)
            args = try lowerOperands(argCs)
            if calledWithoutPrototype(calleeC) { unprototypedCallees.insert(f) }
        } else {
            let all = try lowerOperands([calleeC] + argCs)
            callee = .indirect(all[0])
            args = Array(all.dropFirst())
        }
        if resultType.isVoid || !wantValue {
            b.emit(.call(result: nil, callee: callee, args: args, c.loc))
            return resultType.isVoid ? nil : voidValue
        }
        let tmp = newTemp(resultType, c.loc)
        b.emit(.call(result: .local(tmp), callee: callee, args: args, c.loc))
        return .read(.local(tmp))
    }

    /// The callee has no prototype where it is called (`int f();`, or an
    /// implicit declaration): its arguments are promoted only (LINK-3).
    func calledWithoutPrototype(_ c: CXCursor) -> Bool {
        var t = c.type.canonical
        if t.kind == CXType_Pointer { t = t.pointee.canonical }
        return t.kind == CXType_FunctionNoProto
    }

    /// A compiler builtin named as the callee: no declaration in any file.
    func builtinCallee(_ c: CXCursor) -> (String, CXCursor)? {
        var c = c
        while c.kind == CXCursor_ParenExpr || (c.kind == CXCursor_UnexposedExpr && c.children.count == 1) {
            c = c.children[0]
        }
        guard c.kind == CXCursor_DeclRefExpr else { return nil }
        let d = c.referenced
        guard d.kind == CXCursor_FunctionDecl else { return nil }
        let name = d.spelling
        if (name.hasPrefix("__builtin") || name.hasPrefix("__sync") || name.hasPrefix("__atomic") || name.hasPrefix("__c11")) {
            return (name, d)
        }
        return nil
    }

    /// Builtins whose value clang knows, or whose operands must not be evaluated.
    func foldBuiltin(_ name: String, _ c: CXCursor, _ args: [CXCursor]) throws -> Expr? {
        let t = try lowerType(c.type, at: c)
        switch name {
        case "__builtin_constant_p":
            if let v = Eval.int(c) { return .const(.int(v), t) }
            // An operand without side effects: the compiler of the output decides, as it did for the original.
            if let a = args.first, !hasSideEffects(a) { return nil }
            return .const(.int(0), t)
        case "__builtin_classify_type", "__builtin_types_compatible_p", "__builtin_offsetof", "__builtin_LINE":
            if let v = Eval.int(c) { return .const(.int(v), t) }
            return nil
        case "__builtin_apply", "__builtin_apply_args", "__builtin_return", "__builtin_va_arg_pack", "__builtin_va_arg_pack_len":
            // They read the caller's own argument registers and frame, which lowering reshapes.
            throw unsupported(c, "\(name)")
        case "__builtin_expect", "__builtin_expect_with_probability":
            // The value of the first operand; the hint only steers layout.
            return nil
        default:
            return nil
        }
    }
}
