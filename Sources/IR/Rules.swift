// Whether a rule of Specs/ is applied: always, in every binary built the
// ordinary way. bench/mutate-checker.sh builds graft (and its tests) with
// `-Xswiftc -DGRAFT_MUTATION` in a scratch path of its own; only there does
// `GRAFT_MUTATE_RULE=PATCH-7` switch rule PATCH-7 off, to show that some
// test fails when the check is missing (a mutant the tests kill). A normal
// build compiles `Rules.enforced` to the constant `true` and never reads
// the environment.
//
// Each rule's decision sites ask `Rules.enforced("ID")` where they refuse,
// block, exclude or report with that id; disabled, the site admits, as if
// the check were not written. A rule with several independent sites names
// each (`Rules.enforced("PATCH-4", site: "no-slot")`): GRAFT_MUTATE_RULE
// may also switch off one site (`PATCH-4/no-slot`), for
// `bench/mutate-checker.sh --sites`. The C runtime has the same switch
// (`GRAFT_RULE` in Sources/Runtime/runtime_internal.h), compiled in only
// when graft itself was built with GRAFT_MUTATION (Runtime.compile).

import Foundation

public enum Rules {
    #if GRAFT_MUTATION
    /// The rule switched off for this process: `GRAFT_MUTATE_RULE`, read once.
    public static let disabled: String? = {
        guard let v = ProcessInfo.processInfo.environment["GRAFT_MUTATE_RULE"], !v.isEmpty else { return nil }
        return v
    }()

    /// Whether rule `id` is applied: true unless GRAFT_MUTATE_RULE names it.
    public static func enforced(_ id: String) -> Bool { id != disabled }

    /// Whether one of rule `id`'s decision sites is applied: true unless
    /// GRAFT_MUTATE_RULE names the rule, or the site (`UPD-5/commit`).
    public static func enforced(_ id: String, site: String) -> Bool { id != disabled && id + "/" + site != disabled }

    /// Whether this binary was built for mutation testing.
    public static let mutationBuild = true
    #else
    /// Whether rule `id` is applied: in this build, always (inlined into every caller as `true`).
    @inlinable @inline(__always) public static func enforced(_ id: String) -> Bool { true }

    /// Whether one of rule `id`'s decision sites is applied: in this build, always.
    @inlinable @inline(__always) public static func enforced(_ id: String, site: String) -> Bool { true }

    /// Whether this binary was built for mutation testing.
    public static let mutationBuild = false
    #endif

    /// A diagnostic's rule is applied (one without a rule always is).
    @inlinable public static func enforced(_ d: Diagnostic) -> Bool {
        d.rule.map { enforced($0) } ?? true
    }
}
