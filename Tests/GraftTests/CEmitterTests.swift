// CEmitter: hand-built IR programs are emitted, compiled with gcc (and
// clang when present), run, and their output checked.

import Foundation
import Testing
@testable import Codegen
@testable import IR

// MARK: - IR building helpers

private let L = SourceLoc.unknown
private func c(_ v: Int64, _ t: CType = .int) -> Expr { .const(.int(v), t) }
private func rd(_ lv: LValue) -> Expr { .read(lv) }
private func lc(_ i: Int) -> LValue { .local(LocalID(i)) }
private func gl(_ i: Int) -> LValue { .global(GlobalID(i)) }
private func bin(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ t: CType = .int) -> Expr { .binary(op, a, b, t) }
private func set(_ lv: LValue, _ e: Expr) -> Stmt { .instr(.assign(lv, e, L)) }
private func call(_ r: LValue?, _ f: Int, _ args: [Expr]) -> Stmt { .instr(.call(result: r, callee: .direct(FuncID(f)), args: args, L)) }
private func ret(_ e: Expr?) -> Stmt { .return(e, L) }
private func str(_ s: String) -> Expr {
    let units = s.utf8.map { UInt32($0) }
    return .const(.string(units, width: 1), .array(.char, length: units.count + 1))
}
private func breakUnless(_ cond: Expr) -> Stmt { .if(.unary(.logNot, cond, .int), then: .break(L), else: nil, L) }
private let constCharPtr = CType.pointer(.qualified(.char, .const))

private struct Builder {
    var p = Program()

    mutating func record(_ kind: Record.Kind, _ tag: String, anonymous: Bool = false, fields: [Field], size: Int, align: Int,
                         attributes: [Attribute] = []) -> RecordID {
        let id = RecordID(p.records.count)
        p.records.append(Record(id: id, kind: kind, tag: tag, isAnonymousMember: anonymous, fields: fields, size: size, align: align,
                                attributes: attributes, identity: tag, loc: L))
        if !anonymous { p.order.append(.record(id)) }
        return id
    }

    @discardableResult
    mutating func global(_ name: String, _ t: CType, _ i: Initializer? = nil, storage: Storage = .none,
                         attributes: [Attribute] = [], identity: String? = nil) -> GlobalID {
        let id = GlobalID(p.globals.count)
        p.globals.append(GlobalVar(id: id, name: name, type: t, storage: storage, initializer: i, attributes: attributes,
                                   identity: identity ?? name, loc: L))
        p.order.append(.global(id))
        return id
    }

    /// Parameters are locals 0..<params.count, then `locals`.
    @discardableResult
    mutating func function(_ name: String, _ result: CType, params: [(String, CType)] = [], locals: [(String, CType)] = [],
                           variadic: Bool = false, prototype: Bool = true, storage: Storage = .none,
                           body: [Stmt]? = nil) -> FuncID {
        let id = FuncID(p.functions.count)
        var ls: [Local] = []
        for (i, (n, t)) in params.enumerated() { ls.append(Local(id: LocalID(i), name: n, type: t, isParam: true, loc: L)) }
        for (n, t) in locals { ls.append(Local(id: LocalID(ls.count), name: n, type: t, loc: L)) }
        let ft = FunctionType(result: result, params: prototype ? params.map(\.1) : [], variadic: variadic, hasPrototype: prototype)
        p.functions.append(Function(id: id, name: name, type: ft, storage: storage, params: (0..<params.count).map(LocalID.init),
                                    locals: ls, body: body.map { .block($0) }, identity: name, loc: L))
        p.order.append(.function(id))
        return id
    }

    mutating func setBody(_ f: FuncID, _ body: [Stmt]) { p.functions[f.index].body = .block(body) }

    /// `int printf(const char *, ...)`
    mutating func printf() -> FuncID {
        function("printf", .int, params: [("fmt", constCharPtr)], variadic: true, storage: .extern)
    }
}

// MARK: - Compile and run

private struct RunResult { var status: Int32; var stdout: String; var stderr: String }

private func run(_ exe: String, _ args: [String]) throws -> RunResult {
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: exe)
    proc.arguments = args
    let out = Pipe(), err = Pipe()
    proc.standardOutput = out
    proc.standardError = err
    try proc.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    proc.waitUntilExit()
    return RunResult(status: proc.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

private let compilers = ["/usr/bin/gcc", "/usr/bin/clang-19"].filter { FileManager.default.isExecutableFile(atPath: $0) }

/// Emits `p`, compiles it with every available compiler and runs it.
private func compileAndRun(_ p: Program, flags: [String] = ["-w", "-O1"], lineDirectives: Bool = false,
                           sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [RunResult] {
    let text = CEmitter(program: p, lineDirectives: lineDirectives).emit()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cemitter-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let src = dir.appendingPathComponent("out.c").path
    try text.write(toFile: src, atomically: true, encoding: .utf8)
    if let dump = ProcessInfo.processInfo.environment["GRAFT_CEMITTER_DUMP"] {
        try? text.write(toFile: dump + "/\(sourceLocation.line).c", atomically: true, encoding: .utf8)
    }
    var results: [RunResult] = []
    for cc in compilers {
        let exe = dir.appendingPathComponent("a.out").path
        let r = try run(cc, flags + [src, "-o", exe])
        #expect(r.status == 0, "\(cc) failed:\n\(r.stderr)\n--- source ---\n\(text)", sourceLocation: sourceLocation)
        if r.status != 0 { continue }
        results.append(try run(exe, []))
    }
    return results
}

// MARK: - Tests

@Suite("CEmitter", .serialized)
struct CEmitterTests {
    /// Structs through pointers, a loop whose `continue` must run `next`.
    static func structLoopProgram() -> Program {
        var b = Builder()
        let pr = b.printf()
        let P = b.record(.struct, "P", fields: [Field(name: "x", type: .int, offsetBits: 0), Field(name: "y", type: .long, offsetBits: 64)],
                         size: 16, align: 8)
        let pp = CType.pointer(.record(P))
        // int sum(struct P *ps, int n): skips x == 2 with `continue`; i++ in `next`.
        let elem: (Expr) -> LValue = { i in LValue(.mem(bin(.ptrAdd, rd(lc(0)), i, pp))) }
        let sum = b.function("sum", .int, params: [("ps", pp), ("n", .int)], locals: [("s", .int), ("i", .int)], body: [
            .local(LocalID(2), .expr(c(0)), L),
            .local(LocalID(3), .expr(c(0)), L),
            .loop(body: .block([
                breakUnless(bin(.lt, rd(lc(3)), rd(lc(1)))),
                .if(bin(.eq, rd(elem(rd(lc(3))).appending(.field(P, index: 0))), c(2)), then: .continue(L), else: nil, L),
                set(lc(2), bin(.add, rd(lc(2)), bin(.mul, rd(elem(rd(lc(3))).appending(.field(P, index: 0))),
                                                    .cast(.int, rd(elem(rd(lc(3))).appending(.field(P, index: 1))))))),
            ]), next: set(lc(3), bin(.add, rd(lc(3)), c(1))), L),
            ret(rd(lc(2))),
        ])
        // int main(void): fills arr[4] with {i, i + 10}, prints sum.
        let arrT = CType.array(.record(P), length: 4)
        b.function("main", .int, locals: [("arr", arrT), ("i", .int), ("r", .int)], body: [
            .local(LocalID(0), nil, L),
            .local(LocalID(1), .expr(c(0)), L),
            .loop(body: .block([
                breakUnless(bin(.lt, rd(lc(1)), c(4))),
                set(lc(0).appending(.index(rd(lc(1)))).appending(.field(P, index: 0)), rd(lc(1))),
                set(lc(0).appending(.index(rd(lc(1)))).appending(.field(P, index: 1)), .cast(.long, bin(.add, rd(lc(1)), c(10)))),
                set(lc(1), bin(.add, rd(lc(1)), c(1))),
            ]), next: nil, L),
            .local(LocalID(2), nil, L),
            call(lc(2), sum.index, [.startOf(lc(0)), c(4)]),
            call(nil, pr.index, [str("sum=%d\n"), rd(lc(2))]),
            ret(c(7)),
        ])
        return b.p
    }

    @Test func cemitterStructsPointersContinue() throws {
        let p = Self.structLoopProgram()
        for r in try compileAndRun(p) {
            #expect(r.stdout == "sum=50\n")  // 0*10 + 1*11 + 3*13, x == 2 skipped
            #expect(r.status == 7)
        }
        let text = CEmitter(program: p).emit()
        #expect(text.contains("goto __graft_cont_0;"))
        #expect(text.contains("->x"))
    }

    /// switch with case ranges, a negative and INT_MIN case, goto, default.
    @Test func cemitterSwitchCaseRangesGoto() throws {
        var b = Builder()
        let pr = b.printf()
        let classify = b.function("classify", .int, params: [("c", .int)], locals: [("r", .int)], body: [
            .local(LocalID(1), nil, L),
            .switch(rd(lc(0)), body: .block([
                .label(.caseRange(0, 9), L), set(lc(1), c(1)), .break(L),
                .label(.caseRange(97, 122), L), set(lc(1), c(2)), .break(L),
                .label(.case(-5), L), set(lc(1), c(5)), .goto("done", L),
                .label(.case(Int64(Int32.min)), L), set(lc(1), c(7)), .break(L),
                .label(.default, L), set(lc(1), c(3)),
            ]), L),
            set(lc(1), bin(.mul, rd(lc(1)), c(10))),
            .label(.named("done"), L),
            ret(rd(lc(1))),
        ])
        var body: [Stmt] = [.local(LocalID(0), nil, L)]
        for v: Int64 in [5, 113, -5, 200, Int64(Int32.min)] {
            body.append(call(lc(0), classify.index, [c(v)]))
            body.append(call(nil, pr.index, [str("%d,"), rd(lc(0))]))
        }
        body.append(ret(c(0)))
        b.function("main", .int, locals: [("t", .int)], body: body)
        let text = CEmitter(program: b.p).emit()
        #expect(text.contains("(-2147483647-1)"))
        #expect(text.contains("case 0 ... 9:"))
        for r in try compileAndRun(b.p) {
            #expect(r.stdout == "10,20,5,30,70,")
        }
    }

    /// A global with a designated compound initializer over a bit-field, an
    /// unnamed zero-width bit-field, an anonymous union member and a char
    /// array; a table of function pointers; an escaped string.
    @Test func cemitterGlobalsAnonymousUnionBitfieldTable() throws {
        var b = Builder()
        let pr = b.printf()
        let U = b.record(.union, "", anonymous: true, fields: [Field(name: "i", type: .int, offsetBits: 0),
                                                                Field(name: "f", type: .float(.float), offsetBits: 0)], size: 4, align: 4)
        let B = b.record(.struct, "B", fields: [
            Field(name: "a", type: .uint, bitWidth: 3, offsetBits: 0),
            Field(name: "b", type: .uint, bitWidth: 5, offsetBits: 3),
            Field(name: nil, type: .int, bitWidth: 0, offsetBits: 32),
            Field(name: "c", type: .int, offsetBits: 32),
            Field(name: nil, type: .record(U), offsetBits: 64),
            Field(name: "name", type: .array(.char, length: 8), offsetBits: 96),
        ], size: 20, align: 4)
        let g = b.global("g", .record(B), .compound(.record(B), [
            InitEntry(.field(index: 0), .expr(c(5, .uint))),
            InitEntry(.field(index: 1), .expr(c(17, .uint))),
            InitEntry(.field(index: 3), .expr(c(-3))),
            InitEntry(.field(index: 4), .compound(.record(U), [InitEntry(.field(index: 0), .expr(c(42)))])),
            InitEntry(.field(index: 5), .expr(str("h\"?\\"))),
        ]))
        let fnT = FunctionType(result: .int, params: [.int])
        let dbl = b.function("dbl", .int, params: [("x", .int)], body: [ret(bin(.mul, c(2), rd(lc(0))))])
        let inc = b.function("inc", .int, params: [("x", .int)], storage: .static, body: [ret(bin(.add, rd(lc(0)), c(1)))])
        let tab = b.global("tab", .array(.pointer(.function(fnT)), length: 2), .compound(.array(.pointer(.function(fnT)), length: 2), [
            InitEntry(.index(0), .expr(.function(dbl))), InitEntry(.index(1), .expr(.function(inc))),
        ]), storage: .static)
        let bell = Expr.const(.string([0x07, 0x37, 0x0A], width: 1), .array(.char, length: 4))  // "\a7\n"
        b.function("main", .int, locals: [("t0", .int), ("t1", .int)], body: [
            call(lc(0), -1, []),  // placeholder, replaced below
        ])
        let main = FuncID(b.p.functions.count - 1)
        let gl = LValue.global(g)
        b.setBody(main, [
            .instr(.call(result: lc(0), callee: .indirect(rd(LValue.global(tab).appending(.index(c(0))))), args: [c(5)], L)),
            .instr(.call(result: lc(1), callee: .indirect(rd(LValue.global(tab).appending(.index(c(1))))), args: [c(5)], L)),
            call(nil, pr.index, [str("%u %u %d %d %s %d %d "),
                                 .cast(.uint, rd(gl.appending(.field(B, index: 0)))),
                                 .cast(.uint, rd(gl.appending(.field(B, index: 1)))),
                                 rd(gl.appending(.field(B, index: 3))),
                                 rd(gl.appending(.field(B, index: 4)).appending(.field(U, index: 0))),
                                 .startOf(gl.appending(.field(B, index: 5))),
                                 rd(lc(0)), rd(lc(1))]),
            call(nil, pr.index, [bell]),
            // Through the union's other member: 42 as float bits is tiny but nonzero.
            ret(.cast(.int, bin(.ne, rd(gl.appending(.field(B, index: 4)).appending(.field(U, index: 1))), .const(.float(0, spelling: nil), .float(.float)), .int))),
        ])
        let text = CEmitter(program: b.p).emit()
        #expect(text.contains("_Static_assert(sizeof(struct B) == 20"))
        #expect(text.contains("union {"))
        for r in try compileAndRun(b.p) {
            #expect(r.stdout == "5 17 -3 42 h\"?\\ 10 6 \u{7}7\n")
            #expect(r.status == 1)
        }
    }

    /// Nested declarators, a function returning a pointer to an array, and
    /// constants whose type and value must be exact.
    @Test func cemitterDeclaratorsAndConstants() throws {
        var b = Builder()
        let pr = b.printf()
        let row = CType.pointer(.array(.int, length: 3))
        let matrix = b.global("matrix", .array(.array(.int, length: 3), length: 2), .compound(.array(.array(.int, length: 3), length: 2), [
            InitEntry(.index(0), .compound(.array(.int, length: 3), [InitEntry(.range(0, 2), .expr(c(1)))])),
            InitEntry(.index(1), .compound(.array(.int, length: 3), [InitEntry(.index(0), .expr(c(4))), InitEntry(.index(2), .expr(c(6)))])),
        ]))
        let getrow = b.function("getrow", row, params: [("i", .int)], body: [
            ret(.addrOf(LValue.global(matrix).appending(.index(rd(lc(0)))))),
        ])
        let fpT = CType.pointer(.function(FunctionType(result: row, params: [.int])))
        let fp = b.global("fp", fpT, .expr(.function(getrow)))
        let ld = CType.float(.longDouble)
        b.function("main", .int, locals: [("t", row), ("ok", .int)], body: [
            .instr(.call(result: lc(0), callee: .indirect(rd(.global(fp))), args: [c(1)], L)),
            call(nil, pr.index, [str("%d %d %lld %u %lu %d %d "), rd(LValue.mem(rd(lc(0))).appending(.index(c(2)))),
                                 c(Int64(Int32.min)), c(Int64.min, .int(.longlong)), c(-1, .uint), c(-1, .ulong),
                                 .cast(.int, c(-1, .int(.schar))), .cast(.int, c(200, .int(.uchar)))]),
            call(nil, pr.index, [str("%.9g %.17g %a %d %d %lu\n"), .cast(.double, .const(.float(Double(Float(0.1)), spelling: "0.1f"), .float(.float))),
                                 .const(.float(0.1, spelling: "0.1"), .double),
                                 .const(.float(-0x1.8p-1070, spelling: nil), .double),
                                 // 1.1L is not the double 1.1: the spelling must survive.
                                 .cast(.int, bin(.ne, .const(.float(1.1, spelling: "1.1L"), ld), .cast(ld, .const(.float(1.1, spelling: nil), .double)))),
                                 .cast(.int, bin(.ne, .const(.float(.nan, spelling: nil), .double), .const(.float(.nan, spelling: nil), .double))),
                                 .sizeOf(.array(.long, length: 3), value: 24)]),
            .local(LocalID(1), .expr(.cast(.int, bin(.lt, .const(.float(-.infinity, spelling: nil), .float(.float)),
                                                     .const(.float(-Double.greatestFiniteMagnitude, spelling: nil), .double)))), L),
            ret(rd(lc(1))),
        ])
        let text = CEmitter(program: b.p).emit()
        #expect(text.contains("int (*(*fp))[3]") == false)
        #expect(text.contains("int (*(*fp)(int))[3]"))
        #expect(text.contains("int (*getrow(int i))[3]"))
        for r in try compileAndRun(b.p) {
            #expect(r.stdout == "6 -2147483648 -9223372036854775808 4294967295 18446744073709551615 -1 200 0.100000001 0.10000000000000001 -0x0.0000000000003p-1022 1 1 24\n"
                    || r.stdout.hasPrefix("6 -2147483648 -9223372036854775808 4294967295 18446744073709551615 -1 200 0.100000001 0.10000000000000001 "),
                    "\(r.stdout)")
            #expect(r.stdout.hasSuffix(" 1 1 24\n"), "\(r.stdout)")
            #expect(r.status == 1)
        }
    }

    /// K&R definition with a `char` parameter, a variadic function using
    /// va_start/va_arg, computed goto through a static table of label
    /// addresses (which must stay inside its function).
    @Test func cemitterKnRVariadicComputedGoto() throws {
        var b = Builder()
        let pr = b.printf()
        let knr = b.function("twice", .int, params: [("c", .char)], prototype: false, body: [
            ret(bin(.mul, .cast(.int, rd(lc(0))), c(2))),
        ])
        let vsum = b.function("vsum", .int, params: [("n", .int)], locals: [("ap", .vaList), ("s", .int), ("x", .int)], variadic: true, body: [
            .local(LocalID(1), nil, L),
            .local(LocalID(2), .expr(c(0)), L),
            .instr(.call(result: nil, callee: .builtin("__builtin_va_start"), args: [.startOf(lc(1)), rd(lc(0))], L)),
            .loop(body: .block([
                breakUnless(bin(.gt, rd(lc(0)), c(0))),
                .instr(.vaArg(result: lc(3), list: .startOf(lc(1)), L)),
                set(lc(2), bin(.add, rd(lc(2)), rd(lc(3)))),
            ]), next: set(lc(0), bin(.sub, rd(lc(0)), c(1))), L),
            .instr(.call(result: nil, callee: .builtin("__builtin_va_end"), args: [.startOf(lc(1))], L)),
            ret(rd(lc(2))),
        ])
        let tblT = CType.array(.voidPtr, length: 2)
        let tbl = b.global("jump__tbl", tblT, .compound(tblT, [InitEntry(.index(0), .expr(.labelAddr("L0"))),
                                                               InitEntry(.index(1), .expr(.labelAddr("L1")))]),
                           storage: .static, identity: "t.c:pick:tbl")
        let pick = b.function("pick", .int, params: [("i", .int)], body: [
            .computedGoto(rd(LValue.global(tbl).appending(.index(rd(lc(0))))), L),
            .label(.named("L0"), L), ret(c(100)),
            .label(.named("L1"), L), ret(c(200)),
        ])
        b.function("main", .int, locals: [("a", .int), ("s", .int), ("k", .int)], body: [
            .local(LocalID(0), nil, L), .local(LocalID(1), nil, L), .local(LocalID(2), nil, L),
            call(lc(0), knr.index, [.cast(.int, c(21, .char))]),
            call(lc(1), vsum.index, [c(3), c(1), c(2), c(39)]),
            call(lc(2), pick.index, [c(1)]),
            call(nil, pr.index, [str("%d %d %d\n"), rd(lc(0)), rd(lc(1)), rd(lc(2))]),
            ret(c(0)),
        ])
        let text = CEmitter(program: b.p).emit()
        #expect(text.contains("twice(c)"))
        for r in try compileAndRun(b.p) {
            #expect(r.stdout == "42 42 200\n")
        }
    }

    /// A VLA, GNU vectors, an _Atomic global, a long double spelling beyond
    /// double's range, and an operator whose IR type is narrower than C's.
    @Test func cemitterVLAVectorsAtomicsTyping() throws {
        var b = Builder()
        let pr = b.printf()
        let ai = b.global("ai", .atomic(.int), .expr(c(5)))
        let v4 = CType.vector(.int, count: 4)
        let ld = CType.float(.longDouble)
        // locals: n 0, a 1, i 2, s 3, v 4, w 5
        b.function("main", .int, locals: [("n", .int), ("a", .vla(.int, length: rd(lc(0)))), ("i", .int), ("s", .int), ("v", v4), ("w", v4)], body: [
            .local(LocalID(0), .expr(c(5)), L),
            .local(LocalID(1), nil, L),
            .local(LocalID(2), .expr(c(0)), L),
            .local(LocalID(3), .expr(c(0)), L),
            .loop(body: .block([
                breakUnless(bin(.lt, rd(lc(2)), rd(lc(0)))),
                set(lc(1).appending(.index(rd(lc(2)))), bin(.mul, rd(lc(2)), rd(lc(2)))),
            ]), next: set(lc(2), bin(.add, rd(lc(2)), c(1))), L),
            set(lc(2), c(0)),
            .loop(body: .block([
                breakUnless(bin(.lt, rd(lc(2)), rd(lc(0)))),
                set(lc(3), bin(.add, rd(lc(3)), rd(lc(1).appending(.index(rd(lc(2))))))),
                set(lc(2), bin(.add, rd(lc(2)), c(1))),
            ]), next: nil, L),
            .local(LocalID(4), .compound(v4, [InitEntry(.index(0), .expr(c(1))), InitEntry(.index(3), .expr(c(4)))]), L),
            .local(LocalID(5), .expr(bin(.add, rd(lc(4)), rd(lc(4)), v4)), L),
            call(nil, pr.index, [str("%d %d %d %d %d %d\n"), rd(lc(3)), rd(lc(5).appending(.index(c(3)))),
                                 .cast(.int, rd(.global(ai))),
                                 .cast(.int, bin(.add, c(200, .int(.uchar)), c(100, .int(.uchar)), .int(.uchar))),
                                 .cast(.int, bin(.ne, .const(.float(.infinity, spelling: "1e4000L"), ld), .const(.float(.infinity, spelling: nil), ld))),
                                 .sizeOf(v4, value: 16)]),
            ret(c(0)),
        ])
        let text = CEmitter(program: b.p).emit()
        #expect(text.contains("__attribute__((vector_size(16)))"))
        #expect(text.contains("_Atomic(int) ai"))
        for r in try compileAndRun(b.p) {
            #expect(r.stdout == "30 8 5 44 1 16\n")
        }
    }

    /// The emitted text compiles without errors under the strict flags.
    @Test func cemitterStrictWarningsCompile() throws {
        let strict = ["-Wall", "-Werror=incompatible-pointer-types", "-Werror=int-conversion", "-Werror=implicit-function-declaration", "-O1"]
        for r in try compileAndRun(Self.structLoopProgram(), flags: strict) {
            #expect(r.stdout == "sum=50\n")
        }
    }

    @Test func cemitterLineDirectivesAndDeterminism() throws {
        var p = Self.structLoopProgram()
        let main = p.functions.count - 1
        guard case .block(var ss) = p.functions[main].body else { Issue.record("no body"); return }
        ss[ss.count - 1] = .return(c(7), SourceLoc(file: "dir/t\"x.c", line: 42, column: 3))
        p.functions[main].body = .block(ss)
        let a = CEmitter(program: p, lineDirectives: true).emit()
        let b2 = CEmitter(program: p, lineDirectives: true).emit()
        #expect(a == b2)
        #expect(a.contains("#line 42 \"dir/t\\\"x.c\"\n"))
        #expect(!CEmitter(program: p).emit().contains("#line"))
        for r in try compileAndRun(p, lineDirectives: true) { #expect(r.status == 7) }
    }

    @Test func cemitterStringEscapes() {
        #expect(cString([0x41, 0x00, 0x31, 0x3F, 0x3F, 0x3D]) == "\"A\\0001\\?\\?=\"")
        #expect(cString([0x263A, 0x41, 0x5A], prefix: "L") == "\"\\x263a\" L\"AZ\"")
        let e = Emitter(program: Program(), lineDirectives: false)
        #expect(e.intLiteral(Int64(Int32.min), .int) == "(-2147483647-1)")
        #expect(e.intLiteral(-1, .ushort) == "((unsigned short)65535)")
        #expect(e.intLiteral(5, .ulong) == "5UL")
        #expect(e.hexFloat(1.5) == "0x1.8p+0")
        #expect(e.realLiteral(0.5, nil, .float) == "0x1p-1F")
        #expect(e.decl(.qualified(.pointer(.qualified(.char, .const)), [.const, .volatile]), "p") == "const char *const volatile p")
        #expect(e.decl(.pointer(.function(FunctionType(result: .int, params: [], hasPrototype: false))), "f") == "int (*f)()")
        #expect(e.decl(.array(.pointer(.function(FunctionType(result: .void, params: [.int], variadic: true))), length: 2), "t")
                == "void (*t[2])(int, ...)")
    }
}
