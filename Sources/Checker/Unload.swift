// Unloading superseded patches (Specs/deploy.md DEPLOY-8): the static half.
//
// The runtime dlcloses a superseded patch P once no slot points into it, no
// parked thread's stack has a frame in it and the type registry holds no
// transform of its for an object not yet converted — and only when P's
// descriptor says `unloadable = 1`. That bit is this analysis's verdict: P
// is unloadable only if nothing else can hold an address inside P's shared
// object once P is superseded. It is conservative: it refuses (keeps P
// loaded, with the reason) when
//
//   1. P defines storage of its own (a new global, a new function-local
//      static, a slot of a new function) or a symbol a later patch could
//      bind to by name (a function defined with external linkage: a new
//      function's trampoline, a changed function that has no slot), other
//      than the entries the runtime calls through the descriptor (the state
//      transformer, the type transformers, the carry of PATCH-3's globals);
//   2. an address inside P — a string literal, a function defined in P, a
//      label's address, the address of an object P defines — flows anywhere
//      but a nocapture argument of a direct call, a comparison, a
//      dereference (an lvalue's host, an index), a call through it, or a
//      local whose address is never taken and whose every use again obeys
//      these rules. Stored to memory, returned, cast to an integer, passed
//      through a function pointer, to inline assembly or to a function not
//      known to leave it alone, it escapes.
//   3. A parameter of a function of the NEW program is nocapture when the
//      parameter (and every local it flows into) is only dereferenced,
//      compared or passed on to nocapture parameters: the greatest fixpoint
//      over the call graph (all nocapture at first; a parameter with a
//      capturing use is removed; again until nothing changes), as LLVM's
//      FunctionAttrs computes it. Library functions: `libraryLeaves`, a
//      short list per (function, argument).
//   4. The transformers P carries are P's code: the same rules.
//
// A function's address in a patch's code is the running program's: a call
// goes through its slot and a function used as a value is its trampoline,
// which the patch names (declares) and the executable defines — so `&f`
// for a function OLD has is no address inside P. Only a function the patch
// itself defines (a new function's trampoline, an inline-only copy, a
// function with no slot) has its address inside P.
//
// Not covered (known to be unsound, stated in Specs/deploy.md DEPLOY-8): a
// callee's nocapture is NEW's; if a later patch changes a callee that P's
// still-live code calls so that it keeps the argument, this verdict does
// not see it.

import IR

public enum Unload {
    public enum Verdict: Hashable, Codable, Sendable {
        case unloadable
        case keptLoaded(reason: String)

        public var isUnloadable: Bool { if case .unloadable = self { return true }; return false }
        /// Why the patch stays loaded; nil when it can be unloaded.
        public var reason: String? { if case .keptLoaded(let r) = self { return r }; return nil }
        /// The line `graft patch` prints.
        public var line: String {
            switch self {
            case .unloadable: return "unload: yes (nothing outside slots and stacks can refer to it once superseded) [DEPLOY-8]"
            case .keptLoaded(let r): return "unload: no: " + r
            }
        }
    }

    /// The verdict on a patch (DEPLOY-8): `patch` is the patch's program as
    /// the generator made it (its definitions are the patch's code, its
    /// declarations the running program's entities); `newProgram` is the
    /// whole NEW program the patch brings the process to, instrumented as
    /// the patch's code is (so that identities and slots agree), for the
    /// callees. `runtimeEntries`: the names of the functions the runtime
    /// calls through the descriptor (state transformer, type transformers).
    /// `implPrefix`: the updatable build's prefix of an implementation.
    public static func verdict(patch: Program, newProgram: Program, runtimeEntries: Set<String> = [],
                               implPrefix: String = "graft_impl_") -> Verdict {
        let world = World(new: newProgram, implPrefix: implPrefix)
        if let r = definitions(patch, runtimeEntries: runtimeEntries) { return .keptLoaded(reason: r + " [DEPLOY-8]") }
        let keeps = world.capturing()
        for f in patch.functions where f.body != nil {
            let a = FunctionAnalysis(program: patch, function: f, world: world, keeps: keeps, patchSources: true, seeds: .none)
            if let e = a.run().first {
                let whereAndHow = [place(e.loc), e.via.map { world.chain($0, keeps) }].compactMap { $0 }.joined(separator: "; ")
                return .keptLoaded(reason: "'\(display(f))' \(e.what)\(whereAndHow.isEmpty ? "" : " (" + whereAndHow + ")"): an address inside the patch could outlive it [DEPLOY-8]")
            }
        }
        return .unloadable
    }

    /// DEPLOY-8, across patches: nil when every parameter of a function OLD
    /// and NEW both define that keeps nothing in OLD keeps nothing in NEW
    /// either; otherwise the first one that now may keep what it is given, as
    /// a sentence. An earlier patch's verdict was made against the functions
    /// of the program it brought the process to (this patch's OLD); its code,
    /// if it still runs once this patch is applied, calls this patch's
    /// functions, and the verdict holds only if they keep no more than OLD's.
    public static func keepsNoCapture(old: Program, new: Program, implPrefix: String = "graft_impl_") -> String? {
        let was = World(new: old, implPrefix: implPrefix), now = World(new: new, implPrefix: implPrefix)
        let keptBefore = was.capturing(), keptNow = now.capturing()
        for (k, kept) in keptNow.sorted(by: { ($0.key.identity, $0.key.index) < ($1.key.identity, $1.key.index) })
        where keptBefore[k] == nil {
            guard let f = was.byIdentity[k.identity], k.index < f.params.count, k.index >= 0 || f.type.variadic else { continue }
            let what = k.index < 0 ? "its variadic arguments" : "its parameter '\(f.locals[f.params[k.index].index].sourceName)'"
            return "'\(kept.function)' now may keep \(what), which it did not before (\(now.chain(k, keptNow))): the patches applied before this one stay loaded [DEPLOY-8]"
        }
        return nil
    }

    // MARK: Rule 1: what the patch defines

    /// The first definition of `patch` that a later patch or the program could reach by name, as a clause; nil: none.
    static func definitions(_ patch: Program, runtimeEntries: Set<String>) -> String? {
        // File-scope assembly can define anything.
        if patch.order.contains(where: { if case .asm = $0 { return true }; return false }) {
            return "the patch carries file-scope assembly, which can define symbols and data of its own"
        }
        // A declaration with `alias` or `ifunc` defines a symbol (a `weakref` only names one).
        let aliasing: ([Attribute]) -> Bool = { $0.contains { ["alias", "ifunc"].contains(Attribute.bareName($0.name)) } }
        if let f = patch.functions.first(where: { $0.storage != .static && aliasing($0.attributes) }) {
            return "the patch defines '\(display(f))'\(at(f.loc)) as an alias, a name a later patch could bind to"
        }
        if let g = patch.globals.first(where: { $0.storage != .static && aliasing($0.attributes) }) {
            return "the patch defines '\(g.sourceName)'\(at(g.loc)) as an alias, a name a later patch could bind to"
        }
        // Functions with external linkage (an inline-only copy is emitted `static inline`).
        for f in patch.functions where f.body != nil && f.storage != .static && !runtimeEntries.contains(f.name)
            && !f.name.hasPrefix(PatchValidation.commitPrefix) && !f.attributes.contains(where: { $0.name.hasPrefix("#graft static inline") })
            && !inlineDefinitionOnly(f) {
            let isNew = patch.globals.contains { $0.identity == "slot:" + f.identity && $0.storage != .extern }
            return isNew
                ? "'\(display(f))' is a new function\(at(f.loc)): the patch defines it and its slot under names a later patch binds to"
                : "the patch defines '\(display(f))'\(at(f.loc)) under its own name, which a later patch could bind to"
        }
        for g in patch.globals where g.storage != .extern || g.initializer != nil {
            if g.identity.hasPrefix("slot:") {
                let fn = String(g.identity.dropFirst(5))
                let shown = patch.functions.first { $0.identity == fn }.map(display) ?? fn
                return "'\(shown)' is a new function\(at(g.loc)): the patch defines its slot, which a later patch binds to by name"
            }
            let parts = g.identity.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count >= 3 {
                return "the patch defines the static variable '\(g.sourceName)' of '\(parts[parts.count - 2])'\(at(g.loc)), storage of its own that the program and later patches reach"
            }
            return "the patch defines the global '\(g.sourceName)'\(at(g.loc)), storage of its own that the program and later patches reach"
        }
        return nil
    }

    /// An inline definition that is never emitted out of line (C99 `inline` without `extern`, GNU
    /// `extern inline`; the frontend's applyInlineSemantics leaves `isInline` set on just those, and on
    /// GNU's plain `inline`, which is emitted).
    static func inlineDefinitionOnly(_ f: Function) -> Bool {
        guard f.isInline, f.storage != .static else { return false }
        let gnu = f.attributes.contains { Attribute.bareName($0.name) == "gnu_inline" }
        return f.storage == .extern || !gnu
    }

    // MARK: Callees

    /// What a call reaches.
    enum Target {
        /// A function NEW defines, by identity.
        case program(String, Function)
        /// A function outside the program (libc) or a compiler builtin, by name.
        case library(String)
        /// Through a pointer that is not a slot.
        case pointer
    }

    /// The NEW program's definitions, by identity, and the nocapture fixpoint over them.
    struct World {
        let new: Program
        let implPrefix: String
        let byIdentity: [String: Function]

        init(new: Program, implPrefix: String) {
            self.new = new
            self.implPrefix = implPrefix
            var m: [String: Function] = [:]
            for f in new.functions where f.body != nil {
                // An indirected function's implementation, not its trampoline (which calls through the slot).
                if let had = m[f.identity], had.name.hasPrefix(implPrefix) || !f.name.hasPrefix(implPrefix) { continue }
                m[f.identity] = f
            }
            byIdentity = m
        }

        /// "outer → middle → set_name, which stores its parameter 'n' to memory (t.c:12)".
        func chain(_ k: Key, _ keeps: [Key: Kept]) -> String {
            var names: [String] = [], k = k, seen: Set<Key> = []
            while let kept = keeps[k], seen.insert(k).inserted {
                names.append(kept.function)
                guard let next = kept.next, keeps[next] != nil, !seen.contains(next) else {
                    return names.joined(separator: " → ") + ", which " + kept.what + (place(kept.loc).map { " at " + $0 } ?? "")
                }
                k = next
            }
            return names.joined(separator: " → ")
        }

        func target(_ c: Callee, in p: Program) -> Target {
            switch c {
            case .direct(let id):
                guard p.functions.indices.contains(id.index) else { return .pointer }
                let f = p.functions[id.index]
                if let d = byIdentity[f.identity] { return .program(f.identity, d) }
                return f.body == nil ? .library(f.name) : .pointer
            case .indirect(.read(let lv)):
                if lv.offsets.isEmpty, case .global(let g) = lv.host, p.globals.indices.contains(g.index), p.globals[g.index].identity.hasPrefix("slot:") {
                    let id = String(p.globals[g.index].identity.dropFirst(5))
                    if let d = byIdentity[id] { return .program(id, d) }
                }
                return .pointer
            case .indirect: return .pointer
            case .builtin(let n): return .library(n)
            }
        }

        /// The parameters (identity, index; -1 for the variadic part) that may keep what they are given: the
        /// complement of the greatest nocapture fixpoint.
        func capturing() -> [Key: Kept] {
            var keeps: [Key: Kept] = [:]
            let functions = byIdentity.sorted { $0.key < $1.key }
            var changed = true
            var rounds = 0
            while changed {
                changed = false
                rounds += 1
                if rounds > 64 {
                    // Does not happen (the set only grows); if it did, every parameter keeps.
                    for (id, f) in functions { for i in -1..<f.params.count { keeps[Key(id, i)] = Kept(function: display(f), what: "may keep it", loc: f.loc, next: nil) } }
                    return keeps
                }
                for (id, f) in functions {
                    for i in (f.type.variadic ? -1 : 0)..<f.params.count where keeps[Key(id, i)] == nil {
                        let a = FunctionAnalysis(program: new, function: f, world: self, keeps: keeps, patchSources: false,
                                                 seeds: i < 0 ? .variadic : .parameter(i))
                        if let e = a.run().first {
                            keeps[Key(id, i)] = Kept(function: display(f), what: e.what, loc: e.loc, next: e.via)
                            changed = true
                        }
                    }
                }
            }
            return keeps
        }
    }

    /// Why a parameter may keep what it is given: the first capturing use, in `function`; `next`: the
    /// callee's parameter it is passed to, when that is the use.
    struct Kept {
        let function: String, what: String, loc: SourceLoc, next: Key?
    }

    struct Key: Hashable {
        let identity: String, index: Int
        init(_ identity: String, _ index: Int) { self.identity = identity; self.index = index }
    }

    // MARK: Library functions

    /// Library functions (and compiler builtins) known to keep none of their pointer arguments at the given
    /// positions; nil: every argument. A function returning a pointer derived from an argument (strchr,
    /// strstr, memchr, strtok) is not listed for it.
    static let leaves: [String: Set<Int>?] = {
        var m: [String: Set<Int>?] = [:]
        for n in ["printf", "fprintf", "sprintf", "snprintf", "dprintf", "vprintf", "vfprintf", "vsprintf", "vsnprintf", "vdprintf",
                  "syslog", "vsyslog", "puts", "fputs", "fputc", "putc", "putchar", "fwrite", "write", "send", "sendto",
                  "strlen", "strnlen", "strcmp", "strncmp", "strcasecmp", "strncasecmp", "memcmp", "strspn", "strcspn",
                  "atoi", "atol", "atoll", "strdup", "strndup", "perror", "memcpy", "memmove", "memset",
                  "va_start", "va_end", "expect", "constant_p", "object_size", "dynamic_object_size", "prefetch"] { m[n] = .some(nil) }
        for n in ["strcpy", "strncpy", "strcat", "strncat", "stpcpy"] { m[n] = [1] }
        return m
    }()

    /// The argument whose value (or a pointer derived from it) the function returns.
    static let returnsArgument: [String: Int] = ["memcpy": 0, "memmove": 0, "memset": 0, "strcpy": 0, "strncpy": 0, "strcat": 0,
                                                 "strncat": 0, "stpcpy": 0, "expect": 0]

    /// `__builtin___memcpy_chk` → `memcpy`, `__builtin_strlen` → `strlen`, `__sprintf_chk` → `sprintf`.
    static func libraryName(_ n: String) -> String {
        var s = Substring(n)
        if s.hasPrefix("__builtin_") { s = s.dropFirst("__builtin_".count) }
        if s.hasPrefix("__") && s.hasSuffix("_chk") { s = s.dropFirst(2).dropLast(4) }
        return String(s)
    }

    /// Whether library function `name` leaves argument `i` of `args` alone.
    static func libraryLeaves(_ name: String, _ i: Int, _ args: [Expr]) -> Bool {
        let n = libraryName(name)
        if ["strtol", "strtoul", "strtoll", "strtoull", "strtod", "strtof", "strtold"].contains(n) {
            // Only the string, and only when no end pointer is asked for (it would point into the string).
            return i == 0 && args.count > 1 && isNull(args[1])
        }
        guard let entry = leaves[n] else { return false }
        return entry.map { $0.contains(i) } ?? true
    }

    static func isNull(_ e: Expr) -> Bool {
        switch e {
        case .const(.int(0), _): return true
        case .cast(_, let x): return isNull(x)
        default: return false
        }
    }

    // MARK: Names

    static func display(_ f: Function) -> String {
        if let o = Extracted.origin(f.identity) {
            let parent = o.parent.split(separator: ":").last.map(String.init) ?? o.parent
            return o.kind == .loop ? "the loop in \(parent)" : parent
        }
        return f.sourceName
    }

    static func at(_ l: SourceLoc) -> String { place(l).map { " (\($0))" } ?? "" }

    /// "commands.c:25"; nil where the IR has no location.
    static func place(_ l: SourceLoc) -> String? {
        guard l.line > 0, !l.file.isEmpty else { return nil }
        return (l.file.split(separator: "/").last.map(String.init) ?? l.file) + ":\(l.line)"
    }

    static func literal(_ units: [UInt32]) -> String {
        let s = String(decoding: units.prefix(40).map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        let shown = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return "\"" + shown + (units.count > 40 ? "…" : "") + "\""
    }
}

// MARK: - One function

/// Where an address inside the patch (or a parameter's value) goes in one function: its escapes.
struct FunctionAnalysis {
    enum Seeds { case none, parameter(Int), variadic }
    struct Escape {
        let what: String, loc: SourceLoc
        /// The callee's parameter that keeps it, when it is passed to one.
        var via: Unload.Key? = nil
    }

    let program: Program
    let function: Function
    let world: Unload.World
    let keeps: [Unload.Key: Unload.Kept]
    /// Addresses inside the patch (string literals, its functions, labels, its objects) are what is followed.
    let patchSources: Bool
    let seeds: Seeds

    /// The escapes, the first first (empty: none).
    func run() -> [Escape] {
        guard let body = function.body else { return [] }
        var state = State(addressTaken: addressTaken(body))
        var seeded: [Escape] = []
        switch seeds {
        case .none: break
        case .parameter(let i):
            guard function.params.indices.contains(i) else { return [] }
            let l = function.params[i]
            state.tainted[l] = "its parameter '\(function.locals[l.index].sourceName)'"
            if state.addressTaken.contains(l) { seeded.append(Escape(what: "takes the address of its parameter", loc: function.loc)) }
        case .variadic:
            for l in function.locals where isVaList(l.type) {
                state.tainted[l.id] = "its variadic arguments"
                if state.addressTaken.contains(l.id) { seeded.append(Escape(what: "takes the address of its va_list", loc: l.loc)) }
            }
        }
        // The locals that hold what is followed, to a fixpoint; then the escapes of the last pass.
        var rounds = 0
        while true {
            state.escapes = []
            let before = state.tainted.count
            stmt(body, &state)
            rounds += 1
            if state.tainted.count == before || rounds > 1000 { break }
        }
        return seeded + state.escapes
    }

    struct State {
        var tainted: [LocalID: String] = [:]
        let addressTaken: Set<LocalID>
        var escapes: [Escape] = []
        init(addressTaken: Set<LocalID>) { self.addressTaken = addressTaken }
    }

    func isVaList(_ t: CType) -> Bool { if case .vaList = program.unroll(t) { return true }; return false }

    /// The locals whose address is taken anywhere in `body`.
    func addressTaken(_ body: Stmt) -> Set<LocalID> {
        var out: Set<LocalID> = []
        Walk.expressions(in: body, at: function.loc) { e, _ in
            switch e {
            case .addrOf(let lv), .startOf(let lv):
                if case .local(let id) = lv.host { out.insert(id) }
            default: break
            }
        }
        return out
    }

    // MARK: Statements

    func stmt(_ s: Stmt, _ st: inout State) {
        switch s {
        case .instr(let i): instr(i, &st)
        case .block(let ss): for x in ss { stmt(x, &st) }
        case .local(let id, let ini, let loc):
            if let ini, let t = initializer(ini, type: function.locals[id.index].type, loc, &st) {
                store(LValue(.local(id)), t, loc, &st)
            }
        case .if(let c, let t, let e, _):
            _ = expr(c, function.loc, &st)
            stmt(t, &st)
            if let e { stmt(e, &st) }
        case .loop(let b, let n, _):
            stmt(b, &st)
            if let n { stmt(n, &st) }
        case .switch(let e, let b, let loc):
            _ = expr(e, loc, &st)
            stmt(b, &st)
        case .computedGoto(let e, let loc): _ = expr(e, loc, &st)
        case .return(let e?, let loc):
            if let t = expr(e, loc, &st) { st.escapes.append(Escape(what: "returns \(t)", loc: loc)) }
        case .return(nil, _), .break, .continue, .label, .goto: break
        }
    }

    func instr(_ i: Instr, _ st: inout State) {
        switch i {
        case .assign(let lv, let e, let loc):
            lvalue(lv, loc, &st)
            if let t = expr(e, loc, &st) { store(lv, t, loc, &st) }
        case .call(let result, let callee, let args, let loc):
            if case .indirect(let f) = callee { _ = expr(f, loc, &st) }
            let target = world.target(callee, in: program)
            let taints = args.map { expr($0, loc, &st) }
            for (k, t) in taints.enumerated() {
                guard let t else { continue }
                switch target {
                case .pointer:
                    st.escapes.append(Escape(what: "passes \(t) to a call through a function pointer", loc: loc))
                case .program(let id, let f):
                    let index = k < f.params.count ? k : (f.type.variadic ? -1 : nil)
                    guard let index else {
                        st.escapes.append(Escape(what: "passes \(t) to '\(f.sourceName)' as an argument it does not declare", loc: loc))
                        continue
                    }
                    if keeps[Unload.Key(id, index)] != nil {
                        let which = index < 0 ? "its variadic arguments" : "its parameter '\(f.locals[f.params[index].index].sourceName)'"
                        st.escapes.append(Escape(what: "passes \(t) to '\(Unload.display(f))', which may keep \(which)", loc: loc,
                                                 via: Unload.Key(id, index)))
                    }
                case .library(let n):
                    if !Unload.libraryLeaves(n, k, args) {
                        st.escapes.append(Escape(what: "passes \(t) to '\(n)', which graft does not know to leave it alone", loc: loc))
                    }
                }
            }
            if let result {
                lvalue(result, loc, &st)
                // GNU `__builtin_va_arg_pack()`: the variadic arguments themselves, passed on.
                if case .variadic = seeds, case .builtin(let n) = callee, n == "__builtin_va_arg_pack" {
                    store(result, "its variadic arguments", loc, &st)
                }
                if case .library(let n) = target, let r = Unload.returnsArgument[Unload.libraryName(n)], r < taints.count, let t = taints[r] {
                    store(result, t, loc, &st)
                }
            }
        case .vaArg(let result, let list, let loc):
            lvalue(result, loc, &st)
            if let t = expr(list, loc, &st) { store(result, t, loc, &st) }
        case .asm(let a, let loc):
            for o in a.outputs + a.inputs {
                if let lv = o.lvalue { lvalue(lv, loc, &st) }
                if let t = expr(o.value, loc, &st) { st.escapes.append(Escape(what: "hands \(t) to inline assembly", loc: loc)) }
            }
            // The patch's own assembly can compute an address inside the patch (`lea x(%rip)`) and write it anywhere.
            if patchSources {
                let what = "the value of inline assembly"
                for o in a.outputs { if let lv = o.lvalue { store(lv, what, loc, &st) } }
                if a.clobbers.contains("memory") { st.escapes.append(Escape(what: "runs inline assembly that writes memory", loc: loc)) }
            }
        case .note(_, let e, let loc): _ = expr(e, loc, &st)
        }
    }

    /// `t` is written to `lv`: a local whose address is never taken holds it; anything else is memory.
    func store(_ lv: LValue, _ t: String, _ loc: SourceLoc, _ st: inout State) {
        switch lv.host {
        case .local(let id) where !st.addressTaken.contains(id):
            if st.tainted[id] == nil { st.tainted[id] = t }
        case .local(let id):
            st.escapes.append(Escape(what: "stores \(t) in '\(function.locals[id.index].sourceName)', a local whose address is taken", loc: loc))
        case .global(let g):
            let name = program.globals.indices.contains(g.index) ? program.globals[g.index].sourceName : "a global"
            st.escapes.append(Escape(what: "stores \(t) in the global '\(name)'", loc: loc))
        case .mem, .compound:
            st.escapes.append(Escape(what: "stores \(t) to memory", loc: loc))
        }
    }

    // MARK: Expressions

    /// The expressions of an lvalue's path: dereferences and indices, which keep nothing.
    func lvalue(_ lv: LValue, _ loc: SourceLoc, _ st: inout State) {
        switch lv.host {
        case .mem(let e): _ = expr(e, loc, &st)
        case .compound(let t, let ini):
            if let x = initializer(ini, type: t, loc, &st) { st.escapes.append(Escape(what: "puts \(x) in a compound literal", loc: loc)) }
        case .local, .global: break
        }
        for o in lv.offsets { if case .index(let e) = o { _ = expr(e, loc, &st) } }
    }

    /// What an initializer of an object of type `t` holds that is followed (a string literal initializing
    /// an array is a copy of its bytes).
    func initializer(_ ini: Initializer, type t: CType, _ loc: SourceLoc, _ st: inout State) -> String? {
        switch ini {
        case .expr(let e):
            if case .const(.string, _) = e {
                switch program.unroll(t) {
                case .array, .vla: return nil
                default: break
                }
            }
            return expr(e, loc, &st)
        case .compound(let ct, let entries):
            var found: String? = nil
            for entry in entries {
                let et: CType
                switch (entry.designator, program.unroll(ct)) {
                case (.field(let i), .record(let r)):
                    et = program.records.indices.contains(r.index) ? (program[r].fields?[i].type ?? .void) : .void
                case (.index, .array(let e, _)), (.range, .array(let e, _)), (.index, .vector(let e, _)), (.range, .vector(let e, _)):
                    et = e
                default: et = .void
                }
                if let x = initializer(entry.value, type: et, loc, &st), found == nil { found = x }
            }
            return found
        }
    }

    /// What the value of `e` may carry that is followed (a description), recording the escapes inside it.
    func expr(_ e: Expr, _ loc: SourceLoc, _ st: inout State) -> String? {
        switch e {
        case .const(.string(let units, _), _):
            return patchSources ? "the string literal \(Unload.literal(units))" : nil
        case .const, .sizeOf, .alignOf: return nil
        case .read(let lv):
            lvalue(lv, loc, &st)
            if case .local(let id) = lv.host { return st.tainted[id] }
            return nil
        case .addrOf(let lv), .startOf(let lv):
            lvalue(lv, loc, &st)
            switch lv.host {
            case .mem(let p): return expr(p, loc, &st)
            case .global(let g):
                guard patchSources, program.globals.indices.contains(g.index) else { return nil }
                let gv = program.globals[g.index]
                return gv.storage != .extern || gv.initializer != nil ? "the address of '\(gv.sourceName)'" : nil
            case .local, .compound: return nil
            }
        case .function(let id):
            guard patchSources, program.functions.indices.contains(id.index), program.functions[id.index].body != nil else { return nil }
            return "the address of '\(Unload.display(program.functions[id.index]))', a function the patch defines"
        case .labelAddr(let l):
            return patchSources ? "the address of label '\(l)'" : nil
        case .unary(let op, let a, _):
            let t = expr(a, loc, &st)
            return op == .logNot ? nil : t
        case .binary(let op, let a, let b, _):
            let ta = expr(a, loc, &st), tb = expr(b, loc, &st)
            switch op {
            case .lt, .gt, .le, .ge, .eq, .ne, .logAnd, .logOr, .ptrDiff: return nil
            default: return ta ?? tb
            }
        case .cond(let c, let a, let b, _):
            _ = expr(c, loc, &st)
            let ta = expr(a, loc, &st), tb = expr(b, loc, &st)
            return ta ?? tb
        case .cast(let t, let a):
            guard let ta = expr(a, loc, &st) else { return nil }
            switch program.unroll(t) {
            case .pointer, .record, .array, .vaList: return ta
            case .int(.bool), .void: return nil
            default:
                st.escapes.append(Escape(what: "casts \(ta) to an integer", loc: loc))
                return nil
            }
        case .compoundLiteral(let t, let ini):
            return initializer(ini, type: t, loc, &st)
        case .current(_, let a), .pinned(_, _, let a):
            return expr(a, loc, &st)
        }
    }
}
