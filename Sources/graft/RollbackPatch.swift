// The patch back (Specs/deploy.md DEPLOY-7): `graft patch` derives, beside
// the patch OLD → NEW, the patch NEW → OLD by the same checker, and embeds
// its shared object in the forward patch's (a section the loader never
// maps, covered by the forward patch's seal and signature), or the reason
// there is none. The runtime keeps it while the forward patch is the last
// one applied; `graft rollback` asks the process to apply it.

import Checker
import Foundation
import IR

enum RollbackPatch {
    /// The forward patch's sections: the patch back's shared object, or why there is none (text).
    static let section = ".graft_rollback"
    static let refusedSection = ".graft_rollback_refused"

    enum Derived {
        /// The patch back's shared object, and the version it moves the process to.
        case patch(Data, target: String)
        case refused(String)

        /// The section of the forward patch that carries it.
        var section: (name: String, data: Data, compress: Bool) {
            switch self {
            case .patch(let so, _): return (RollbackPatch.section, so, false)
            case .refused(let why): return (RollbackPatch.refusedSection, Data(why.utf8), false)
            }
        }

        /// The line `graft patch` prints for it.
        var line: String {
            switch self {
            case .patch(_, let target): return "rollback: available (graft rollback moves the process back to \(target)) [\(Rollback.rule)]"
            case .refused(let why): return "rollback: not available: \(why) [\(Rollback.rule)]"
            }
        }
    }

    /// The patch back of `forward` (derived from `inputs`), compiled, or why there is none.
    /// Never throws: a forward patch is built whatever becomes of its way back.
    static func derive(_ inputs: PatchInputs, forward: PatchPlan, oldRecord: BuildRecord?, scratch: Toolchain.TempDir) -> Derived {
        if let why = Rollback.refusal(forward: forward, old: inputs.old, new: inputs.new) { return .refused(why) }
        do {
            // NEW is the running build now and OLD the target; no hand-written transformers (DEPLOY-7).
            let outcome = try PatchCheck.run(PatchInputs(old: inputs.new, new: inputs.old))
            if let refusal = outcome.refusal {
                let errors = refusal.diagnostics.filter { $0.severity == .error }
                guard let first = errors.first ?? refusal.diagnostics.first else { return .refused("the patch back is refused") }
                let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
                return .refused("the patch back would be refused: \(first.description)\(more)")
            }
            guard let plan = outcome.plan, let code = outcome.code else { return .refused("the patch back has no plan; this is a bug in graft") }
            guard plan.baseVersion == forward.targetVersion, plan.targetVersion == forward.baseVersion else {
                return .refused("the patch back moves \(plan.baseVersion) → \(plan.targetVersion), not \(forward.targetVersion) → \(forward.baseVersion); this is a bug in graft")
            }
            let description = "rollback to \(plan.targetVersion), undoing \(forward.baseVersion) → \(forward.targetVersion): \(plan.summary)"
            let so = try PatchCommand.compile(code, plan: plan, description: description, record: oldRecord, scratch: scratch,
                                              name: "rollback", keepFailedAt: scratch.file("rollback-failed.c"))
            // After it, the last update is a rollback: there is no way back from it but the forward patch.
            try ObjectIR.addSections([(refusedSection, Data("the last update was a rollback: apply the forward patch again to go forward".utf8), false)],
                                     to: so, scratch: scratch)
            guard let data = FileManager.default.contents(atPath: so) else { return .refused("the patch back's shared object cannot be read") }
            return .patch(data, target: plan.targetVersion)
        } catch {
            return .refused("the patch back cannot be derived: \((error as? Failure)?.message ?? "\(error)")")
        }
    }
}
