// The IR verifier: one accepting program, and for every rule of
// Specs/ir.md a program that breaks it, expecting a diagnostic that names
// the rule and points at the offending statement or declaration.

import Foundation
import Testing
@testable import Checker
@testable import IR

private let here = SourceLoc(file: "bad.c", line: 99, column: 7)

private func rd(_ i: Int) -> Expr { .read(.local(LocalID(i))) }
private func int(_ v: Int64) -> Expr { .const(.int(v), .int) }
// Locals of the sample's `main_1`: n int (param), i int, s struct point, arr int[vla n],
// tmp int, q int*, pp struct point*, ap va_list, c enum color, v float<4>.
private let n = 0, i = 1, s = 2, arr = 3, tmp = 4, q = 5, pp = 6, ap = 7

/// The sample with `stmt` appended to the body of `main_1`.
private func withStmt(_ stmt: Stmt) -> Program {
    var p = IRFixtures.sample()
    guard case .block(var ss) = p.functions[3].body else { fatalError("sample body") }
    ss.insert(stmt, at: ss.count - 2)
    p.functions[3].body = .block(ss)
    return p
}

private func assign(_ lv: LValue, _ e: Expr) -> Stmt { .instr(.assign(lv, e, here)) }

/// The diagnostics for `rule`, after checking that there are some and that
/// every diagnostic names a rule.
@discardableResult
private func expectRule(_ rule: String, in p: Program, at loc: SourceLoc? = here,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
    let ds = Verifier.verify(p)
    let hits = ds.filter { $0.rule == rule }
    #expect(!hits.isEmpty, "expected \(rule), got \(ds.map(\.description))", sourceLocation: sourceLocation)
    if let loc { #expect(hits.contains { $0.loc == loc }, "\(rule) not at \(loc): \(hits.map(\.description))", sourceLocation: sourceLocation) }
    #expect(ds.allSatisfy { $0.rule?.hasPrefix("IR-") == true }, sourceLocation: sourceLocation)
    return hits
}

@Suite struct VerifierTests {
    @Test func acceptsSample() {
        let ds = Verifier.verify(IRFixtures.sample())
        #expect(ds.isEmpty, "\(ds.map(\.description))")
        #expect(Verifier.verify(Program()).isEmpty)
    }

    @Test func reportsEveryViolation() {
        var p = withStmt(.block([.break(here), assign(.local(LocalID(tmp)), rd(q)), .goto("nowhere", here)]))
        p.globals[1].name = "add"
        let rules = Set(Verifier.verify(p).compactMap(\.rule))
        #expect(rules.isSuperset(of: ["IR-4", "IR-25", "IR-31"]))
        #expect(Verifier.verify(p).allSatisfy { $0.severity == .error })
    }

    @Test func survivesGarbage() {
        // Out-of-range ids everywhere: diagnostics, no crash.
        let ds = Verifier.verify(IRFixtures.odd())
        #expect(ds.contains { $0.rule == "IR-2" })
    }

    @Test("IR-1 table ids") func ir1() {
        var p = IRFixtures.sample()
        p.records[0].id = RecordID(1)
        expectRule("IR-1", in: p, at: p.records[0].loc)
        p = IRFixtures.sample()
        p.functions[3].locals[1].id = LocalID(7)
        expectRule("IR-1", in: p, at: p.functions[3].locals[1].loc)
    }

    @Test("IR-2 references resolve") func ir2() {
        expectRule("IR-2", in: withStmt(assign(.local(LocalID(99)), int(0))))
        expectRule("IR-2", in: withStmt(assign(.local(LocalID(tmp)), .read(.global(GlobalID(50))))))
        expectRule("IR-2", in: withStmt(.instr(.call(result: nil, callee: .direct(FuncID(9)), args: [], here))))
        var p = IRFixtures.sample()
        p.globals[6].initializer = .expr(.cast(.typedef(TypedefID(0)), rd(0)))  // a local in a global
        expectRule("IR-2", in: p, at: p.globals[6].loc)
        p = IRFixtures.sample()
        p.globals[3].type = .array(.record(RecordID(12)), length: 3)
        expectRule("IR-2", in: p, at: p.globals[3].loc)
    }

    @Test("IR-3 order") func ir3() {
        var p = IRFixtures.sample()
        p.order.append(.global(GlobalID(0)))
        expectRule("IR-3", in: p, at: nil)
        p.order.append(.function(FuncID(42)))
        #expect(Verifier.verify(p).filter { $0.rule == "IR-3" }.count == 2)
    }

    @Test("IR-4 emitted names unique") func ir4() {
        var p = IRFixtures.sample()
        p.globals[1].name = "add"
        expectRule("IR-4", in: p, at: p.functions[0].loc)
    }

    @Test("IR-5 type names unique") func ir5() {
        var p = IRFixtures.sample()
        p.enums[0].tag = "point"
        expectRule("IR-5", in: p, at: p.enums[0].loc)
        p = IRFixtures.sample()
        p.typedefs.append(Typedef(id: TypedefID(1), name: "size_t", type: .uint, identity: "x", loc: here))
        expectRule("IR-5", in: p)
    }

    @Test("IR-6 local names unique") func ir6() {
        var p = IRFixtures.sample()
        p.functions[3].locals[i].name = "n"
        expectRule("IR-6", in: p, at: p.functions[3].locals[i].loc)
    }

    @Test("IR-7 parameters") func ir7() {
        var p = IRFixtures.sample()
        p.functions[3].locals[i].isParam = true
        expectRule("IR-7", in: p, at: p.functions[3].loc)
        p = IRFixtures.sample()
        p.functions[0].locals[1].type = .long
        expectRule("IR-7", in: p, at: p.functions[0].locals[1].loc)
        p = IRFixtures.sample()
        p.functions[0].type.params = [.int]
        expectRule("IR-7", in: p, at: p.functions[0].loc)
    }

    @Test("IR-8 declaration statements") func ir8() {
        expectRule("IR-8", in: withStmt(.local(LocalID(i), nil, here)))
        expectRule("IR-8", in: withStmt(.local(LocalID(n), nil, here)))
    }

    @Test("IR-9 typedefs well-founded") func ir9() {
        var p = IRFixtures.sample()
        p.typedefs[0].type = .pointer(.qualified(.typedef(TypedefID(0)), .const))
        expectRule("IR-9", in: p, at: p.typedefs[0].loc)
    }

    @Test("IR-10 types well formed") func ir10() {
        var p = IRFixtures.sample()
        p.globals[3].type = .array(.void, length: 3)
        expectRule("IR-10", in: p, at: p.globals[3].loc)
        p = IRFixtures.sample()
        p.functions[2].type.result = .array(.int, length: 2)
        expectRule("IR-10", in: p, at: p.functions[2].loc)
        p = IRFixtures.sample()
        p.functions[3].locals[3].type = .vla(.int, length: .addrOf(.local(LocalID(n))))
        expectRule("IR-10", in: p, at: p.functions[3].locals[3].loc)
    }

    @Test("IR-11 record layout") func ir11() {
        var p = IRFixtures.sample()
        p.records[0].size = 8
        expectRule("IR-11", in: p, at: p.records[0].loc)
        p = IRFixtures.sample()
        p.records[0].fields![2].bitWidth = 40
        expectRule("IR-11", in: p, at: p.records[0].loc)
        p = IRFixtures.sample()
        p.records[0].align = 3
        expectRule("IR-11", in: p, at: p.records[0].loc)
    }

    @Test("IR-12 enumerators") func ir12() {
        var p = IRFixtures.sample()
        p.enums[0].values.removeLast()
        expectRule("IR-12", in: p, at: p.enums[0].loc)
    }

    @Test("IR-13 constants") func ir13() {
        expectRule("IR-13", in: withStmt(assign(.local(LocalID(tmp)), .const(.float(1, spelling: nil), .int))))
        var p = IRFixtures.sample()
        p.globals[5].initializer = .expr(.const(.string([1, 2], width: 2), .array(.int, length: 3)))
        expectRule("IR-13", in: p, at: p.globals[5].loc)
    }

    @Test("IR-14 lvalue paths") func ir14() {
        expectRule("IR-14", in: withStmt(assign(.mem(rd(tmp)), int(1))))
        expectRule("IR-14", in: withStmt(assign(LValue(.local(LocalID(tmp)), [.field(RecordID(0), index: 0)]), int(1))))
        expectRule("IR-14", in: withStmt(assign(LValue(.local(LocalID(s)), [.field(RecordID(0), index: 7)]), int(1))))
        expectRule("IR-14", in: withStmt(assign(LValue(.local(LocalID(s)), [.index(int(0))]), int(1))))
        expectRule("IR-14", in: withStmt(assign(LValue(.local(LocalID(arr)), [.index(rd(q))]), int(1))))
    }

    @Test("IR-15 address and decay") func ir15() {
        expectRule("IR-15", in: withStmt(assign(.local(LocalID(q)), .startOf(.local(LocalID(tmp))))))
        expectRule("IR-15", in: withStmt(assign(.local(LocalID(q)),
                                                .addrOf(LValue(.local(LocalID(s)), [.field(RecordID(0), index: 2)])))))
    }

    @Test("IR-16 unary operators") func ir16() {
        expectRule("IR-16", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, .unary(.neg, rd(i), .long)))))
        expectRule("IR-16", in: withStmt(assign(.local(LocalID(tmp)), .unary(.logNot, rd(s), .int))))
        expectRule("IR-16", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, .unary(.bitNot, .const(.float(1, spelling: nil), .double), .double)))))
    }

    @Test("IR-17 arithmetic operators") func ir17() {
        expectRule("IR-17", in: withStmt(assign(.local(LocalID(tmp)), .binary(.add, rd(i), .const(.int(1), .long), .int))))
        expectRule("IR-17", in: withStmt(assign(.local(LocalID(tmp)), .binary(.bitAnd, .cast(.double, rd(i)),
                                                                                .cast(.double, rd(i)), .int))))
        expectRule("IR-17", in: withStmt(assign(.local(LocalID(tmp)), .binary(.mul, rd(q), rd(i), .int))))
    }

    @Test("IR-18 shifts") func ir18() {
        expectRule("IR-18", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, .binary(.shl, rd(i), int(2), .long)))))
        expectRule("IR-18", in: withStmt(assign(.local(LocalID(tmp)), .binary(.shr, rd(i), .cast(.double, rd(i)), .int))))
    }

    @Test("IR-19 comparisons") func ir19() {
        expectRule("IR-19", in: withStmt(assign(.local(LocalID(tmp)), .binary(.lt, rd(i), .const(.int(1), .long), .int))))
        expectRule("IR-19", in: withStmt(assign(.local(LocalID(tmp)), .binary(.eq, rd(q), .cast(.voidPtr, rd(q)), .int))))
        expectRule("IR-19", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, .binary(.ne, rd(i), rd(i), .long)))))
        expectRule("IR-19", in: withStmt(assign(.local(LocalID(tmp)), .binary(.logAnd, rd(s), rd(i), .int))))
    }

    @Test("IR-20 pointer arithmetic") func ir20() {
        expectRule("IR-20", in: withStmt(assign(.local(LocalID(q)), .binary(.ptrAdd, rd(q), rd(i), .pointer(.char)))))
        expectRule("IR-20", in: withStmt(assign(.local(LocalID(q)), .binary(.ptrAdd, rd(i), rd(q), .pointer(.int)))))
        expectRule("IR-20", in: withStmt(assign(.local(LocalID(tmp)), .binary(.ptrDiff, rd(q), rd(q), .int))))
        expectRule("IR-20", in: withStmt(assign(.local(LocalID(tmp)),
                                                .cast(.int, .binary(.ptrDiff, rd(q), .cast(.pointer(.char), rd(q)), .long)))))
    }

    @Test("IR-21 conditional expression") func ir21() {
        expectRule("IR-21", in: withStmt(assign(.local(LocalID(tmp)), .cond(rd(s), int(1), int(2), .int))))
        expectRule("IR-21", in: withStmt(assign(.local(LocalID(tmp)), .cond(rd(i), rd(q), int(2), .int))))
    }

    @Test("IR-22 casts") func ir22() {
        expectRule("IR-22", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, .cast(.double, rd(q))))))
        expectRule("IR-22", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, rd(s)))))
        let str = Expr.const(.string([104, 105], width: 1), .array(.char, length: 3))
        expectRule("IR-22", in: withStmt(assign(.local(LocalID(q)), .cast(.pointer(.int), str))))
        // A string constant decays by a cast (it is no lvalue for `startof`).
        let call = Stmt.instr(.call(result: nil, callee: .direct(FuncID(1)), args: [.cast(.pointer(.char), str)], here))
        #expect(Verifier.verify(withStmt(call)).isEmpty)
    }

    @Test("IR-23 sizeof and alignof") func ir23() {
        expectRule("IR-23", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, .sizeOf(.record(RecordID(0)), value: 8)))))
        expectRule("IR-23", in: withStmt(assign(.local(LocalID(tmp)), .cast(.int, .alignOf(.int, value: 3)))))
    }

    @Test("IR-24 initializer shape") func ir24() {
        var p = IRFixtures.sample()
        let pointT = CType.record(RecordID(0))
        p.globals[0].initializer = .compound(pointT, [InitEntry(.field(index: 9), .expr(int(1)))])
        expectRule("IR-24", in: p, at: p.globals[0].loc)
        p = IRFixtures.sample()
        p.globals[2].initializer = .compound(.array(.double, length: 8), [InitEntry(.range(6, 8), .expr(.const(.float(0, spelling: nil), .double)))])
        expectRule("IR-24", in: p, at: p.globals[2].loc)
        p = IRFixtures.sample()
        p.globals[6].initializer = .expr(int(3))
        expectRule("IR-24", in: p, at: p.globals[6].loc)
        expectRule("IR-24", in: withStmt(.local(LocalID(8), .compound(.int, []), here)))
    }

    @Test("IR-25 assignment") func ir25() {
        expectRule("IR-25", in: withStmt(assign(.local(LocalID(tmp)), rd(q))))
        expectRule("IR-25", in: withStmt(assign(.local(LocalID(q)), .cast(.voidPtr, rd(q)))))
        expectRule("IR-25", in: withStmt(assign(.local(LocalID(arr)), rd(arr))))
    }

    @Test("IR-26 calls") func ir26() {
        expectRule("IR-26", in: withStmt(.instr(.call(result: .local(LocalID(tmp)), callee: .direct(FuncID(0)), args: [rd(i)], here))))
        expectRule("IR-26", in: withStmt(.instr(.call(result: .local(LocalID(tmp)), callee: .direct(FuncID(0)), args: [rd(i), rd(q)], here))))
        expectRule("IR-26", in: withStmt(.instr(.call(result: .local(LocalID(q)), callee: .direct(FuncID(0)), args: [rd(i), rd(i)], here))))
        expectRule("IR-26", in: withStmt(.instr(.call(result: nil, callee: .indirect(rd(q)), args: [], here))))
        expectRule("IR-26", in: withStmt(.instr(.call(result: nil, callee: .direct(FuncID(1)), args: [], here))))
    }

    @Test("IR-27 va_arg") func ir27() {
        expectRule("IR-27", in: withStmt(.instr(.vaArg(result: .local(LocalID(tmp)), list: rd(i), here))))
    }

    @Test("IR-28 inline assembly") func ir28() {
        let bad = InlineAsm.Operand(name: nil, constraint: "r", value: rd(i), lvalue: nil)
        expectRule("IR-28", in: withStmt(.instr(.asm(InlineAsm(template: "", outputs: [bad], inputs: [], clobbers: [], labels: [],
                                                              isVolatile: true), here))))
    }

    @Test("IR-29 conditions") func ir29() {
        expectRule("IR-29", in: withStmt(.if(rd(s), then: .block([]), else: nil, here)))
        expectRule("IR-29", in: withStmt(.computedGoto(rd(i), here)))
    }

    @Test("IR-30 switch") func ir30() {
        expectRule("IR-30", in: withStmt(.switch(.cast(.double, rd(i)), body: .block([]), here)))
        let dup = Stmt.switch(rd(i), body: .block([.label(.case(1), here), .label(.caseRange(0, 2), here)]), here)
        expectRule("IR-30", in: withStmt(dup))
        let twoDefaults = Stmt.switch(rd(i), body: .block([.label(.default, here), .label(.default, here)]), here)
        expectRule("IR-30", in: withStmt(twoDefaults))
    }

    @Test("IR-31 labels and goto") func ir31() {
        expectRule("IR-31", in: withStmt(.goto("nowhere", here)))
        // The second definition is reported: the sample's own `out:` after the inserted one.
        expectRule("IR-31", in: withStmt(.label(.named("out"), here)), at: SourceLoc(file: "a.c", line: 72, column: 1))
        expectRule("IR-31", in: withStmt(assign(.local(LocalID(q)), .cast(.pointer(.int), .labelAddr("elsewhere")))))
    }

    @Test("IR-32 case labels inside a switch") func ir32() {
        expectRule("IR-32", in: withStmt(.label(.case(3), here)))
        expectRule("IR-32", in: withStmt(.loop(body: .label(.default, here), next: nil, here)))
        // Inside a loop inside a switch is fine (Duff's device).
        let duff = Stmt.switch(rd(i), body: .loop(body: .block([.label(.case(0), here), .break(here)]), next: nil, here), here)
        #expect(Verifier.verify(withStmt(duff)).isEmpty)
    }

    @Test("IR-33 break and continue") func ir33() {
        expectRule("IR-33", in: withStmt(.break(here)))
        expectRule("IR-33", in: withStmt(.switch(rd(i), body: .continue(here), here)))
    }

    @Test("IR-34 return") func ir34() {
        expectRule("IR-34", in: withStmt(.return(rd(q), here)))
        var p = IRFixtures.sample()
        p.functions[0].type.result = .void
        expectRule("IR-34", in: p, at: SourceLoc(file: "a.c", line: 20, column: 24))
    }

    @Test("IR-35 global variables") func ir35() {
        var p = IRFixtures.sample()
        p.globals[3].type = .void
        expectRule("IR-35", in: p, at: p.globals[3].loc)
        p.globals[3].type = .function(FunctionType(result: .int, params: []))
        expectRule("IR-35", in: p, at: p.globals[3].loc)
    }

    @Test("IR-36 representation checks and notes") func ir36() {
        let point = RecordID(0)
        // Accepted: current of a pointer to the record, a note of a pointer to a complete object.
        #expect(Verifier.verify(withStmt(.block([assign(.local(LocalID(pp)), .current(point, rd(pp))),
                                                 .instr(.note(.record(point), rd(pp), here))]))).isEmpty)
        expectRule("IR-36", in: withStmt(assign(.local(LocalID(q)), .current(point, rd(q)))))
        expectRule("IR-36", in: withStmt(assign(.local(LocalID(tmp)), .read(.mem(.current(point, rd(i)))))))
        expectRule("IR-36", in: withStmt(.instr(.note(.record(point), rd(i), here))))
        expectRule("IR-36", in: withStmt(.instr(.note(.void, rd(pp), here))))
    }

    /// Every rule of Specs/ir.md has a checker case in Verifier.swift and a test here.
    @Test func everySpecRuleIsCheckedAndTested() throws {
        let repo = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spec = try String(contentsOf: repo.appendingPathComponent("Specs/ir.md"), encoding: .utf8)
        let verifier = try String(contentsOf: repo.appendingPathComponent("Sources/Checker/Verifier.swift"), encoding: .utf8)
        let tests = try String(contentsOf: repo.appendingPathComponent("Tests/GraftTests/VerifierTests.swift"), encoding: .utf8)
        let ids = spec.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("### IR-") else { return nil }
            return String(line.dropFirst(4).prefix { $0 != " " })
        }
        #expect(ids.count >= 30)
        #expect(Set(ids).count == ids.count, "duplicate rule ids")
        func cites(_ text: String, _ id: String) -> Bool {
            var rest = Substring(text)
            while let r = rest.range(of: id) {
                if rest[r.upperBound...].first.map({ !$0.isNumber }) ?? true { return true }
                rest = rest[r.upperBound...]
            }
            return false
        }
        for id in ids {
            #expect(cites(verifier, "// " + id), "\(id) has no checker case in Verifier.swift")
            #expect(cites(tests, "expectRule(\"" + id + "\""), "\(id) has no rejecting test")
        }
    }
}
