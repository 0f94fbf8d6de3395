// The updatable build: an IR → IR pass that makes a program patchable
// while it runs (Ginseng's mechanics, DESIGN.md "How an updatable program
// works").
//
//   * Function indirection. Each defined, non-variadic function F becomes
//     an implementation `graft_impl_F`, a slot `graft_slot_F` (a global
//     pointer initialised to the implementation) and a trampoline with F's
//     own name that calls through the slot. Every direct call goes through
//     the slot; every address taken of F is the trampoline's, so function
//     pointers kept in data reach the newest version after a patch rebinds
//     the slot.
//     A variadic function cannot have a trampoline (C cannot pass its `...`
//     on), but calling through a pointer to a variadic function is fine:
//     when its address is never taken, F becomes `graft_impl_F` and a slot
//     of F's own type, and every caller calls through the slot. One with
//     external linkage keeps a copy of itself under its name for code
//     outside the program (a plugin); that copy is not rebound. A variadic
//     function whose address is taken keeps no slot (PATCH-4 says why).
//   * Statics become externally visible under `graft_s_<name>`, so a patch
//     (a shared object loaded into the process) can reach them.
//   * Loop-body extraction (LoopExtraction.swift): the body of a loop whose
//     first statement is an update point becomes a function of its own, so
//     the next iteration of a loop that never returns runs new code.
//   * Update points. Each call of `graft_update_point()` becomes
//     `graft_update_point_at(k)` with a number k unique in the program.
//
// The pass is pure; the build driver links the runtime and starts it.

import IR

public struct UpdatePoint: Hashable, Codable, Sendable {
    public var id: Int
    /// Identity of the function the point is in.
    public var function: String
    public var loc: SourceLoc
}

/// What a build records about itself, for `graft patch` and `graft status`.
public struct BuildManifest: Hashable, Codable, Sendable {
    public var version: String
    public var points: [UpdatePoint]
    /// Function identity → slot global name.
    public var slots: [String: String]
    /// Global identity → the name it is exported under.
    public var exported: [String: String]
}

public enum Updatable {
    public static let slotPrefix = "graft_slot_"
    public static let implPrefix = "graft_impl_"
    public static let staticPrefix = "graft_s_"
    public static let updatePointFunction = "graft_update_point"
    public static let updatePointAtFunction = "graft_update_point_at"

    /// The version id of a program: a 64-bit FNV-1a hash of its printed IR
    /// with source locations left out (moving code does not change it).
    public static func versionID(of program: Program) -> String {
        let s = String(fnv1a64(program.printed()), radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// Whether `f` gets a slot and a trampoline: defined, not variadic, and not an inline-only definition.
    public static func isIndirected(_ f: Function) -> Bool {
        // The trampoline keeps the parameters as locals 0..<n; a function whose
        // parameter list was lowered with temporaries in between (a VLA parameter
        // with side effects, `int a[i++]`) keeps its direct calls.
        linkable(f) && !f.type.variadic && f.params.enumerated().allSatisfy { $0.offset == $0.element.index }
    }

    /// Whether a variadic `f` gets a slot (without a trampoline): its address is never taken.
    public static func hasVariadicSlot(_ f: Function, addressTaken: Set<FuncID>) -> Bool {
        linkable(f) && f.type.variadic && !addressTaken.contains(f.id)
    }

    /// A definition the program's own code is the only user of: not inline-only.
    static func linkable(_ f: Function) -> Bool {
        f.isDefinition && !(f.isInline && f.storage != .static) && f.storage != .extern
    }

    /// Why a function of `p` has no slot in an updatable build of `p`; nil when it has one.
    public static func whyNoSlot(_ f: Function, in p: Program) -> String? {
        guard f.isDefinition else { return "it is not defined in the program" }
        guard linkable(f) else { return "it is an inline definition with external linkage (callers may use their own copy of it)" }
        if f.type.variadic {
            guard addressTaken(p).contains(f.id) else { return nil }
            return "it is variadic and its address is taken (\(whereAddressTaken(f.id, in: p))), and C cannot pass a `...` on through a trampoline"
        }
        return isIndirected(f) ? nil : "its parameter list has side effects (a variable-length array parameter)"
    }

    /// Functions whose address the program takes (in code or in a global's initializer).
    public static func addressTaken(_ p: Program) -> Set<FuncID> {
        var out: Set<FuncID> = []
        for f in p.functions where f.isDefinition { out.formUnion(Uses.of(f, in: p).functionsNamed) }
        for g in p.globals { if let ini = g.initializer { out.formUnion(Uses.of(ini, in: p).functionsNamed) } }
        return out
    }

    public static func whereAddressTaken(_ id: FuncID, in p: Program) -> String {
        if let g = p.functions.first(where: { $0.isDefinition && Uses.of($0, in: p).functionsNamed.contains(id) }) {
            return "in '\(g.sourceName)'"
        }
        if let g = p.globals.first(where: { $0.initializer.map { Uses.of($0, in: p).functionsNamed.contains(id) } ?? false }) {
            return "in the initializer of '\(g.sourceName)'"
        }
        return "in the program"
    }

    public static func instrument(_ input: Program) -> (Program, BuildManifest) {
        // Marked loops first: their bodies become functions with slots of their own (UPD-3).
        var p = LoopExtraction.extract(input).0
        let version = versionID(of: input)
        var exported: [String: String] = [:]

        // Statics become visible to patches.
        for i in p.globals.indices where p.globals[i].storage == .static {
            p.globals[i].storage = .none
            p.globals[i].name = staticPrefix + p.globals[i].name
        }
        for i in p.functions.indices where p.functions[i].storage == .static {
            p.functions[i].storage = .none
            p.functions[i].isInline = false
            p.functions[i].name = staticPrefix + p.functions[i].name
        }
        for g in p.globals { exported[g.identity] = g.name }

        // Trampolines take over each indirected function's id for every
        // reference; the original entry becomes the implementation.
        var trampolineOf: [FuncID: FuncID] = [:]
        var slotOf: [FuncID: GlobalID] = [:]
        var slots: [String: String] = [:]
        let originals = p.functions
        let beforeOrder = p.order
        // Variadic functions: the implementation keeps the id (every reference is a call), no trampoline.
        let named = addressTaken(p)
        var variadic: [FuncID] = []
        var keptCopies: [FuncID: FuncID] = [:]
        for f in originals where hasVariadicSlot(f, addressTaken: named) {
            variadic.append(f.id)
            let external = f.id.index < input.functions.count && input.functions[f.id.index].storage != .static
            if external {
                // Its own name stays defined, for code outside the program.
                var copy = f
                copy.id = FuncID(p.functions.count)
                keptCopies[f.id] = copy.id
                p.functions.append(copy)
            }
            var impl = f
            impl.name = implPrefix + f.name
            impl.storage = .static
            impl.isInline = false
            impl.attributes = f.attributes.filter { ["noinline", "always_inline", "cold", "hot", "noreturn", "optimize", "format"].contains($0.name) }
            p.functions[f.id.index] = impl
        }
        for f in originals where isIndirected(f) {
            let t = FuncID(p.functions.count)
            trampolineOf[f.id] = t
            var tramp = f
            tramp.id = t
            p.functions.append(tramp)
            var impl = f
            impl.name = implPrefix + f.name
            // Falling off the end of main returns 0 (C11 5.1.2.2.3); the implementation is no longer main.
            if f.name == "main", case .int = p.unroll(f.type.result), let body = f.body {
                impl.body = .block([body, .return(.const(.int(0), f.type.result), f.loc)])
            }
            impl.storage = .static
            impl.isInline = false
            impl.attributes = f.attributes.filter { ["noinline", "always_inline", "cold", "hot", "noreturn", "optimize"].contains($0.name) }
            p.functions[f.id.index] = impl
        }
        let toTrampoline = IDMapper(function: { trampolineOf[$0] ?? $0 })
        p.globals = p.globals.map(toTrampoline.map)
        p.functions = p.functions.map(toTrampoline.map)
        // The mapper renames a function's own id too: each keeps its table index.
        for i in p.functions.indices { p.functions[i].id = FuncID(i) }
        p.order = beforeOrder

        for (impl, t) in trampolineOf.sorted(by: { $0.key < $1.key }) {
            let f = p.functions[t.index]
            let slot = GlobalID(p.globals.count)
            let slotName = slotPrefix + originals[impl.index].name
            p.globals.append(GlobalVar(id: slot, name: slotName, type: .pointer(.function(f.type)), storage: .none,
                                       initializer: .expr(.function(impl)), identity: "slot:" + f.identity, loc: f.loc))
            slotOf[t] = slot
            slots[f.identity] = slotName
            exported["slot:" + f.identity] = slotName
        }
        var variadicSlots: [GlobalID] = []
        for impl in variadic {
            let f = p.functions[impl.index]
            let slot = GlobalID(p.globals.count)
            let slotName = slotPrefix + originals[impl.index].name
            p.globals.append(GlobalVar(id: slot, name: slotName, type: .pointer(.function(f.type)), storage: .none,
                                       initializer: .expr(.function(impl)), identity: "slot:" + f.identity, loc: f.loc))
            slotOf[impl] = slot
            variadicSlots.append(slot)
            slots[f.identity] = slotName
            exported["slot:" + f.identity] = slotName
        }
        let trampolines = Set(trampolineOf.values)

        // Direct calls go through the slots; update points get their numbers.
        let pointDecl = p.functions.first { $0.name == updatePointFunction && !$0.isDefinition }?.id
        var pointAt: FuncID? = nil
        if pointDecl != nil {
            pointAt = FuncID(p.functions.count)
            p.functions.append(Function(id: pointAt!, name: updatePointAtFunction,
                                        type: FunctionType(result: .void, params: [.uint]), storage: .extern,
                                        identity: updatePointAtFunction, loc: .unknown))
        }
        var points: [UpdatePoint] = []
        for i in p.functions.indices {
            // Trampolines get their own bodies below: their copies of the
            // original bodies are not code and have no update points.
            guard let body = p.functions[i].body, !trampolines.contains(p.functions[i].id) else { continue }
            let identity = p.functions[i].identity
            p.functions[i].body = mapInstrs(body) { ins in
                guard case .call(let result, .direct(let callee), let args, let loc) = ins else { return ins }
                if callee == pointDecl, let pointAt {
                    let k = points.count + 1
                    points.append(UpdatePoint(id: k, function: identity, loc: loc))
                    return .call(result: result, callee: .direct(pointAt), args: [.const(.int(Int64(k)), .uint)], loc)
                }
                if let slot = slotOf[callee] {
                    return .call(result: result, callee: .indirect(.read(.global(slot))), args: args, loc)
                }
                return ins
            }
        }

        // Trampoline bodies: call through the slot with the parameters.
        for (_, t) in trampolineOf {
            var f = p.functions[t.index]
            let args = f.params.map { Expr.read(.local($0)) }
            let loc = f.loc
            let callee = Callee.indirect(.read(.global(slotOf[t]!)))
            f.locals = f.locals.filter { $0.isParam }
            // Parameters are the first locals in order (the frontend adds them first).
            if p.unroll(f.type.result).isVoid {
                f.body = .block([.instr(.call(result: nil, callee: callee, args: args, loc)), .return(nil, loc)])
            } else {
                let r = LocalID(f.locals.count)
                f.locals.append(Local(id: r, name: "graft_r", type: f.type.result, isTemp: true, loc: loc))
                f.body = .block([.instr(.call(result: .local(r), callee: callee, args: args, loc)), .return(.read(.local(r)), loc)])
            }
            p.functions[t.index] = f
        }
        for (_, t) in trampolineOf.sorted(by: { $0.key < $1.key }) {
            p.order.append(.global(slotOf[t]!))
            p.order.append(.function(t))
        }
        for slot in variadicSlots { p.order.append(.global(slot)) }
        for (_, copy) in keptCopies.sorted(by: { $0.key < $1.key }) { p.order.append(.function(copy)) }
        if let pointAt { p.order.append(.function(pointAt)) }
        return (p, BuildManifest(version: version, points: points, slots: slots, exported: exported))
    }

    /// Rebuilds `s` with every instruction passed through `f`.
    public static func mapInstrs(_ s: Stmt, _ f: (Instr) -> Instr) -> Stmt {
        switch s {
        case .instr(let i): return .instr(f(i))
        case .block(let ss): return .block(ss.map { mapInstrs($0, f) })
        case .if(let c, let t, let e, let l): return .if(c, then: mapInstrs(t, f), else: e.map { mapInstrs($0, f) }, l)
        case .loop(let b, let n, let l): return .loop(body: mapInstrs(b, f), next: n.map { mapInstrs($0, f) }, l)
        case .switch(let e, let b, let l): return .switch(e, body: mapInstrs(b, f), l)
        default: return s
        }
    }

    /// The C the driver appends to an updatable program: program info and
    /// the constructor that starts the runtime.
    public static func runtimeStartC(manifest: BuildManifest, programName: String, wrapsTypes: Bool = false) -> String {
        """

        /* graft: start the update runtime. */
        #include "graft_runtime.h"
        static const struct graft_program_info graft_program = { GRAFT_ABI, "\(manifest.version)", "\(programName)" };
        __attribute__((constructor)) static void graft_start(void) {
            \(wrapsTypes ? "graft_register_types(graft_wrapped_types, graft_n_wrapped_types);" : "")
            graft_runtime_start(&graft_program);
        }

        """
    }
}
