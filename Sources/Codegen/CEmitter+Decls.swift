// Declarations: function prototypes, global declarations and definitions,
// function definitions.

import Checker
import IR
import Instrument

extension Emitter {
    // MARK: Prototypes

    func storagePrefix(_ s: Storage) -> String {
        switch s {
        case .none: return ""
        case .extern: return "extern "
        case .static: return "static "
        }
    }

    func functionPrefix(_ f: Function) -> String {
        // An inline-only definition an updatable build keeps direct (Updatable.inlineOnlyAttribute).
        let inlineOnly = f.body != nil && f.attributes.contains { $0.name == Updatable.inlineOnlyAttribute }
        var s = inlineOnly ? "static " : storagePrefix(f.storage)
        if f.isInline || inlineOnly { s += "inline " }
        let attrs = attributes(f.attributes)
        if !attrs.isEmpty { s += attrs + " " }
        return s
    }

    func emitPrototypes() {
        guard !p.functions.isEmpty else { return }
        line("")
        for f in p.functions {
            let saved = fn
            fn = nil
            line(functionPrefix(f) + decl(.function(f.type), f.name) + asmLabel(f.attributes) + ";")
            fn = saved
        }
    }

    // MARK: Globals

    /// The global's type, with an incomplete array completed from its
    /// initializer (a tentative `static T a[];` is not valid C).
    func globalType(_ g: GlobalVar) -> CType {
        guard case .array(let e, nil) = p.unroll(g.type), let i = g.initializer else { return g.type }
        var n: Int?
        switch i {
        case .compound(_, let entries):
            n = entries.map { en -> Int in
                switch en.designator {
                case .index(let k), .field(let k): return k + 1
                case .range(_, let b): return b + 1
                }
            }.max() ?? 0
        case .expr(.const(.string(let units, _), let st)):
            if case .array(_, let len?) = p.unroll(st) { n = len } else { n = units.count + 1 }
        case .expr(let x):
            if case .array(_, let len?) = p.unroll(typeOfExpr(x)) { n = len }
        }
        guard let n else { return g.type }
        let q = p.qualifiers(g.type)
        let a = CType.array(e, length: n)
        return q.isEmpty ? a : .qualified(a, q)
    }

    func isAlias(_ g: GlobalVar) -> Bool { hasAttribute(g.attributes, "alias") }

    func emitGlobalDeclarations() {
        var lines: [String] = []
        for g in p.globals where globalsInFunction[g.id] == nil {
            let tls = g.isThreadLocal ? "_Thread_local " : ""
            let t = globalType(g)
            if g.storage == .static {
                if isAlias(g) { continue }
                // A tentative definition; completed by the definition below.
                lines.append("static " + tls + decl(t, g.name) + asmLabel(g.attributes) + ";")
            } else {
                var s = "extern " + tls + decl(t, g.name) + asmLabel(g.attributes)
                if isDeclarationOnly(g) {
                    let attrs = attributes(g.attributes)
                    if !attrs.isEmpty { s += " " + attrs }
                }
                lines.append(s + ";")
            }
        }
        if !lines.isEmpty {
            line("")
            for l in lines { line(l) }
        }
    }

    /// An `extern` declaration with nothing to define here (aliases are
    /// defined by their `extern … alias(…)` declaration).
    func isDeclarationOnly(_ g: GlobalVar) -> Bool {
        (g.storage == .extern && g.initializer == nil) || (g.storage != .static && isAlias(g))
    }

    /// `static T x __attribute__((…)) = init;`
    func globalDefinition(_ g: GlobalVar) -> String {
        var s = g.storage == .static ? "static " : ""
        if g.isThreadLocal { s += "_Thread_local " }
        s += decl(globalType(g), g.name) + asmLabel(g.attributes)
        let attrs = attributes(g.attributes)
        if !attrs.isEmpty { s += " " + attrs }
        if let i = g.initializer { s += " = " + initializer(i, g.type) }
        return s + ";"
    }

    // MARK: Definitions in source order

    func emitDefinitions() {
        var seenG = Set<GlobalID>(), seenF = Set<FuncID>()
        var asms: [String] = []
        var items: [TopLevel] = []
        for t in p.order {
            switch t {
            case .global(let id) where id.index >= 0 && id.index < p.globals.count:
                if seenG.insert(id).inserted { items.append(t) }
            case .function(let id) where id.index >= 0 && id.index < p.functions.count:
                if seenF.insert(id).inserted { items.append(t) }
            case .asm(let a): asms.append(a)
            default: break
            }
        }
        for g in p.globals where !seenG.contains(g.id) { items.append(.global(g.id)) }
        for f in p.functions where !seenF.contains(f.id) { items.append(.function(f.id)) }

        if !asms.isEmpty {
            line("")
            for a in asms { line("__asm__(" + cString(Array(a.utf8)) + ");") }
        }

        var first = true
        for t in items {
            guard case .global(let id) = t else { continue }
            let g = p.globals[id.index]
            if globalsInFunction[id] != nil || isDeclarationOnly(g) { continue }
            if first { line(""); first = false }
            line(globalDefinition(g))
        }
        for t in items {
            guard case .function(let id) = t, p.functions[id.index].body != nil else { continue }
            emitFunction(p.functions[id.index])
        }
    }

    // MARK: Functions

    func emitFunction(_ f: Function) {
        fn = f
        contCounter = 0
        loopStack = []
        defer { fn = nil }
        var taken = globalNames
        if let b = f.body { builtinNames(b, &taken) }
        localNames = f.locals.enumerated().map { i, l in
            let base = isIdentifier(l.name) ? l.name : "__graft_local_\(i)"
            return taken.contains(base) ? "\(base)__l\(i)" : base
        }
        let declared = f.body.map(Walk.declaredLocals) ?? []

        line("")
        lineDirective(f.loc)
        // Header.
        var s = functionPrefix(f)
        let paramLocals = f.params.filter { $0.index >= 0 && $0.index < f.locals.count }.map { f.locals[$0.index] }
        var knr: [String] = []
        var plist: String
        if f.type.hasPrototype {
            if paramLocals.isEmpty {
                plist = f.type.variadic ? "..." : "void"
            } else {
                plist = paramLocals.map { l in
                    (l.isRegister ? "register " : "") + decl(adjustParameter(l.type), localName(l.id))
                }.joined(separator: ", ")
                if f.type.variadic { plist += ", ..." }
            }
        } else {
            // K&R definition: callers pass promoted arguments, the callee converts.
            plist = paramLocals.map { localName($0.id) }.joined(separator: ", ")
            knr = paramLocals.map { l in
                (l.isRegister ? "register " : "") + decl(adjustParameter(l.type), localName(l.id)) + ";"
            }
        }
        s += decl(f.type.result, f.name + "(" + plist + ")")
        line(s)
        for k in knr { line(k, 1) }
        line("{")
        // Static locals that take label addresses live here.
        for gid in movedGlobals where globalsInFunction[gid] == f.id {
            // Always `static` here: a block-scope object without it would live on the stack.
            var g = p.globals[gid.index]
            g.storage = .static
            line(globalDefinition(g), 1)
        }
        // Locals without a declaration point (temporaries).
        for l in f.locals where !l.isParam && !declared.contains(l.id) && !f.params.contains(l.id) {
            line(localDeclaration(l, nil, hoisted: true), 1)
        }
        if let b = f.body {
            if case .block(let ss) = b {
                for st in ss { stmt(st, 1) }
            } else {
                stmt(b, 1)
            }
        }
        line("}")
    }

    /// A patch's constructor that records its own static objects of wrapped
    /// types the program already has as being of the patch's representation
    /// (REP-3: the patch may be the one that changes it).
    func staticNotes() -> String {
        var rows: [String] = []
        for g in p.globals where g.storage != .extern && !isDeclarationOnly(g) {
            guard let rid = wrappedRecord(g.type), isExisting(rid) else { continue }
            rows.append("    " + note("(void *)&" + g.name, rid, always: true))
        }
        guard !rows.isEmpty else { return "" }
        return "\n/* graft: this patch's static objects of wrapped types, recorded at their representation. */\n"
            + "__attribute__((constructor)) static void graft_note_statics(void) {\n" + rows.joined(separator: "\n") + "\n}\n"
    }

    /// `register T name __asm__("r") __attribute__((…)) = init;`
    func localDeclaration(_ l: Local, _ i: Initializer?, hoisted: Bool) -> String {
        var s = l.isRegister ? "register " : ""
        // The IR may assign to a const local after its declaration point
        // (e.g. an initializer lowered to control flow): drop top-level const.
        let t = droppingConst(l.type)
        s += decl(t, localName(l.id)) + asmLabel(l.attributes)
        let attrs = attributes(l.attributes)
        if !attrs.isEmpty { s += " " + attrs }
        if let i {
            if isVLA(l.type) {
                // A VLA cannot have an initializer; `{}` means all zero.
                if case .compound(_, let es) = i, es.isEmpty {
                    return s + "; __builtin_memset(" + localName(l.id) + ", 0, sizeof(" + localName(l.id) + "));"
                }
            }
            s += " = " + initializer(i, l.type)
        }
        return s + ";"
    }
}
