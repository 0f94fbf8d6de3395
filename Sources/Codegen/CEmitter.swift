// The C emitter: an IR `Program` back to one C translation unit.
//
// The output is meant for gcc and clang in their default GNU C modes and
// must behave exactly as the program the IR was lowered from. It is laid
// out so that everything is declared before use:
//
//   1. typedefs for GNU vector types (`__attribute__((vector_size(N)))`)
//   2. `struct T;` / `union T;` for every named record
//   3. record definitions, in by-value dependency order, each followed by
//      `_Static_assert`s on clang's layout (size, alignment, field offsets):
//      a layout difference is a compile error, never a silent miscompile
//   4. prototypes of all functions
//   5. `extern` (or tentative `static`) declarations of all globals
//   6. file-scope `asm`
//   7. global definitions, 8. function definitions (source order)
//
// Types are always written canonically (typedefs unrolled, enums as their
// underlying integer type), so no typedef or enumerator name can clash with
// anything; record tags are made unique. Expressions are fully
// parenthesized and constants are written with their exact type.

import Checker
import IR
import Instrument

/// IR → C source that gcc-12 and clang-19 compile to a program that behaves as the original.
public struct CEmitter {
    public var program: Program
    /// Emit `#line N "file"` before statements so diagnostics and debuggers point at the original source.
    public var lineDirectives: Bool
    /// Records to wrap with a version tag (an updatable build; Wrapping.swift).
    public var wrapping: TypeWrapping
    /// A patch's type conversions: their transforms and `graft_type_updates`.
    public var typeUpdates: [TypeUpdateSpec]
    /// Other names for globals (GlobalAliases, from `globalAliases`), defined after everything else.
    public var aliases: [GlobalAliases.Alias]
    public init(program: Program, lineDirectives: Bool = false, wrapping: TypeWrapping = TypeWrapping(),
                typeUpdates: [TypeUpdateSpec] = [], aliases: [GlobalAliases.Alias] = []) {
        self.program = program; self.lineDirectives = lineDirectives; self.wrapping = wrapping; self.typeUpdates = typeUpdates
        self.aliases = aliases
    }
    /// The globals the C is given inside their function (a static local whose initializer takes a
    /// label's address, and what names one): they have no file-scope name, so no alias.
    static func globalsInsideFunctions(_ p: Program) -> Set<GlobalID> {
        let e = Emitter(program: p, lineDirectives: false, wrapping: TypeWrapping())
        e.placeLabelAddressGlobals()
        return Set(e.globalsInFunction.keys)
    }

    /// Every alias the C of `p` defines (GlobalAliases): one for each global a patch may name,
    /// but those kept inside their function, which have no file-scope name.
    public static func globalAliases(_ p: Program) -> [GlobalAliases.Alias] {
        let inside = globalsInsideFunctions(p)
        return GlobalAliases.aliases(of: p.globals.filter { !inside.contains($0.id) }, in: p)
    }

    public func emit() -> String {
        let e = Emitter(program: program, lineDirectives: lineDirectives, wrapping: wrapping)
        e.typeUpdates = typeUpdates
        e.aliases = aliases
        return e.run()
    }
}

/// The mutable state of one emission.
final class Emitter {
    let p: Program
    let lineDirectives: Bool
    let wrapping: TypeWrapping
    var typeUpdates: [TypeUpdateSpec] = []
    var aliases: [GlobalAliases.Alias] = []

    /// Emitted tag of each record (unique across records).
    var tags: [String] = []
    /// Records standing for the ABI's `__va_list_tag` (never defined by us).
    var vaTagRecords: Set<Int> = []
    /// Vector types met so far and their synthesized typedef names.
    var vectorNames: [CType: String] = [:]
    var vectorDefs: [String] = []

    /// Globals that must be emitted as static locals of a function
    /// (their initializer takes the address of a label): global → function.
    var globalsInFunction: [GlobalID: FuncID] = [:]
    /// The same globals in the order they must be defined.
    var movedGlobals: [GlobalID] = []
    var globalNames: Set<String> = []

    // Per-function state.
    var fn: Function?
    var localNames: [String] = []
    /// The innermost enclosing loops: the label `continue` must jump to
    /// (nil: a plain `continue` is right).
    var loopStack: [String?] = []
    var contCounter = 0
    /// Types of the enclosing switches' controlling expressions.
    var switchTypes: [CType] = []
    var lastLine: (file: String, line: Int)?
    /// While printing the parameter types of a function type, VLA lengths
    /// are written `[*]` (their expressions name no local of this scope).
    var starVLA = 0

    var out = ""

    init(program: Program, lineDirectives: Bool, wrapping: TypeWrapping = TypeWrapping()) {
        self.p = program
        self.lineDirectives = lineDirectives
        self.wrapping = wrapping
    }

    func run() -> String {
        assignTags()
        for g in p.globals { globalNames.insert(g.name) }
        for f in p.functions { globalNames.insert(f.name) }
        placeLabelAddressGlobals()

        var body = ""
        swap(&out, &body)
        emitRecords()
        if !wrapping.isEmpty { out += wrappedTypeList() }
        emitPrototypes()
        emitGlobalDeclarations()
        emitDefinitions()
        if !typeUpdates.isEmpty { emitTypeUpdates() }
        if !wrapping.isEmpty { out += staticNotes() }
        out += GlobalAliases.c(aliases)
        swap(&out, &body)

        var text = "/* Generated by graft. */\n"
        if !wrapping.isEmpty { text += "#include \"graft_runtime.h\"\n" }
        if !vectorDefs.isEmpty { text += "\n" + vectorDefs.joined(separator: "\n") + "\n" }
        text += body
        return text
    }

    // MARK: Output helpers

    func line(_ s: String, _ indent: Int = 0) {
        out += String(repeating: "    ", count: indent)
        out += s
        out += "\n"
    }

    /// `#line` before a statement whose location differs from the last one.
    func lineDirective(_ loc: SourceLoc) {
        guard lineDirectives, loc.line > 0, !loc.file.isEmpty else { return }
        if let last = lastLine, last.file == loc.file, last.line == loc.line { return }
        lastLine = (loc.file, loc.line)
        out += "#line \(loc.line) \(cString(Array(loc.file.utf8)))\n"
    }

    // MARK: Names

    func assignTags() {
        var used: Set<String> = []
        for (i, r) in p.records.enumerated() {
            if r.tag == "__va_list_tag" { vaTagRecords.insert(i) }
            var base = isIdentifier(r.tag) ? r.tag : "__graft_rec_\(i)"
            if base == "__va_list_tag" { base = "__graft_va_list_tag" }
            var name = base
            var n = 2
            while used.contains(name) { name = "\(base)__\(n)"; n += 1 }
            used.insert(name)
            tags.append(name)
        }
    }

    func localName(_ id: LocalID) -> String {
        guard id.index >= 0, id.index < localNames.count else { return "__graft_bad_local_\(id.index)" }
        return localNames[id.index]
    }

    func globalName(_ id: GlobalID) -> String {
        guard id.index >= 0, id.index < p.globals.count else { return "__graft_bad_global_\(id.index)" }
        return p.globals[id.index].name
    }

    func functionName(_ id: FuncID) -> String {
        guard id.index >= 0, id.index < p.functions.count else { return "__graft_bad_function_\(id.index)" }
        return p.functions[id.index].name
    }

    // MARK: Attributes

    static func isAsmLabel(_ a: Attribute) -> Bool {
        ["asm", "asm_label", "asmlabel"].contains(Attribute.bareName(a.name).lowercased())
    }

    /// `__attribute__((…))` for the attributes that are not already part of
    /// the emitted type, "" if none.
    func attributes(_ attrs: [Attribute]) -> String {
        var parts: [String] = []
        for a in attrs {
            let bare = Attribute.bareName(a.name)
            if Emitter.isAsmLabel(a) { continue }
            // Already reflected in the (canonical) type.
            if ["vector_size", "ext_vector_type", "mode"].contains(bare) { continue }
            // `#pragma pack(N)` in force at the definition: emitted around it, not as an attribute.
            if a.name == Attribute.pragmaPack { continue }
            if a.name == Updatable.inlineOnlyAttribute { continue }
            var name = a.name
            if bare == "_Alignas" || bare == "alignas" { name = "aligned" }
            parts.append(a.args.isEmpty ? name : "\(name)(\(a.args.joined(separator: ", ")))")
        }
        return parts.isEmpty ? "" : "__attribute__((\(parts.joined(separator: ", "))))"
    }

    /// ` __asm__("name")` for an asm label attribute, "" if none.
    func asmLabel(_ attrs: [Attribute]) -> String {
        guard let a = attrs.first(where: Emitter.isAsmLabel), let arg = a.args.first else { return "" }
        let t = arg.trimmingCharacters(in: " ")
        let quoted = t.hasPrefix("\"") ? t : cString(Array(t.utf8))
        return " __asm__(\(quoted))"
    }

    func hasAttribute(_ attrs: [Attribute], _ name: String) -> Bool {
        attrs.contains { Attribute.bareName($0.name) == name }
    }

    // MARK: Placement of globals that belong inside a function

    /// A static local whose initializer takes a label's address (`&&l`) must
    /// stay inside its function: at file scope the label does not exist.
    func placeLabelAddressGlobals() {
        for g in p.globals {
            guard let i = g.initializer, initializerHasLabelAddr(i) else { continue }
            // identity `file.c:function:name` (or `function:name`)
            let parts = g.identity.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2 else { continue }
            let fname = parts[parts.count - 2]
            let prefix = parts.dropLast().joined(separator: ":")
            let candidates = p.functions.filter { $0.body != nil && ($0.identity == prefix || $0.sourceName == fname || $0.name == fname) }
            if let f = candidates.first(where: { $0.identity == prefix }) ?? candidates.first {
                globalsInFunction[g.id] = f.id
                movedGlobals.append(g.id)
            }
        }
        // A global whose initializer names a moved one moves along with it.
        var changed = !globalsInFunction.isEmpty
        while changed {
            changed = false
            for g in p.globals where globalsInFunction[g.id] == nil {
                guard let i = g.initializer else { continue }
                var used: [GlobalID] = []
                globalsUsed(i, &used)
                if let f = used.lazy.compactMap({ self.globalsInFunction[$0] }).first {
                    globalsInFunction[g.id] = f
                    movedGlobals.append(g.id)
                    changed = true
                }
            }
        }
    }

    func globalsUsed(_ i: Initializer, _ out: inout [GlobalID]) {
        switch i {
        case .expr(let e): globalsUsed(e, &out)
        case .compound(_, let es): for en in es { globalsUsed(en.value, &out) }
        }
    }

    func globalsUsed(_ e: Expr, _ out: inout [GlobalID]) {
        switch e {
        case .const, .function, .sizeOf, .alignOf, .labelAddr: break
        case .read(let lv), .addrOf(let lv), .startOf(let lv): globalsUsed(lv, &out)
        case .unary(_, let a, _), .cast(_, let a), .current(_, let a), .pinned(_, _, let a): globalsUsed(a, &out)
        case .binary(_, let a, let b, _): globalsUsed(a, &out); globalsUsed(b, &out)
        case .cond(let a, let b, let c, _): globalsUsed(a, &out); globalsUsed(b, &out); globalsUsed(c, &out)
        case .compoundLiteral(_, let i): globalsUsed(i, &out)
        }
    }

    func globalsUsed(_ lv: LValue, _ out: inout [GlobalID]) {
        switch lv.host {
        case .global(let id): out.append(id)
        case .mem(let e): globalsUsed(e, &out)
        case .compound(_, let i): globalsUsed(i, &out)
        case .local: break
        }
        for o in lv.offsets { if case .index(let e) = o { globalsUsed(e, &out) } }
    }

    /// Names of builtins a statement calls (a local must not hide them).
    func builtinNames(_ s: Stmt, _ out: inout Set<String>) {
        switch s {
        case .instr(.call(_, .builtin(let n), _, _)): out.insert(n)
        case .instr: break
        case .block(let ss): for x in ss { builtinNames(x, &out) }
        case .if(_, let t, let e, _): builtinNames(t, &out); if let e { builtinNames(e, &out) }
        case .loop(let b, let n, _): builtinNames(b, &out); if let n { builtinNames(n, &out) }
        case .switch(_, let b, _): builtinNames(b, &out)
        case .local, .break, .continue, .label, .goto, .computedGoto, .return: break
        }
    }

    func initializerHasLabelAddr(_ i: Initializer) -> Bool {
        switch i {
        case .expr(let e): return exprHasLabelAddr(e)
        case .compound(_, let es): return es.contains { initializerHasLabelAddr($0.value) }
        }
    }

    func exprHasLabelAddr(_ e: Expr) -> Bool {
        switch e {
        case .labelAddr: return true
        case .const, .function, .sizeOf, .alignOf: return false
        case .read(let lv), .addrOf(let lv), .startOf(let lv): return lvalueHasLabelAddr(lv)
        case .unary(_, let a, _), .cast(_, let a), .current(_, let a), .pinned(_, _, let a): return exprHasLabelAddr(a)
        case .binary(_, let a, let b, _): return exprHasLabelAddr(a) || exprHasLabelAddr(b)
        case .cond(let a, let b, let c, _): return exprHasLabelAddr(a) || exprHasLabelAddr(b) || exprHasLabelAddr(c)
        case .compoundLiteral(_, let i): return initializerHasLabelAddr(i)
        }
    }

    func lvalueHasLabelAddr(_ lv: LValue) -> Bool {
        switch lv.host {
        case .mem(let e): if exprHasLabelAddr(e) { return true }
        case .compound(_, let i): if initializerHasLabelAddr(i) { return true }
        case .local, .global: break
        }
        return lv.offsets.contains { if case .index(let e) = $0 { return exprHasLabelAddr(e) }; return false }
    }
}

func isIdentifier(_ s: String) -> Bool {
    guard let f = s.utf8.first, f == UInt8(ascii: "_") || (f | 0x20) >= UInt8(ascii: "a") && (f | 0x20) <= UInt8(ascii: "z") else { return false }
    return s.utf8.allSatisfy { c in
        c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
            || ((c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z"))
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
