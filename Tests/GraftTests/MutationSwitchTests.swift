// The rule switch of bench/mutate-checker.sh (Sources/IR/Rules.swift) is
// inert in every binary built the ordinary way: `GRAFT_MUTATE_RULE` names
// a rule, and graft still applies it, at `graft patch` and in the runtime
// it links into programs. (The bench script builds graft with
// `-DGRAFT_MUTATION` in .build-mutate; there this suite is skipped.)

import Foundation
import Testing
import IR

@Suite("The mutation switch is inert in a normal build", .serialized, .enabled(if: !Rules.mutationBuild, "a mutation build (bench/mutate-checker.sh)"))
struct MutationSwitchTests {
    typealias Live = LiveUpdateTests
    static let off = ["GRAFT_MUTATE_RULE": "PATCH-8"]

    @Test("in-process, every rule is enforced whatever GRAFT_MUTATE_RULE says")
    func inProcess() {
        for id in ["PATCH-8", "UPD-5", "IR-1", "ALIAS-3", "TRANS-2", "REP-5", "VAL-2", ""] { #expect(Rules.enforced(id)) }
        #expect(Rules.enforced(Diagnostic(.error, .unknown, "x", rule: "PATCH-8")))
    }

    @Test("graft with GRAFT_MUTATE_RULE naming the rule still refuses an enum renumbered under a global, and the runtime it links has no rule switch")
    func graftStillRefuses() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        var progs: [String] = []
        for v in ["v1", "v2"] {
            let d = dir + "/" + v
            try FileManager.default.copyItem(atPath: AdversarialPatchTests.fixtures + "b11-global/" + v, toPath: d)
            let r = try run(graft, ["cc", "-O1", "-o", "prog", "prog.c"], cwd: d, env: Self.off)
            try #require(r.status == 0, "graft cc: \(r.stderr)")
            progs.append(d + "/prog")
        }
        let made = try run(graft, ["patch", "--from", progs[0], "--to", progs[1], "-o", dir + "/p.patch"], env: Self.off)
        #expect(made.status != 0 && made.stderr.contains("[PATCH-8]") && made.stderr.contains("the global 'ph' holds one"), "\(made.stdout) \(made.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/p.patch"))
        // The runtime was compiled without GRAFT_MUTATION: no switch to read the environment with.
        let nm = try run("/usr/bin/nm", [progs[0]])
        #expect(nm.status == 0 && nm.stdout.contains("graft_update_point") && !nm.stdout.contains("graft__rule_enforced"), "\(nm.stderr)")
    }
}
