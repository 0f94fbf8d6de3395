// Lowering statements: C's control flow onto the IR's block, if, loop,
// switch, label and goto. Conditions are lowered with their side effects
// emitted first; `while`/`for` become `loop` with `if (!c) break;` at the
// head of the body, `do … while` puts the test in `next`.

import CClang
import IR

extension Lowerer {
    var b: FunctionBuilder { fn! }

    func lowerStmt(_ c: CXCursor) throws {
        let loc = c.loc
        switch c.kind {
        case CXCursor_CompoundStmt:
            let inner = try b.collect { for s in c.children { try lowerStmt(s) } }
            b.emit(.block(inner))
        case CXCursor_NullStmt:
            break
        case CXCursor_DeclStmt:
            for d in c.children { try lowerLocalDecl(d) }
        case CXCursor_ReturnStmt:
            if let e = c.children.first {
                let v = try lowerExpr(e)
                if program.unroll(b.function.type.result).isVoid {
                    // `return f();` in a void function: keep the call, drop the value.
                    b.emit(.return(nil, loc))
                    _ = v
                } else {
                    b.emit(.return(v, loc))
                }
            } else {
                b.emit(.return(nil, loc))
            }
        case CXCursor_IfStmt:
            let kids = c.children
            guard kids.count >= 2 else { throw unsupported(c, "if statement shape") }
            let cond = try lowerCondition(kids[0])
            let thenS = try lowerBranch(kids[1])
            let elseS = kids.count > 2 ? try lowerBranch(kids[2]) : nil
            b.emit(.if(cond, then: thenS, else: elseS, loc))
        case CXCursor_WhileStmt:
            let kids = c.children
            guard kids.count == 2 else { throw unsupported(c, "while statement shape") }
            let body = try b.collect {
                try emitBreakUnless(kids[0])
                try lowerStmt(kids[1])
            }
            b.emit(.loop(body: .block(body), next: nil, loc))
        case CXCursor_DoStmt:
            let kids = c.children
            guard kids.count == 2 else { throw unsupported(c, "do statement shape") }
            let body = try b.collect { try lowerStmt(kids[0]) }
            let next = try b.collect { try emitBreakUnless(kids[1]) }
            b.emit(.loop(body: .block(body), next: .block(next), loc))
        case CXCursor_ForStmt:
            let parts = try forParts(c)
            let whole = try b.collect {
                if let i = parts.initS {
                    if i.kind == CXCursor_DeclStmt { try lowerStmt(i) } else { try lowerDiscarded(i) }
                }
                let body = try b.collect {
                    if let cond = parts.cond { try emitBreakUnless(cond) }
                    try lowerStmt(parts.body)
                }
                let next = try parts.inc.map { inc in try b.collect { try lowerDiscarded(inc) } }
                b.emit(.loop(body: .block(body), next: next.map { .block($0) }, loc))
            }
            b.emit(.block(whole))
        case CXCursor_BreakStmt:
            b.emit(.break(loc))
        case CXCursor_ContinueStmt:
            b.emit(.continue(loc))
        case CXCursor_SwitchStmt:
            let kids = c.children
            guard kids.count == 2 else { throw unsupported(c, "switch statement shape") }
            let e = try lowerExpr(kids[0])
            let body = try b.collect { try lowerStmt(kids[1]) }
            b.emit(.switch(e, body: .block(body), loc))
        case CXCursor_CaseStmt:
            let kids = c.children
            if kids.count == 3 {
                guard let lo = Eval.int(kids[0]), let hi = Eval.int(kids[1]) else { throw unsupported(c, "case range value") }
                b.emit(.label(.caseRange(lo, hi), loc))
                try lowerStmt(kids[2])
            } else if kids.count == 2 {
                guard let v = Eval.int(kids[0]) else { throw unsupported(c, "case value") }
                b.emit(.label(.case(v), loc))
                try lowerStmt(kids[1])
            } else {
                throw unsupported(c, "case statement shape")
            }
        case CXCursor_DefaultStmt:
            b.emit(.label(.default, loc))
            for s in c.children { try lowerStmt(s) }
        case CXCursor_LabelStmt:
            b.emit(.label(.named(c.spelling), loc))
            for s in c.children { try lowerStmt(s) }
        case CXCursor_GotoStmt:
            guard let l = c.children.first(where: { $0.kind == CXCursor_LabelRef }) else { throw unsupported(c, "goto without label") }
            b.emit(.goto(l.spelling, loc))
        case CXCursor_IndirectGotoStmt:
            guard let e = c.children.first else { throw unsupported(c, "computed goto shape") }
            b.emit(.computedGoto(try lowerExpr(e), loc))
        case CXCursor_GCCAsmStmt, CXCursor_AsmStmt:
            try lowerAsm(c)
        default:
            if c.isExpression {
                try lowerDiscarded(c)
            } else {
                throw unsupported(c, "statement \(c.kindName)")
            }
        }
    }

    /// A branch of an if: its own statement list.
    func lowerBranch(_ c: CXCursor) throws -> Stmt {
        let s = try b.collect { try lowerStmt(c) }
        return s.count == 1 ? s[0] : .block(s)
    }

    /// `if (!(cond)) break;` with the condition's side effects first.
    func emitBreakUnless(_ cond: CXCursor) throws {
        if let v = Eval.int(cond), v != 0, !hasSideEffects(cond) { return }
        let e = try lowerCondition(cond)
        b.emit(.if(negate(e), then: .break(cond.loc), else: nil, cond.loc))
    }

    /// A scalar condition as an `int` truth value expression.
    func lowerCondition(_ c: CXCursor) throws -> Expr {
        try lowerExpr(c)
    }

    func negate(_ e: Expr) -> Expr {
        .unary(.logNot, e, .int)
    }

    // MARK: for statements

    struct ForParts { var initS: CXCursor?; var cond: CXCursor?; var inc: CXCursor?; var body: CXCursor }

    /// libclang drops the missing clauses of a `for`; read which child is
    /// which from clang's ForStmt (SubExprs[INIT, CONDVAR, COND, INC, BODY]
    /// follow the 8-byte Stmt header in clang 19), checked against the
    /// children so that a layout change is detected, never trusted blindly.
    func forParts(_ c: CXCursor) throws -> ForParts {
        let kids = c.children
        guard let body = kids.last else { throw unsupported(c, "for statement shape") }
        if kids.count == 4 { return ForParts(initS: kids[0], cond: kids[1], inc: kids[2], body: body) }
        if kids.count == 1 { return ForParts(initS: nil, cond: nil, inc: nil, body: body) }
        guard let stmt = c.stmtPointer else { throw unsupported(c, "for statement shape") }
        let slots = stmt.advanced(by: 8).assumingMemoryBound(to: UnsafeRawPointer?.self)
        let initP = slots[0], condP = slots[2], incP = slots[3], bodyP = slots[4]
        guard bodyP == body.stmtPointer, slots[1] == nil else { throw unsupported(c, "for statement shape (layout check failed)") }
        var parts = ForParts(initS: nil, cond: nil, inc: nil, body: body)
        for k in kids.dropLast() {
            let p = k.stmtPointer
            if p != nil && p == initP { parts.initS = k } else if p != nil && p == condP { parts.cond = k } else if p != nil && p == incP { parts.inc = k } else {
                throw unsupported(c, "for statement shape (layout check failed)")
            }
        }
        return parts
    }

    // MARK: Local declarations

    func lowerLocalDecl(_ d: CXCursor) throws {
        switch d.kind {
        case CXCursor_VarDecl:
            let storage = clang_Cursor_getStorageClass(d)
            if storage == CX_SC_Static || storage == CX_SC_Extern {
                _ = try globalID(d, declare: true)
                return
            }
            let loc = d.loc
            let kids = d.children
            let t = d.type
            // VLA dimensions: the size expressions are the expression children before the initializer.
            var vlaSizes: [Expr] = []
            var initCursor: CXCursor? = nil
            if containsVLA(t) {
                let initC = clang_Cursor_getVarDeclInitializer(d)
                let exprs = kids.filter { $0.isExpression && (initC.isNull || clang_equalCursors($0, initC) == 0) }
                for e in exprs {
                    let v = try lowerExpr(e)
                    let tmp = b.addLocal(name: "__vla_n", type: program.typeOf(v, in: b.function), isTemp: true, loc: loc)
                    b.emit(.local(tmp, .expr(v), loc))
                    vlaSizes.append(.read(.local(tmp)))
                }
            }
            let ic = clang_Cursor_getVarDeclInitializer(d)
            if !ic.isNull { initCursor = ic }
            pendingVLASizes = vlaSizes
            let lt = try lowerType(t, at: d)
            pendingVLASizes = []
            let id = b.addLocal(name: d.spelling, type: lt, isRegister: storage == CX_SC_Register, attributes: attributes(of: d), loc: loc)
            b.localIDs[DeclKey(d)] = id
            if let ic = initCursor {
                try lowerLocalInit(id, ic, type: lt, loc: loc)
            } else {
                b.emit(.local(id, nil, loc))
            }
        case CXCursor_StructDecl, CXCursor_UnionDecl:
            _ = try recordID(forDecl: d)
        case CXCursor_EnumDecl:
            _ = try enumID(forDecl: d)
        case CXCursor_TypedefDecl:
            // Block-scope typedefs are used through what they name; a VLA typedef's sizes are evaluated here.
            let under = clang_getTypedefDeclUnderlyingType(d)
            if containsVLA(under) {
                var sizes: [Expr] = []
                for e in d.children where e.isExpression {
                    let v = try lowerExpr(e)
                    let tmp = b.addLocal(name: "__vla_n", type: program.typeOf(v, in: b.function), isTemp: true, loc: d.loc)
                    b.emit(.local(tmp, .expr(v), d.loc))
                    sizes.append(.read(.local(tmp)))
                }
                vlaTypedefSizes[DeclKey(d)] = sizes
            }
        case CXCursor_FunctionDecl:
            if clang_isCursorDefinition(d) != 0 { throw unsupported(d, "nested function definition") }
            _ = try functionID(d)
        case CXCursor_StaticAssert:
            break
        case CXCursor_UnexposedDecl:
            // `__label__ l;` (GNU local labels): label names are already function-wide here.
            let toks = unit.tokens(clang_getCursorExtent(d))
            guard toks.first == "__label__" else { throw unsupported(d, "local declaration '\(toks.prefix(4).joined(separator: " "))'") }
        default:
            if d.isAttribute { break }
            throw unsupported(d, "local declaration \(d.kindName)")
        }
    }

    func containsVLA(_ t: CXType) -> Bool {
        var t = t.canonical
        while true {
            switch t.kind {
            case CXType_VariableArray: return true
            case CXType_ConstantArray, CXType_IncompleteArray: t = clang_getArrayElementType(t).canonical
            case CXType_Pointer: t = t.pointee.canonical
            default: return false
            }
        }
    }

    /// `T x = init;`: scalar initializers with side effects are computed
    /// first; aggregate ones are resolved to a pure `Initializer`.
    func lowerLocalInit(_ id: LocalID, _ ic: CXCursor, type: CType, loc: SourceLoc) throws {
        if ic.kind == CXCursor_InitListExpr || isStringLiteral(ic) && program.unroll(type).isArray {
            let ini = try lowerInitializer(ic, type: type)
            b.emit(.local(id, ini, loc))
            return
        }
        let v = try lowerExpr(ic)
        b.emit(.local(id, .expr(v), loc))
    }

    // MARK: Inline assembly

    /// GCC asm from its tokens: template, operands, clobbers, labels. The
    /// operand expressions are the cursor's children (outputs, then inputs).
    func lowerAsm(_ c: CXCursor) throws {
        let keywords = ["asm", "__asm__", "__asm"]
        let qualifiers = ["volatile", "__volatile__", "__volatile", "goto", "inline", "__inline__"]
        var toks = unit.expansionTokens(c)
        var throughMacro = false
        if !(toks.first.map(keywords.contains) ?? false) {
            throughMacro = true
            let line = unit.spelledLine(c)
            if let spelled = unit.spelledStatement(c), spelled.first.map(keywords.contains) == true {
                // Written through a macro (`SWAP32(x, p)` from a header): the
                // statement is spelled whole in the macro's body.
                toks = spelled
            } else if line.first.map(keywords.contains) == true, line.allSatisfy({ keywords.contains($0) || qualifiers.contains($0) }),
                      toks.count > 1, toks[1] == "(" || qualifiers.contains(toks[1]) {
                // `ASM("nop")` with `#define ASM __asm__ __volatile__`: the
                // macro's body is the keywords, the rest is written here.
                toks = line + toks.dropFirst()
            } else {
                throw unsupported(c, "inline assembly written through a macro that does not spell the whole `asm` statement in its body; write the statement, from `asm` to its closing `)`, in one macro or in the function")
            }
        }
        var i = 1
        var isVolatile = false
        while i < toks.count, ["volatile", "__volatile__", "__volatile", "goto", "inline", "__inline__"].contains(toks[i]) {
            if toks[i].contains("volatile") { isVolatile = true }
            i += 1
        }
        guard i < toks.count, toks[i] == "(" else { throw unsupported(c, "inline assembly shape") }
        i += 1
        var template: [UInt32] = []
        while i < toks.count, toks[i].hasPrefix("\"") { template += decodeStringToken(toks[i]); i += 1 }
        // Sections separated by ':' at depth 0.
        var sections: [[String]] = []
        var cur: [String] = []
        var depth = 0
        while i < toks.count {
            let t = toks[i]
            if t == "(" { depth += 1 }
            if t == ")" { if depth == 0 { break }; depth -= 1 }
            if t == ":" && depth == 0 { sections.append(cur); cur = []; i += 1; continue }
            if t == "::" && depth == 0 { sections.append(cur); sections.append([]); cur = []; i += 1; continue }
            cur.append(t); i += 1
        }
        if !sections.isEmpty || !cur.isEmpty { sections.append(cur) }
        // sections[0] is what follows the template before the first ':' (empty).
        let outSpecs = sections.count > 1 ? operandSpecs(sections[1]) : []
        let inSpecs = sections.count > 2 ? operandSpecs(sections[2]) : []
        let clobbers = sections.count > 3 ? splitTop(sections[3]).map { decodeStringToken($0.joined()).map { String(UnicodeScalar(UInt8(truncatingIfNeeded: $0))) }.joined() } : []
        let labels = sections.count > 4 ? splitTop(sections[4]).map { $0.joined() } : []
        let exprs = c.children.filter { $0.isExpression }
        guard exprs.count == outSpecs.count + inSpecs.count else { throw unsupported(c, "inline assembly operands") }
        if throughMacro, !Self.literalAsm(toks, template: template, specs: outSpecs + inSpecs) {
            throw unsupported(c, "inline assembly whose template, constraints or clobbers a macro builds (from its arguments, `#` or `##`); write them as string literals in the macro's body")
        }
        var outputs: [InlineAsm.Operand] = []
        var inputs: [InlineAsm.Operand] = []
        for (k, spec) in outSpecs.enumerated() {
            let lv = try lowerLValue(exprs[k])
            outputs.append(.init(name: spec.name, constraint: spec.constraint, value: .addrOf(lv), lvalue: lv))
        }
        for (k, spec) in inSpecs.enumerated() {
            let e = exprs[outSpecs.count + k]
            // Memory operands name an object, not a value.
            if spec.constraint.contains("m") || spec.constraint.contains("o") || spec.constraint.contains("V") {
                let lv = try lowerLValue(e)
                inputs.append(.init(name: spec.name, constraint: spec.constraint, value: .addrOf(lv), lvalue: lv))
            } else {
                inputs.append(.init(name: spec.name, constraint: spec.constraint, value: try lowerExpr(e), lvalue: nil))
            }
        }
        let text = String(decoding: template.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        b.emit(.asm(InlineAsm(template: text, outputs: outputs, inputs: inputs, clobbers: clobbers, labels: labels,
                              isVolatile: isVolatile || outputs.isEmpty), c.loc))
    }

    /// An asm statement spelled in a macro's body is taken from that text
    /// only when the text is what the compiler saw: no `#`/`##`, the
    /// template and every constraint and clobber string literals (not
    /// macro parameters), the template followed by `:` or `)`.
    static func literalAsm(_ toks: [String], template: [UInt32], specs: [(name: String?, constraint: String)]) -> Bool {
        guard !toks.contains("#"), !toks.contains("##"), let open = toks.firstIndex(of: "(") else { return false }
        var i = open + 1
        var strings = 0
        while i < toks.count, toks[i].hasPrefix("\"") { i += 1; strings += 1 }
        guard strings > 0, i < toks.count, [":", "::", ")"].contains(toks[i]) else { return false }
        if specs.contains(where: { $0.constraint.isEmpty }) { return false }
        // Clobbers (the fourth section): string literals and commas only.
        var depth = 0, colons = 0
        for t in toks[i...] {
            if t == "(" { depth += 1 }
            if t == ")" { if depth == 0 { break }; depth -= 1 }
            if depth == 0 && t == ":" { colons += 1; continue }
            if depth == 0 && t == "::" { colons += 2; continue }
            if colons == 3 && depth == 0 && t != "," && !t.hasPrefix("\"") { return false }
        }
        return true
    }

    private func splitTop(_ toks: [String]) -> [[String]] {
        var out: [[String]] = []
        var cur: [String] = []
        var depth = 0
        for t in toks {
            if t == "(" || t == "[" { depth += 1 }
            if t == ")" || t == "]" { depth -= 1 }
            if t == "," && depth == 0 { out.append(cur); cur = []; continue }
            cur.append(t)
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    private func operandSpecs(_ toks: [String]) -> [(name: String?, constraint: String)] {
        splitTop(toks).map { op in
            var name: String? = nil
            var rest = op[...]
            if rest.first == "[", rest.count >= 3 { name = rest[rest.startIndex + 1]; rest = rest.dropFirst(3) }
            let strs = rest.prefix { $0.hasPrefix("\"") }
            let constraint = strs.map { decodeStringToken($0).map { String(UnicodeScalar(UInt8(truncatingIfNeeded: $0))) }.joined() }.joined()
            return (name, constraint)
        }
    }
}

extension CType {
    var isArray: Bool {
        switch self {
        case .array, .vla: return true
        default: return false
        }
    }
}
