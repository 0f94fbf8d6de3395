// Every rule of Specs/patch.md and Specs/updatability.md is applied by the
// code that cites it and exercised by a test that names it.

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

    @Test(arguments: [("patch.md", "PATCH"), ("updatability.md", "UPD")])
    func everyRuleIsCitedAndTested(spec: String, prefix: String) throws {
        let rules = try Self.ids(in: spec, prefix: prefix)
        #expect(!rules.isEmpty)
        let code = try ["Patch.swift", "LoopExtraction.swift"].map {
            try String(contentsOfFile: Self.repo + "/Sources/Codegen/" + $0, encoding: .utf8)
        }.joined()
        let tests = try ["UpdatableTests.swift", "LiveUpdateTests.swift", "LoopExtractionTests.swift"].map {
            try String(contentsOfFile: Self.repo + "/Tests/GraftTests/" + $0, encoding: .utf8)
        }.joined()
        for r in rules where r != "PATCH-1" {  // PATCH-1 is the matching itself, exercised by every plan
            #expect(code.contains(r), "\(r) is not applied in Sources/Codegen/Patch.swift or LoopExtraction.swift")
            #expect(tests.contains(r), "\(r) has no test naming it")
        }
    }
}
