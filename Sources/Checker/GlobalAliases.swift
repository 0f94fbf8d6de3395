// The name by which a patch reaches a global of the running program
// (Specs/patch.md PATCH-3, Specs/validation.md VAL-1). A patch that
// redefines a global (its type changed) defines it under a new name, and the
// process's first definition keeps the old one: the executable's symbol comes
// first in every lookup, so a later patch, built from a fresh build of the
// release in which that global has its new type, would bind the old object
// by the old name. So every definition of a global — the executable's and
// every patch's — is also known by an alias named for the global's identity
// and its representation, `graft_g_<identity hash>_<representation hash>`,
// and patches name the running program's globals by it: in a process that
// redefined `client_table` at 1024 buckets, the alias for 1024 buckets is the
// patch's definition; in a fresh build of that release it is the
// executable's. The representation sees through typedefs and qualifiers and
// takes integers by size and every pointer as a pointer, so that a global
// retyped in place (PATCH-3: `int` → `unsigned`, `T *` → `void *`) keeps its
// alias. A redefinition whose alias some definition already has (a type that
// comes back, or `struct a *` → `struct b *`) is refused by the runtime when
// the patch is loaded: its alias would not be the one later patches find.

import IR

public enum GlobalAliases {
    /// The alias of global `identity` of type `t` (in `p`).
    public static func name(identity: String, type t: CType, in p: Program) -> String {
        "graft_g_" + String(fnv1a64(identity), radix: 16) + "_" + String(fnv1a64(key(t, in: p)) & 0xffff_ffff, radix: 16)
    }

    /// The representation of `t` the alias is named by.
    static func key(_ t: CType, in p: Program, depth: Int = 0) -> String {
        guard depth < 64 else { return "?" }
        switch t {
        case .typedef(let d): return p.typedefs.indices.contains(d.index) ? key(p[d].type, in: p, depth: depth + 1) : "?"
        case .qualified(let e, _), .atomic(let e): return key(e, in: p, depth: depth + 1)
        case .int, .enumeration: return "i\(p.size(of: t) ?? 0)"
        case .pointer: return "p"
        case .array(let e, let n): return "a\(n ?? -1)" + key(e, in: p, depth: depth + 1)
        case .vector(let e, let n): return "v\(n)" + key(e, in: p, depth: depth + 1)
        case .record(let r): return "r" + p[r].identity
        default: return String(describing: t)
        }
    }

    /// Whether global `g` of `p` is a variable of the program a patch may name: defined here, not
    /// thread-local (an alias of one would need its TLS model), not a slot or graft's own.
    public static func aliased(_ g: GlobalVar) -> Bool {
        (g.storage != .extern || g.initializer != nil) && g.storage != .static && !g.isThreadLocal && !g.identity.hasPrefix("slot:")
            && !g.identity.hasPrefix("graft-") && !g.attributes.contains { $0.name == "alias" }
    }

    /// One alias: `alias` names global `target`, whose identity is `identity`.
    public struct Alias: Equatable, Sendable {
        public let alias: String, target: String, identity: String
        public init(alias: String, target: String, identity: String) { self.alias = alias; self.target = target; self.identity = identity }
    }

    /// The alias of each of `globals` of `p` a patch may name (`aliased`).
    public static func aliases(of globals: [GlobalVar], in p: Program) -> [Alias] {
        globals.filter(aliased).map { Alias(alias: name(identity: $0.identity, type: $0.type, in: p), target: $0.name, identity: $0.identity) }
    }

    /// The C that defines `aliases` (after the definitions of their targets).
    public static func c(_ aliases: [Alias]) -> String {
        guard !aliases.isEmpty else { return "" }
        return "\n/* graft: every global also by its identity and representation (GlobalAliases). */\n"
            + aliases.map { "extern __typeof__(\($0.target)) \($0.alias) __attribute__((alias(\"\($0.target)\"), visibility(\"default\")));\n" }.joined()
    }
}
