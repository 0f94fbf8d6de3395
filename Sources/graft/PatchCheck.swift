// The checker `graft patch` and `graft check` share (Specs/deploy.md
// DEPLOY-6): from the running build's IR, NEW's IR and NEW's hand-written
// transformers, the plan with its verdict at every update point, the
// patch's code, and the translation validation of that code
// (Specs/validation.md). `graft patch` runs it to build a patch; the patch
// carries its inputs (NEW's IR and transformers, in sections its runtime
// never loads), so `graft check` runs it again on the program it is meant
// for and compares what it finds with the verdict the patch carries.

import Checker
import Codegen
import Foundation
import IR
import Instrument

/// What a patch is derived from.
struct PatchInputs {
    /// The running build's program, as its executable carries it.
    var old: Program
    /// NEW's program, as its executable carries it (its version is the patch's target).
    var new: Program
    /// NEW's transformers.c, lowered against NEW's headers; nil when there is none.
    var transformers: Program?
    /// That file's path, as its declarations' locations name it.
    var transformerFile: String?

    /// The sections of a patch's shared object that carry these inputs (not loaded: no SHF_ALLOC).
    static let newSection = ObjectIR.section
    static let transformersSection = ".graft_transformers_ir"
    static let transformerFileSection = ".graft_transformers_file"

    /// NEW's part, to embed in the patch's shared object.
    func sections() throws -> [(name: String, data: Data, compress: Bool)] {
        var out: [(String, Data, Bool)] = [(Self.newSection, try IRCodec.encode(new), true)]
        if let transformers, let transformerFile {
            out.append((Self.transformersSection, try IRCodec.encode(transformers), true))
            out.append((Self.transformerFileSection, Data(transformerFile.utf8), false))
        }
        return out
    }

    /// The inputs a patch's shared object carries, with `old` the build it is checked against; nil when it carries none.
    static func carried(by so: Data, old: Program, origin: String) throws -> PatchInputs? {
        guard let newIR = ObjectIR.irSection(ofELF: so) else { return nil }
        var inputs = PatchInputs(old: old, new: try IRCodec.decode(newIR, from: origin))
        if ObjectIR.section(transformersSection, ofELF: so) != nil, let file = ObjectIR.section(transformerFileSection, ofELF: so) {
            guard let ir = ObjectIR.contents(transformersSection, ofELF: so) else { throw Failure("\(origin): its transformers' IR is unreadable") }
            inputs.transformers = try IRCodec.decode(ir, from: origin)
            inputs.transformerFile = String(decoding: file, as: UTF8.self)
        }
        return inputs
    }
}

enum PatchCheck {
    /// Where a derivation stopped, and why.
    enum Refusal {
        /// Declarations in transformers.c that name no state of either program at their type (TRANS-6).
        case binding([Diagnostic])
        /// Changes that cannot be applied to a running program (PATCH-*, TRANS-*, …).
        case refused([Diagnostic])
        /// Admissible at no update point (UPD-1): each use that blocks, and the notes of what would help.
        case blockedEverywhere([Diagnostic], rules: [String])
        /// The generator's code is not what the checker derives (VAL-*): graft's bug.
        case unconfirmed([Diagnostic])

        var diagnostics: [Diagnostic] {
            switch self {
            case .binding(let d), .refused(let d), .blockedEverywhere(let d, _), .unconfirmed(let d): return d
            }
        }

        /// The one-line reason `graft patch` ends with.
        func summary(transformerFile: String?) -> String {
            switch self {
            case .binding(let d):
                return "patch refused: \(d.count) declaration(s) in \(((transformerFile ?? "transformers.c") as NSString).lastPathComponent) name no state of the programs at their type (rules above)"
            case .refused(let d):
                return "patch refused: \(d.count) change(s) cannot be applied to a running program (rules above)"
            case .blockedEverywhere(_, let rules):
                return "patch refused: it is admissible at no update point [\(rules.joined(separator: ", "))]"
            case .unconfirmed:
                return "patch refused: graft's patch generator produced a patch its checker does not confirm (rules above); this is a bug in graft"
            }
        }
    }

    struct Outcome {
        /// The plan: nil only when the transformers' declarations could not be bound.
        var plan: PatchPlan?
        /// The patch's code: nil when the derivation was refused.
        var code: PatchBuilder.PatchCode?
        var refusal: Refusal?
    }

    /// Derives the plan and the patch's code from `inputs`, and checks the code (VAL-*).
    static func run(_ inputs: PatchInputs) throws -> Outcome {
        let targetVersion = Updatable.versionID(of: inputs.new)
        var new = inputs.new
        if let t = inputs.transformers, let file = inputs.transformerFile {
            new = try Pipeline.merge([new, t], verify: true)
            let bound = PatchBuilder.bindTransformerNames(new, old: inputs.old, transformerFile: file)
            new = bound.program
            if !bound.errors.isEmpty { return Outcome(refusal: .binding(bound.errors)) }
        }
        // OLD's manifest (slots, exported names, update points), computed once for the plan and the patch.
        let (oldBuilt, oldManifest) = Updatable.instrument(inputs.old)
        let plan = PatchBuilder.plan(old: inputs.old, new: new, oldManifest: oldManifest, transformerFile: inputs.transformerFile,
                                     targetVersion: targetVersion)
        var outcome = Outcome(plan: plan)
        if !plan.refusals.isEmpty {
            outcome.refusal = .refused(plan.refusals)
            return outcome
        }
        let blocked = plan.blockedEverywhere
        if !blocked.isEmpty {
            outcome.refusal = .blockedEverywhere(blocked, rules: plan.decidingRules)
            return outcome
        }
        let code = PatchBuilder.patchProgram(old: inputs.old, new: new, plan: plan, oldManifest: oldManifest,
                                             transformerFile: inputs.transformerFile)
        try Pipeline.check(code.program, after: "building the patch")
        // Translation validation (Specs/validation.md): the checker re-derives from OLD and NEW what the generator produced.
        let findings = PatchValidation.validate(old: inputs.old, oldManifest: oldManifest, new: new, plan: plan,
                                                code: code.validationInput(oldBuilt: oldBuilt))
        outcome.code = code
        if !findings.isEmpty { outcome.refusal = .unconfirmed(findings) }
        return outcome
    }
}
