// DEPLOY-8, for real at a CI-sized N: bench/soak.sh runs N live updates of
// kvstore (v1 ⇄ v1b) under continuous redis-benchmark load, and the process
// neither loses a key nor grows: superseded patches are unloaded (at most
// one stays loaded, the last applied), mappings stay flat, RSS flat once the
// first updates have mapped the loader's one-time structures. The figure
// at N = 10,000 is bench/RESULTS.md's.

import Foundation
import Testing

@Suite("DEPLOY-8: a soak of live updates under load unloads what it supersedes", .serialized)
struct SoakTests {
    @Test("bench/soak.sh 100 (kvstore under load): 0 errors, 0 keys lost, 1 patch loaded and 99 unloaded [DEPLOY-8], mappings and RSS flat from the tenth update on")
    func soak() throws {
        let graft = try #require(LiveUpdateTests.graft)
        let csv = tempDir() + "/soak.csv"
        let r = try run("/bin/bash", [LiveUpdateTests.repo + "/bench/soak.sh", "100"],
                        env: ["GRAFT": graft, "KEYS": "2000", "SAMPLE": "100", "SOAK_CSV": csv])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("applied 100 of 100; graft apply errors (non-zero exit) 0"), "\(r.stdout)")
        #expect(r.stdout.contains("lost 0, changed 0"), "\(r.stdout)")
        #expect(r.stdout.contains("patches loaded 1, unloaded 99, kept mapped by the dynamic loader 0"), "\(r.stdout)")
        // update patch rc pause_us wall_us rss_kb maps fds, one row per update.
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: " ").map(String.init) }
        try #require(rows.count == 100)
        let tenth = rows[9], last = rows[99]
        #expect(tenth[6] == last[6], "mappings grew from \(tenth[6]) at update 10 to \(last[6]) at 100")
        let growth = (Double(last[5])! - Double(tenth[5])!) / 90
        #expect(growth <= 1.0, "RSS grew \(growth) kB per update from update 10 to 100")
    }
}
