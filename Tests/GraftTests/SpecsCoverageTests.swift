// Every rule of Specs/patch.md, updatability.md, representation.md,
// validation.md and link.md is applied by the code that cites it and exercised by a
// test that names it.

import Foundation
import Testing

@Suite("Specs coverage: patch and updatability rules")
struct SpecsCoverageTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func ids(in spec: String, prefix: String) throws -> [String] {
        let text = try String(contentsOfFile: repo + "/Specs/" + spec, encoding: .utf8)
        let re = try NSRegularExpression(pattern: "^### (\(prefix)-[0-9]+)", options: .anchorsMatchLines)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }

    /// The files that apply rules (Sources/…) and the tests that exercise them.
    static let code = ["Checker/PatchRules.swift", "Checker/PatchRules+Statics.swift", "Checker/PatchRules+Enums.swift",
                       "Checker/PatchRules+Types.swift", "Checker/Slots.swift", "Codegen/Patch.swift", "Instrument/LoopExtraction.swift", "Codegen/CEmitter+Types.swift",
                       "Instrument/Wrapping+Pass.swift", "Checker/Wrapping.swift", "Instrument/Updatable.swift",
                       "Checker/Updatability.swift",
                       "Codegen/CEmitter+Decls.swift", "Codegen/CEmitter+Stmt.swift", "Codegen/CEmitter+Expr.swift",
                       "Checker/InteriorPointers.swift", "Runtime/runtime.c", "Runtime/control.c",
                       "Checker/PatchValidation.swift",
                       "Frontend/Merge.swift", "Frontend/Lowerer.swift", "Frontend/Unprototyped.swift", "Checker/Uses.swift", "graft/CC.swift",
                       "Runtime/patchfile.c", "graft/PatchFile.swift",
                       "graft/CheckCommand.swift", "graft/PatchCheck.swift", "Checker/Rollback.swift", "graft/RollbackPatch.swift", "graft/RuntimeCommands.swift", "Runtime/unload.c", "Checker/Unload.swift"]
    static let tests = ["UpdatableTests.swift", "LiveUpdateTests.swift", "LoopExtractionTests.swift",
                        "AdversarialLiveTests.swift", "RuntimeTests.swift", "AdversarialZeroDiffTests.swift",
                        "AdversarialPatchTests.swift", "DeletedFunctionTests.swift", "PatchValidationTests.swift",
                        "ReproPatchTests.swift", "MergeTests.swift", "ReproBuildTests.swift", "ForkingTests.swift", "DeployTests.swift", "CheckTests.swift", "RollbackTests.swift", "ChannelDirTests.swift", "UnloadAnalysisTests.swift"]

    @Test(arguments: [("patch.md", "PATCH"), ("updatability.md", "UPD"), ("representation.md", "REP"), ("validation.md", "VAL"), ("link.md", "LINK"), ("deploy.md", "DEPLOY")])
    func everyRuleIsCitedAndTested(spec: String, prefix: String) throws {
        let rules = try Self.ids(in: spec, prefix: prefix)
        #expect(!rules.isEmpty)
        let code = try Self.code.map { try String(contentsOfFile: Self.repo + "/Sources/" + $0, encoding: .utf8) }.joined()
        let tests = try Self.tests.map { try String(contentsOfFile: Self.repo + "/Tests/GraftTests/" + $0, encoding: .utf8) }.joined()
        for r in rules where r != "PATCH-1" {  // PATCH-1 is the matching itself, exercised by every plan
            #expect(code.contains(r), "\(r) is not applied in any of \(Self.code)")
            #expect(tests.contains(r), "\(r) has no test naming it")
        }
    }
}
