// Rollback (Specs/deploy.md DEPLOY-7): whether what a patch OLD → NEW did to
// a running program can be undone by a patch NEW → OLD, applied by the same
// rules as any update. `graft patch` derives that reverse patch beside the
// forward one and embeds it (or the reason there is none) in the forward
// patch, signed with it; `graft rollback` asks the process to apply it.
//
// The reverse patch converts every object a conversion reached since the
// update back by the default transformer, and keeps no other state of
// NEW's. So it undoes the forward patch only when the forward patch's
// effect on the program's state is exactly what default conversions undo:
// no hand-written transformer ran, no global of OLD's was given a new
// definition (OLD's still holds the value it had at the update), and every
// field of OLD's layout of each converted type is still in NEW's, at a type
// that holds its value. What this function cannot see — the reverse patch's
// own admissibility, its update points — the checker decides on the
// reverse patch itself.

import IR

public enum Rollback {
    public static let rule = "DEPLOY-7"

    /// Why the effect of `forward` (a patch from `old` to `new`) cannot be
    /// undone by a patch back; nil when, as far as the forward plan tells,
    /// it can (the reverse patch must then pass the checker too).
    public static func refusal(forward plan: PatchPlan, old: Program, new: Program) -> String? {
        if let st = plan.stateTransformer {
            return "the patch runs the state transformer '\(st)', whose effects a patch back cannot undo"
        }
        if let t = plan.typeChanges.first(where: { $0.transformer != nil }), let name = t.transformer {
            return "\(t.type) is converted by the hand-written '\(name)'; the conversion back would be the default one, which does not know what it did"
        }
        let redefined = plan.replacedGlobals + plan.retypedInPlace
        if !redefined.isEmpty {
            return "the patch defines global\(redefined.count > 1 ? "s" : "") \(redefined.sorted().map { "'\($0)'" }.joined(separator: ", ")) anew: the running program's definition kept the value it had at the update, and NEW's code may have changed the new one since"
        }
        for c in plan.typeChanges {
            guard let o = old.records.first(where: { $0.identity == c.type && $0.fields != nil }),
                  let n = new.records.first(where: { $0.identity == c.type && $0.fields != nil }) else {
                return "\(c.type) has no layout in one of the two builds"
            }
            let lost = lostFields(old: o, oldProgram: old, new: n, newProgram: new)
            if !lost.isEmpty {
                return "\(c.type) (\(c.change)): converting back could not restore field\(lost.count > 1 ? "s" : "") \(lost.joined(separator: ", ")) of the running program's layout"
            }
        }
        return nil
    }

    /// The fields of OLD's layout `o` that the default conversion of NEW's
    /// `n` back to `o` would not fill from a same-named field holding its
    /// value (PATCH-2's default copies, NEW → OLD). A pinned field (REP-8)
    /// is never copied: its bytes stay where the object has them.
    static func lostFields(old o: Record, oldProgram: Program, new n: Record, newProgram: Program) -> [String] {
        let copies = PatchRules.defaultCopies(old: n, oldProgram: newProgram, new: o, newProgram: oldProgram)
        let restored = Set(copies.map(\.new))
        let pinned = Set([oldProgram.flexibleArray(of: o.id)?.index].compactMap { $0 })
        return (o.fields ?? []).enumerated().compactMap { i, f in
            restored.contains(i) || pinned.contains(i) ? nil : (f.name ?? "#\(i)")
        }
    }
}
