// Merging translation units (Sources/Frontend/Merge.swift): symbols unified by
// linkage name, statics renamed apart, identical types unified, ids remapped.

import Foundation
import Testing
@testable import IR
@testable import Frontend
import Checker

private func loc(_ file: String, _ line: Int) -> SourceLoc { SourceLoc(file: file, line: line, column: 1) }

/// `struct point { int x, y; };` as a header gives it to every unit.
private func point(_ id: Int, file: String) -> Record {
    Record(id: RecordID(id), kind: .struct, tag: "point",
           fields: [Field(name: "x", type: .int, offsetBits: 0), Field(name: "y", type: .int, offsetBits: 32)],
           size: 8, align: 4, identity: "point", loc: loc("point.h", 1))
}

/// main.c:
///   struct point { int x, y; };
///   static int counter = 1;
///   int norm(struct point *p);                 // defined in util.c
///   int main(void) { struct point q; counter++; return norm(&q) + counter; }
private func mainUnit() -> Program {
    var p = Program()
    p.sources = ["src/main.c"]
    // A padding record first so that ids differ between the units.
    p.records = [Record(id: RecordID(0), kind: .union, tag: "u", fields: [Field(name: "i", type: .int, offsetBits: 0)],
                        size: 4, align: 4, identity: "u", loc: loc("src/main.c", 1)),
                 point(1, file: "src/main.c")]
    p.globals = [GlobalVar(id: GlobalID(0), name: "counter", type: .int, storage: .static,
                           initializer: .expr(.const(.int(1), .int)), identity: "main.c:counter", loc: loc("src/main.c", 2))]
    let normType = FunctionType(result: .int, params: [.pointer(.record(RecordID(1)))])
    let norm = Function(id: FuncID(0), name: "norm", type: normType, storage: .extern, identity: "norm", loc: loc("src/main.c", 3))
    let q = Local(id: LocalID(0), name: "q", type: .record(RecordID(1)), loc: loc("src/main.c", 4))
    let t = Local(id: LocalID(1), name: "t", type: .int, isTemp: true, loc: loc("src/main.c", 4))
    let l = loc("src/main.c", 4)
    let body = Stmt.block([
        .local(LocalID(0), nil, l),
        .instr(.assign(.global(GlobalID(0)), .binary(.add, .read(.global(GlobalID(0))), .const(.int(1), .int), .int), l)),
        .instr(.call(result: .local(LocalID(1)), callee: .direct(FuncID(0)), args: [.addrOf(.local(LocalID(0)))], l)),
        .return(.binary(.add, .read(.local(LocalID(1))), .read(.global(GlobalID(0))), .int), l),
    ])
    let main = Function(id: FuncID(1), name: "main", type: FunctionType(result: .int, params: []), storage: .none,
                        locals: [q, t], body: body, identity: "main", loc: l)
    p.functions = [norm, main]
    p.order = [.record(RecordID(0)), .record(RecordID(1)), .global(GlobalID(0)), .function(FuncID(0)), .function(FuncID(1))]
    return p
}

/// util.c:
///   struct point { int x, y; };
///   static int counter;
///   int norm(struct point *p) { counter++; return p->x; }
private func utilUnit() -> Program {
    var p = Program()
    p.sources = ["src/util.c"]
    p.records = [point(0, file: "src/util.c")]
    p.globals = [GlobalVar(id: GlobalID(0), name: "counter", type: .int, storage: .static, initializer: nil,
                           identity: "util.c:counter", loc: loc("src/util.c", 2))]
    let l = loc("src/util.c", 3)
    let param = Local(id: LocalID(0), name: "p", type: .pointer(.record(RecordID(0))), isParam: true, loc: l)
    let body = Stmt.block([
        .instr(.assign(.global(GlobalID(0)), .binary(.add, .read(.global(GlobalID(0))), .const(.int(1), .int), .int), l)),
        .return(.read(LValue(.mem(.read(.local(LocalID(0)))), [.field(RecordID(0), index: 0)])), l),
    ])
    let norm = Function(id: FuncID(0), name: "norm", type: FunctionType(result: .int, params: [.pointer(.record(RecordID(0)))]),
                        storage: .none, params: [LocalID(0)], locals: [param], body: body, identity: "norm", loc: l)
    p.functions = [norm]
    p.order = [.record(RecordID(0)), .global(GlobalID(0)), .function(FuncID(0))]
    return p
}

@Test func externDeclarationMeetsItsDefinition() throws {
    let m = try Merge.merge([mainUnit(), utilUnit()])
    let norms = m.functions.filter { $0.name == "norm" }
    #expect(norms.count == 1)
    #expect(norms[0].isDefinition)
    #expect(norms[0].storage == .none)
    // main's call now targets the merged definition.
    let main = try #require(m.functions.first { $0.name == "main" })
    guard case .block(let ss) = main.body, case .instr(.call(_, .direct(let callee), _, _)) = ss[2] else {
        Issue.record("main's body changed shape"); return
    }
    #expect(m[callee].name == "norm" && m[callee].isDefinition)
    #expect(m.sources == ["src/main.c", "src/util.c"])
}

@Test func staticsWithTheSameNameAreRenamedApart() throws {
    let m = try Merge.merge([mainUnit(), utilUnit()])
    #expect(m.globals.map(\.name).sorted() == ["counter__main", "counter__util"])
    #expect(m.globals.allSatisfy { $0.sourceName == "counter" })
    #expect(Set(m.globals.map(\.identity)) == ["main.c:counter", "util.c:counter"])
    // Each function reads its own unit's counter.
    let norm = try #require(m.functions.first { $0.name == "norm" })
    guard case .block(let ss) = norm.body, case .instr(.assign(let lv, _, _)) = ss[0], case .global(let g) = lv.host else {
        Issue.record("norm's body changed shape"); return
    }
    #expect(m[g].name == "counter__util")
    // Merging again gives the same names (stable, not order-dependent).
    let again = try Merge.merge([utilUnit(), mainUnit()])
    #expect(Set(again.globals.map(\.name)) == ["counter__main", "counter__util"])
}

@Test func identicalStructsAreUnifiedAndIDsRemapped() throws {
    let m = try Merge.merge([mainUnit(), utilUnit()])
    #expect(m.records.filter { $0.tag == "point" }.count == 1)
    let pointID = try #require(m.records.first { $0.tag == "point" }?.id)
    let norm = try #require(m.functions.first { $0.name == "norm" })
    #expect(norm.type.params == [.pointer(.record(pointID))])
    guard case .block(let ss) = norm.body, case .return(.read(let lv)?, _) = ss[1] else {
        Issue.record("norm's body changed shape"); return
    }
    #expect(lv.offsets == [.field(pointID, index: 0)])
    // Every id in the tables is its own index, and `order` lists each entity once.
    #expect(m.records.enumerated().allSatisfy { $0.element.id.index == $0.offset })
    #expect(m.functions.enumerated().allSatisfy { $0.element.id.index == $0.offset })
    #expect(Set(m.order).count == m.order.count)
    #expect(m.order.count == m.records.count + m.globals.count + m.functions.count)
}

@Test func sameTagDifferentLayoutStaysApart() throws {
    var other = utilUnit()
    other.records[0].fields = [Field(name: "x", type: .long, offsetBits: 0)]
    other.records[0].size = 8; other.records[0].align = 8
    let m = try Merge.merge([mainUnit(), other])
    let tags = m.records.map(\.tag).sorted()
    #expect(tags == ["point", "point__2", "u"])
}

@Test("LINK-1: the same layout with other field names is one record, spelled alike in either unit order")
func fieldSpellingsDoNotSplitARecord() throws {
    var other = utilUnit()
    other.records[0].fields = [Field(name: "__x", type: .int, offsetBits: 0), Field(name: "__y", type: .int, offsetBits: 32)]
    for units in [[mainUnit(), other], [other, mainUnit()]] {
        let m = try Merge.merge(units)
        let points = m.records.filter { $0.identity == "point" }
        #expect(points.count == 1)
        #expect(points.first?.fields?.map(\.name) == ["__x", "__y"])
        #expect(m.records.filter { $0.tag.hasPrefix("point__") }.isEmpty)
    }
    // A field at another offset is another layout: two records.
    other.records[0].fields?[1].offsetBits = 0
    let m = try Merge.merge([mainUnit(), other])
    #expect(m.records.map(\.tag).sorted() == ["point", "point__2", "u"])
}

@Test func duplicateDefinitionIsALinkError() throws {
    var a = utilUnit(); a.sources = ["a.c"]
    var b = utilUnit(); b.sources = ["b.c"]
    b.functions[0].loc = loc("b.c", 7)
    a.functions[0].loc = loc("a.c", 3)
    do {
        _ = try Merge.merge([a, b])
        Issue.record("expected a multiple-definition error")
    } catch let d as Diagnostics {
        let err = try #require(d.items.first { $0.severity == .error })
        #expect(err.message.contains("multiple definition of `norm`"))
        #expect(err.loc.file == "b.c" && err.message.contains("a.c:3"))
    }
}

@Test func inlineDefinitionYieldsToTheExternalOne() throws {
    var a = utilUnit(); a.sources = ["a.c"]
    a.functions[0].isInline = true   // `inline int norm(…) {…}` in a header: an inline definition
    var b = utilUnit(); b.sources = ["b.c"]
    b.functions[0].loc = loc("b.c", 9)
    let m = try Merge.merge([a, b])
    let norms = m.functions.filter { $0.name == "norm" }
    #expect(norms.count == 1 && norms[0].loc.file == "b.c" && !norms[0].isInline)
}

@Test func recursiveStructsUnify() throws {
    // struct node { struct node *next; } in two units, at different ids.
    func unit(_ file: String, pad: Bool) -> Program {
        var p = Program()
        p.sources = [file]
        let id = pad ? 1 : 0
        if pad {
            p.records.append(Record(id: RecordID(0), kind: .struct, tag: "pad", fields: [], size: 0, align: 1,
                                    identity: "\(file):pad", loc: loc(file, 1)))
        }
        p.records.append(Record(id: RecordID(id), kind: .struct, tag: "node",
                                fields: [Field(name: "next", type: .pointer(.record(RecordID(id))), offsetBits: 0)],
                                size: 8, align: 8, identity: "node", loc: loc(file, 2)))
        p.order = p.records.map { .record($0.id) }
        return p
    }
    let m = try Merge.merge([unit("a.c", pad: false), unit("b.c", pad: true)])
    #expect(m.records.filter { $0.tag == "node" }.count == 1)
    #expect(m.records.count == 2)
}

/// examples/hello-multi through the front end: the merge adds no verifier
/// error of its own (whatever the units have is still counted once per unit).
@Test func helloMultiMergesCleanly() throws {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/hello-multi")
    let files = ["main.c", "shapes.c", "ids.c", "report.c"].map { dir.appendingPathComponent($0).path }
    let units = try files.map { try Frontend.lower(file: $0, arguments: ["-O1"]) }
    let merged = try Merge.merge(units)
    let unitErrors = units.map { Verifier.verify($0).filter { $0.severity == .error }.count }.reduce(0, +)
    let mergedErrors = Verifier.verify(merged).filter { $0.severity == .error }
    #expect(mergedErrors.count <= unitErrors, "\(mergedErrors.map(\.description).joined(separator: "\n"))")
    // One `struct shape`, two `counter`s, one definition per external function.
    #expect(merged.records.filter { $0.tag == "shape" }.count == 1)
    #expect(Set(merged.globals.filter { $0.sourceName == "counter" }.map(\.name)) == ["counter__main", "counter__shapes"])
    let externals = merged.functions.filter { $0.storage != .static }.map(\.name)
    #expect(externals.count == Set(externals).count)
    #expect(merged.functions.filter { $0.name == "shape_area" && $0.isDefinition }.count == 1)
}

@Test func clashingEnumeratorsAndTypedefsAreRenamedPerFile() throws {
    // a.c: enum color { RED, GREEN }; typedef int T;    T a = RED;
    // b.c: enum light { RED, AMBER }; typedef double T; T b = RED;
    func unit(_ file: String, tag: String, second: String, tdType: CType, global: String) -> Program {
        var p = Program()
        p.sources = [file]
        p.enums = [EnumDef(id: EnumID(0), tag: tag, items: [("RED", 0), (second, 1)], underlying: .uint,
                           identity: tag, loc: loc(file, 1))]
        p.typedefs = [Typedef(id: TypedefID(0), name: "T", type: tdType, identity: "T", loc: loc(file, 2))]
        p.globals = [GlobalVar(id: GlobalID(0), name: global, type: .typedef(TypedefID(0)), storage: .none,
                               initializer: .expr(.cast(.typedef(TypedefID(0)), .const(.enumerator(name: "RED", value: 0), .int))),
                               identity: global, loc: loc(file, 3))]
        p.order = [.enumeration(EnumID(0)), .typedef(TypedefID(0)), .global(GlobalID(0))]
        return p
    }
    let m = try Merge.merge([unit("a.c", tag: "color", second: "GREEN", tdType: .int, global: "a"),
                             unit("b.c", tag: "light", second: "AMBER", tdType: .double, global: "b")])
    #expect(m.enums.map(\.names) == [["RED__a", "GREEN"], ["RED__b", "AMBER"]])
    #expect(m.typedefs.map(\.name) == ["T__a", "T__b"])
    let b = try #require(m.globals.first { $0.name == "b" })
    #expect(b.type == .typedef(TypedefID(1)))
    #expect(b.initializer == .expr(.cast(.typedef(TypedefID(1)), .const(.enumerator(name: "RED__b", value: 0), .int))))
}

@Test func tentativeDefinitionsAndDeclarationsBecomeOneVariable() throws {
    // a.c: extern int n[];   b.c: int n[4];   c.c: int n[4] = {1};
    func unit(_ file: String, _ type: CType, _ storage: Storage, _ initializer: Initializer?) -> Program {
        var p = Program()
        p.sources = [file]
        p.globals = [GlobalVar(id: GlobalID(0), name: "n", type: type, storage: storage, initializer: initializer,
                               identity: "n", loc: loc(file, 1))]
        p.order = [.global(GlobalID(0))]
        return p
    }
    let one = Initializer.compound(.array(.int, length: 4), [InitEntry(.index(0), .expr(.const(.int(1), .int)))])
    let m = try Merge.merge([unit("a.c", .array(.int, length: nil), .extern, nil),
                             unit("b.c", .array(.int, length: 4), .none, nil),
                             unit("c.c", .array(.int, length: 4), .none, one)])
    #expect(m.globals.count == 1)
    #expect(m.globals[0].initializer == one && m.globals[0].storage == .none && m.globals[0].loc.file == "c.c")
    #expect(m.order == [.global(GlobalID(0))])
}

@Test func theSameHeaderDefinitionTwiceIsOneDefinition() throws {
    // A header's inline function lowered in two units (same text, same place).
    var a = utilUnit(); a.sources = ["a.c"]
    var b = utilUnit(); b.sources = ["b.c"]
    a.functions[0].loc = loc("util.h", 3); b.functions[0].loc = loc("util.h", 3)
    a.globals = []; b.globals = []
    a.functions[0].body = .block([.return(.const(.int(1), .int), loc("util.h", 3))])
    b.functions[0].body = a.functions[0].body
    a.order = [.record(RecordID(0)), .function(FuncID(0))]; b.order = a.order
    let m = try Merge.merge([a, b])
    #expect(m.functions.filter { $0.name == "norm" }.count == 1)
}

@Test("LINK-3: calls without a prototype are converted where the calling convention carries the value, refused at the call elsewhere")
func unprototypedCallsMeetTheirPrototype() throws {
    let (caller, _) = try lower("""
        int ok(void *n, long len) { return fill(n, len); }
        long widened(void) { return wide(1); }
        int extra(void) { return one(1, 2); }
        int g1(void) { return half(3.0); }
        int g2(void) { return two(1); }
        int g4(void) { return (int)name(); }
        """, name: "caller.c", flags: ["-std=gnu89", "-w"])
    let (callee, _) = try lower("""
        struct num { int used; };
        int fill(struct num *a, int c) { a->used = c; return 0; }
        long wide(long x) { return x << 40; }
        int one(int x) { return x; }
        int half(int x) { return x / 2; }
        int two(int a, int b) { return a + b; }
        char *name(void) { return "x"; }
        """, name: "callee.c")
    #expect(throws: Diagnostics.self) { try Merge.merge([caller, callee]) }
    do {
        _ = try Merge.merge([caller, callee])
    } catch let d as Diagnostics {
        let link3 = d.items.filter { $0.rule == "LINK-3" }
        #expect(link3.count == 3, "\(d)")
        #expect(link3.map(\.loc.line).sorted() == [4, 5, 6], "\(d)")
        #expect(d.items.contains { $0.message.contains("passes argument 1 as 'double', and the parameter is 'int'") }, "\(d)")
        #expect(d.items.contains { $0.message.contains("passes 1 argument, and the function takes 2") }, "\(d)")
        #expect(d.items.contains { $0.message.contains("uses its result as 'int', and the function returns 'char*'") }, "\(d)")
    }
    // Without the three broken calls the program merges, verifies, and each call states its conversions.
    var fine = caller
    fine.functions = fine.functions.map { f in
        var f = f
        if ["g1", "g2", "g4"].contains(f.name) { f.body = .return(.const(.int(0), .int), f.loc) }
        return f
    }
    let m = try Merge.merge([fine, callee])
    #expect(Verifier.verify(m).isEmpty, "\(Verifier.verify(m))")
    let ok = try #require(m.functions.first { $0.name == "ok" })
    var args: [Expr] = []
    Walk.instructions(in: ok.body!) { if case .call(_, _, let a, _) = $0 { args = a } }
    #expect(args.count == 2 && args.allSatisfy { if case .cast = $0 { return true }; return false }, "\(args)")
    let extra = try #require(m.functions.first { $0.name == "extra" })
    Walk.instructions(in: extra.body!) { if case .call(_, _, let a, _) = $0 { args = a } }
    #expect(args.count == 1, "\(args)")
}

@Test("LINK-3, LINK-5: a call through another unit's prototype is converted; a variable used through a declaration of another type is refused at it, an unused one is not")
func declarationsOfAnotherType() throws {
    let (caller, _) = try lower("""
        int f(long x);
        extern long counter;
        extern long quiet;
        extern int table[];
        int main(void) { counter = 2; return f(5L) + table[1]; }
        """, name: "a.c")
    let (callee, _) = try lower("""
        int f(int x) { return x; }
        int counter;
        int quiet;
        int table[4] = {1, 2, 3, 4};
        """, name: "b.c")
    do {
        _ = try Merge.merge([caller, callee])
        Issue.record("a variable used as another type merged")
    } catch let d as Diagnostics {
        let link5 = d.items.filter { $0.rule == "LINK-5" }
        #expect(link5.count == 1, "\(d)")
        #expect(link5.first?.loc.line == 2, "\(d)")
        #expect(link5.first?.message.contains("'counter' is declared here as 'long', and defined as 'int' at") == true, "\(d)")
        #expect(!d.items.contains { $0.rule == "LINK-3" }, "\(d)")
    }
    // Used as its own type, the program merges; the call to f converts its argument.
    var fixed = caller
    fixed.globals = fixed.globals.map { g in var g = g; if g.name == "counter" { g.type = .int }; return g }
    fixed.functions = fixed.functions.map { f in
        var f = f
        if f.name == "main" {
            f.body = Walk.mapInstructions(f.body!) { i in
                if case .assign(let lv, _, let l) = i { return .assign(lv, .const(.int(2), .int), l) }
                return i
            }
        }
        return f
    }
    let m = try Merge.merge([fixed, callee])
    #expect(Verifier.verify(m).isEmpty, "\(Verifier.verify(m))")
    let main = try #require(m.functions.first { $0.name == "main" })
    var args: [Expr] = []
    Walk.instructions(in: main.body!) { if case .call(_, _, let a, _) = $0 { args = a } }
    #expect(args == [.cast(.int, .const(.int(5), .long))], "\(args)")
}
