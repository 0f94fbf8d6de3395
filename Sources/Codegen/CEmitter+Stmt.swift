// Statements and instructions.
//
// `loop(body, next)` becomes `for (;;) { { body } __graft_cont_N:; next }`:
// a `continue` of `body` jumps to the label so that `next` runs; without
// `next`, C's own `continue` is right. `break` is always C's `break`.

import Checker
import IR
import Instrument

extension Emitter {
    func stmt(_ s: Stmt, _ ind: Int) {
        switch s {
        case .instr(let i):
            lineDirective(i.loc)
            line(instr(i), ind)
        case .block(let ss):
            line("{", ind)
            for x in ss { stmt(x, ind + 1) }
            line("}", ind)
        case .local(let id, let i, let loc):
            lineDirective(loc)
            guard let f = fn, id.index >= 0, id.index < f.locals.count else { return }
            let l = f.locals[id.index]
            if l.isParam || f.params.contains(id) {
                // A parameter is declared by the header; keep the initialization.
                if let i { line(localName(id) + " = " + initializer(i, l.type) + ";", ind) }
            } else {
                line(localDeclaration(l, i, hoisted: false), ind)
            }
        case .if(let c, let t, let e, let loc):
            lineDirective(loc)
            line("if (" + expr(c) + ") {", ind)
            blockBody(t, ind + 1)
            if let e {
                line("} else {", ind)
                blockBody(e, ind + 1)
            }
            line("}", ind)
        case .loop(let body, let next, let loc):
            lineDirective(loc)
            line("for (;;) {", ind)
            if let next {
                var label: String?
                if containsContinue(body) {
                    label = "__graft_cont_\(contCounter)"
                    contCounter += 1
                }
                loopStack.append(label)
                stmtAsBlock(body, ind + 1)
                loopStack.removeLast()
                if let label { line(label + ":;", ind) }
                loopStack.append(nil)
                stmtAsBlock(next, ind + 1)
                loopStack.removeLast()
            } else {
                loopStack.append(nil)
                blockBody(body, ind + 1)
                loopStack.removeLast()
            }
            line("}", ind)
        case .break(let loc):
            lineDirective(loc)
            line("break;", ind)
        case .continue(let loc):
            lineDirective(loc)
            if let l = loopStack.last, let l { line("goto \(l);", ind) } else { line("continue;", ind) }
        case .switch(let e, let body, let loc):
            lineDirective(loc)
            line("switch (" + expr(e) + ") {", ind)
            let t = typeOfExpr(e)
            let saved = switchTypes
            switchTypes.append(t)
            blockBody(body, ind + 1)
            switchTypes = saved
            line("}", ind)
        case .label(let l, let loc):
            lineDirective(loc)
            let k = switchTypes.last.map { caseKind($0) } ?? .long
            switch l {
            case .named(let n): line(n + ":;", max(ind - 1, 0))
            case .case(let v): line("case " + intLiteral(v, k) + ":;", max(ind - 1, 0))
            case .caseRange(let a, let b): line("case " + intLiteral(a, k) + " ... " + intLiteral(b, k) + ":;", max(ind - 1, 0))
            case .default: line("default:;", max(ind - 1, 0))
            }
        case .goto(let l, let loc):
            lineDirective(loc)
            line("goto \(l);", ind)
        case .computedGoto(let e, let loc):
            lineDirective(loc)
            line("goto *" + expr(e) + ";", ind)
        case .return(let e, let loc):
            lineDirective(loc)
            line(e.map { "return " + expr($0) + ";" } ?? "return;", ind)
        }
    }

    /// The integer kind case labels are written in (the switch's promoted type).
    func caseKind(_ t: CType) -> IntKind {
        if case .int(let k) = p.valueType(t) { return k.rank < IntKind.int.rank ? .int : k }
        return .long
    }

    /// The statements of `s` inside braces the caller writes.
    func blockBody(_ s: Stmt, _ ind: Int) {
        if case .block(let ss) = s {
            for x in ss { stmt(x, ind) }
        } else {
            stmt(s, ind)
        }
    }

    /// `s` as one braced statement (its locals' scope ends at the brace).
    func stmtAsBlock(_ s: Stmt, _ ind: Int) {
        if case .block = s { stmt(s, ind) } else { line("{", ind); stmt(s, ind + 1); line("}", ind) }
    }

    /// Whether a `continue` in `s` belongs to the loop around `s`.
    func containsContinue(_ s: Stmt) -> Bool {
        switch s {
        case .continue: return true
        case .block(let ss): return ss.contains(where: containsContinue)
        case .if(_, let t, let e, _): return containsContinue(t) || (e.map(containsContinue) ?? false)
        case .switch(_, let b, _): return containsContinue(b)
        case .loop, .instr, .local, .break, .label, .goto, .computedGoto, .return: return false
        }
    }

    // MARK: Instructions

    func instr(_ i: Instr) -> String {
        switch i {
        case .assign(let lv, let e, _):
            if hasConstMember(typeOfLValue(lv)) { return copyInto(lv, expr(e)) }
            return lvalue(lv) + " = " + expr(e) + ";"
        case .call(let result, let callee, let args, _):
            let f: String
            switch callee {
            case .direct(let id): f = functionName(id)
            case .indirect(let e): f = expr(e)
            case .builtin(let name): f = name
            }
            let call = f + "(" + args.map(expr).joined(separator: ", ") + ")"
            if let result {
                if hasConstMember(typeOfLValue(result)) { return copyInto(result, call) }
                return lvalue(result) + " = " + call + ";"
            }
            return call + ";"
        case .vaArg(let result, let list, _):
            var t = p.unroll(typeOfLValue(result))
            if case .atomic(let inner) = t { t = p.unroll(inner) }
            return lvalue(result) + " = __builtin_va_arg(" + expr(list) + ", " + typeName(t) + ");"
        case .asm(let a, _):
            return inlineAsm(a)
        case .note(let t, let e, _):
            // REP-3: graft_note for each wrapped record in the object, once its type is pending.
            return notes(expr(e), t).joined(separator: " ")
        }
    }

    /// C forbids assigning a struct with a const member; the IR's
    /// assignment is a copy of the bytes, which is what this does.
    func copyInto(_ lv: LValue, _ value: String) -> String {
        let t = typeName(p.unroll(typeOfLValue(lv)))
        return "{ \(t) __graft_v = \(value); __builtin_memcpy(&\(lvalue(lv)), &__graft_v, sizeof(\(t))); }"
    }

    func hasConstMember(_ t: CType) -> Bool {
        guard case .record(let id) = p.unroll(t), id.index >= 0, id.index < p.records.count else { return false }
        return (p.records[id.index].fields ?? []).contains { f in
            p.qualifiers(f.type).contains(.const) || hasConstMember(f.type)
                || { if case .array(let e, _) = p.unroll(f.type) { return p.qualifiers(e).contains(.const) || hasConstMember(e) }; return false }()
        }
    }

    func inlineAsm(_ a: InlineAsm) -> String {
        let tmpl = cString(Array(a.template.utf8))
        let noOperands = a.outputs.isEmpty && a.inputs.isEmpty && a.clobbers.isEmpty && a.labels.isEmpty
        var kw = "__asm__"
        if a.isVolatile { kw += " __volatile__" }
        // Basic asm (no operands) does not treat `%` specially; an extended
        // asm without operands is recognizable by its `%%`.
        if noOperands && !a.template.contains("%%") { return kw + "(" + tmpl + ");" }
        if !a.labels.isEmpty { kw += " goto" }
        func operand(_ o: InlineAsm.Operand, output: Bool) -> String {
            var s = o.name.map { "[\($0)] " } ?? ""
            s += cString(Array(o.constraint.utf8))
            if output {
                s += " (" + (o.lvalue.map(lvalue) ?? "(*" + expr(o.value) + ")") + ")"
            } else {
                s += " (" + expr(o.value) + ")"
            }
            return s
        }
        var s = kw + "(" + tmpl
        s += " : " + a.outputs.map { operand($0, output: true) }.joined(separator: ", ")
        s += " : " + a.inputs.map { operand($0, output: false) }.joined(separator: ", ")
        s += " : " + a.clobbers.map { cString(Array($0.utf8)) }.joined(separator: ", ")
        if !a.labels.isEmpty { s += " : " + a.labels.joined(separator: ", ") }
        return s + ");"
    }
}
