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
//   * Where graft cannot show that a slot keeps the program's meaning, the
//     function stays direct: no slot, no trampoline, called by name as in
//     the plain build (`Slots.directReasons`; such a function cannot be patched on
//     its own, PATCH-4, and `graft manifest` lists it with the reason):
//     a `static inline` function whose address is never taken (gcc inlines
//     or drops it, and what an unused one names need not exist), a function
//     that reads its return or frame address (a trampoline adds a frame),
//     with its callers as many levels up as it looks, and one that takes
//     label addresses and is called from several places (each inlined copy
//     has its own). Inline-only definitions — those static inline functions
//     and C99 `inline` definitions without an external definition — are
//     emitted `static inline` (`inlineOnlyAttribute`), and a patch that
//     calls one carries its own copy.
//     A function with the name of a library builtin (`llabs`, `floor`,
//     `__vprintf_chk`) keeps its slot but is called by name, through its
//     trampoline, so that gcc folds the calls as in the plain build; with
//     `-finstrument-functions` every call goes through the trampoline,
//     which is the instrumented one (the body is `no_instrument_function`).
//   * Statics become externally visible under `graft_s_<name>`, so a patch
//     (a shared object loaded into the process) can reach them; `alias`,
//     `weakref` and `ifunc` attributes naming them follow the new name.
//   * Loop-body extraction (LoopExtraction.swift): the body of a loop whose
//     first statement is an update point becomes a function of its own, so
//     the next iteration of a loop that never returns runs new code.
//   * Update points. Each call of `graft_update_point()` becomes
//     `graft_update_point_at(k)` with a number k unique in the program.
//
// The pass is pure; the build driver links the runtime and starts it.

import Checker
import Foundation
import IR

public enum Updatable {
    /// How the program's C is compiled, where it changes what indirection keeps.
    public struct Options: Hashable, Sendable {
        /// `-finstrument-functions`: every call reaches a function through its
        /// trampoline (instrumented, with the function's own address) and the
        /// body is not instrumented.
        public var instrumentFunctions: Bool
        public init(instrumentFunctions: Bool = false) { self.instrumentFunctions = instrumentFunctions }

        /// The options the system compiler's flags ask for.
        public init(compilerFlags: [String]) {
            var on = false
            for f in compilerFlags {
                if f == "-finstrument-functions" || f.hasPrefix("-finstrument-functions-") { on = true }
                if f == "-fno-instrument-functions" { on = false }
            }
            self.init(instrumentFunctions: on)
        }
    }

    public static let slotPrefix = BuildManifest.slotPrefix
    /// Marks, in an updatable build's IR, an inline-only definition that stays
    /// direct: the IR says `inline` with external linkage (so a patch carries
    /// its own copy, as it does for any inline definition), the C emitter
    /// writes it `static inline`. Never written as an attribute.
    public static let inlineOnlyAttribute = "#graft static inline"
    public static let implPrefix = "graft_impl_"
    public static let staticPrefix = "graft_s_"
    public static let updatePointFunction = BuildManifest.updatePointFunction
    public static let updatePointAtFunction = BuildManifest.updatePointAtFunction

    /// The version id of a program: a 64-bit FNV-1a hash of its printed IR
    /// with source locations left out (moving code does not change it).
    public static func versionID(of program: Program) -> String {
        let s = String(fnv1a64(program.printed()), radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public static func instrument(_ input: Program, options: Options = Options()) -> (Program, BuildManifest) {
        // Marked loops first: their bodies become functions with slots of their own (UPD-3).
        indirect(Instrumentation.extracted(input).0, version: versionID(of: input), options: options)
    }

    /// Function indirection, statics made visible and update points
    /// numbered, on a program whose marked loops are extracted; `version`
    /// is the version id of the program before extraction.
    public static func indirect(_ extracted: Program, version: String, options: Options = Options()) -> (Program, BuildManifest) {
        var p = extracted
        let input = extracted
        var exported: [String: String] = [:]
        let direct = Slots.directReasons(p)
        let inlineOnly = Slots.inlineOnly(p, direct: direct)
        // Calls by name (to the trampoline) rather than through the slot.
        let byName: Set<FuncID> = Set(p.functions.filter { f in
            options.instrumentFunctions || (f.storage != .static && Slots.isLibraryBuiltinName(f.name))
        }.map(\.id))

        // Statics become visible to patches; inline-only definitions stay inline.
        var renamed: [String: String] = [:]
        for i in p.globals.indices where p.globals[i].storage == .static {
            p.globals[i].storage = .none
            renamed[p.globals[i].name] = staticPrefix + p.globals[i].name
            p.globals[i].name = staticPrefix + p.globals[i].name
        }
        for i in p.functions.indices {
            if inlineOnly.contains(p.functions[i].id) {
                p.functions[i].storage = .none
                p.functions[i].attributes.append(Attribute(inlineOnlyAttribute))
            } else if p.functions[i].storage == .static {
                p.functions[i].storage = .none
                p.functions[i].isInline = false
                renamed[p.functions[i].name] = staticPrefix + p.functions[i].name
                p.functions[i].name = staticPrefix + p.functions[i].name
            }
        }
        if !renamed.isEmpty {
            for i in p.globals.indices { p.globals[i].attributes = retargeted(p.globals[i].attributes, renamed) }
            for i in p.functions.indices { p.functions[i].attributes = retargeted(p.functions[i].attributes, renamed) }
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
        let named = Slots.addressTaken(p)
        var variadic: [FuncID] = []
        var keptCopies: [FuncID: FuncID] = [:]
        for f in originals where Slots.hasVariadicSlot(f, addressTaken: named) && direct[f.id] == nil {
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
            impl.attributes = f.attributes.filter { implAttributes.contains(Attribute.bareName($0.name)) || Attribute.bareName($0.name) == "format" }
            p.functions[f.id.index] = impl
        }
        for f in originals where Slots.isIndirected(f) && direct[f.id] == nil {
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
            impl.attributes = f.attributes.filter { implAttributes.contains(Attribute.bareName($0.name)) }
            // With -finstrument-functions the trampoline, which has the function's address, is the instrumented one.
            if options.instrumentFunctions && !impl.attributes.contains(where: { Attribute.bareName($0.name) == "no_instrument_function" }) {
                impl.attributes.append(Attribute("no_instrument_function"))
            }
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
        let byNameTrampolines = Set(trampolineOf.filter { byName.contains($0.key) }.values)

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
            p.functions[i].body = Walk.mapInstructions(body) { ins in
                guard case .call(let result, .direct(let callee), let args, let loc) = ins else { return ins }
                if callee == pointDecl, let pointAt {
                    let k = points.count + 1
                    points.append(UpdatePoint(id: k, function: identity, loc: loc))
                    return .call(result: result, callee: .direct(pointAt), args: [.const(.int(Int64(k)), .uint)], loc)
                }
                if let slot = slotOf[callee], !byNameTrampolines.contains(callee) {
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

    /// The attributes of a function's declarations that its implementation
    /// (`graft_impl_F`) keeps: those about how its body is compiled.
    static let implAttributes: Set<String> = ["noinline", "always_inline", "cold", "hot", "noreturn", "optimize",
                                              "no_instrument_function", "noipa", "noclone", "target",
                                              "no_sanitize", "no_sanitize_address", "no_sanitize_undefined", "no_stack_protector"]

    /// `alias("a")`, `weakref("a")`, `ifunc("a")` naming a renamed entity name its new name.
    static func retargeted(_ attrs: [Attribute], _ renamed: [String: String]) -> [Attribute] {
        attrs.map { a in
            guard ["alias", "weakref", "ifunc"].contains(Attribute.bareName(a.name)), let arg = a.args.first else { return a }
            let t = arg.trimmingCharacters(in: .whitespaces)
            guard t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\""), let to = renamed[String(t.dropFirst().dropLast())] else { return a }
            var b = a
            b.args[0] = "\"" + to + "\""
            return b
        }
    }

    /// The C the driver appends to an updatable program: program info and
    /// the constructor that starts the runtime.
    /// `trustedKeys`: the Ed25519 public keys whose patches it accepts; `acceptUnsigned`: also unsigned
    /// ones (a development build; Specs/deploy.md DEPLOY-2).
    public static func runtimeStartC(manifest: BuildManifest, programName: String, wrapsTypes: Bool = false,
                                     trustedKeys: [[UInt8]] = [], acceptUnsigned: Bool = false) -> String {
        let keys = trustedKeys.map { "{ " + $0.map { String(format: "0x%02x", $0) }.joined(separator: ", ") + " }" }.joined(separator: ",\n    ")
        return """

        /* graft: start the update runtime. */
        #include "graft_runtime.h"
        \(trustedKeys.isEmpty ? "" : "static const unsigned char graft_trusted_keys[][32] = {\n    \(keys)\n};")
        static const struct graft_program_info graft_program = { GRAFT_ABI, "\(manifest.version)", "\(programName)",
            \(trustedKeys.count), \(trustedKeys.isEmpty ? "0" : "graft_trusted_keys"), \(acceptUnsigned ? 1 : 0) };
        __attribute__((constructor, no_instrument_function)) static void graft_start(void) {
            \(wrapsTypes ? "graft_register_types(graft_wrapped_types, graft_n_wrapped_types);" : "")
            graft_runtime_start(&graft_program);
        }

        """
    }
}
