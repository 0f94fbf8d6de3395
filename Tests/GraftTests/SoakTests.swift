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
        // Flat: a patch left mapped would add 5 mappings per update (450 over these 90); a few may come from
        // malloc giving a control thread an arena of its own (2 mappings each) when the machine is busy.
        #expect(Int(last[6])! - Int(tenth[6])! <= 8, "mappings grew from \(tenth[6]) at update 10 to \(last[6]) at 100")
        let growth = (Double(last[5])! - Double(tenth[5])!) / 90
        #expect(growth <= 1.0, "RSS grew \(growth) kB per update from update 10 to 100")
    }
}

/// The conditions of DEPLOY-8 one at a time, on a real process: a patch whose
/// code a thread's stack still returns into stays until it does not; a patch
/// that stored one of its string literals in a global stays for good, and the
/// program reads the literal on after later updates.
@Suite("DEPLOY-8: what keeps a superseded patch loaded", .serialized)
struct UnloadLiveTests {
    /// vN's work() prints "vN SAVED" at each of 10 rounds, an update point in
    /// each; v5's also stores a literal of its own in the global `saved`.
    static func source(_ v: Int) -> String {
        """
        #include <stdio.h>
        #include <unistd.h>
        void graft_update_point(void);
        const char *saved = "none";
        static void work(int rounds) {
            for (int i = 0; i < rounds; i++) {
                \(v == 5 ? "saved = \"kept by v5\";" : "")
                printf("v\(v) %s\\n", saved);
                fflush(stdout);
                graft_update_point();
                usleep(20000);
            }
        }
        int main(void) { for (;;) work(10); }
        """
    }

    @Test("a patch a parked thread's stack returns into is kept, and unloaded at the next commit once it is not; one that stored its literal in a global is kept with the analysis's reason, and the literal stays readable [DEPLOY-8]")
    func keptAndUnloaded() throws {
        let graft = try #require(LiveUpdateTests.graft)
        let dir = tempDir()
        for v in 1...5 {
            try FileManager.default.createDirectory(atPath: dir + "/v\(v)", withIntermediateDirectories: true)
            try Self.source(v).write(toFile: dir + "/v\(v)/prog.c", atomically: true, encoding: .utf8)
            let r = try run(graft, ["cc", "-O1", "-o", "prog", "prog.c"], cwd: dir + "/v\(v)")
            try #require(r.status == 0, "\(r.stderr)")
        }
        var unloadLine: [String: String] = [:]
        for (name, from, to) in [("A", 1, 2), ("B", 2, 3), ("C", 3, 4), ("S", 4, 5), ("T", 5, 4)] {
            let r = try run(graft, ["patch", "--from", dir + "/v\(from)/prog", "--to", dir + "/v\(to)/prog", "-o", dir + "/\(name).patch"])
            try #require(r.status == 0, "\(r.stdout)\(r.stderr)")
            unloadLine[name] = r.stdout.split(separator: "\n").first { $0.contains("unload:") }.map(String.init) ?? ""
        }
        for name in ["A", "B", "C", "T"] { #expect(unloadLine[name]!.contains("unload: yes"), "\(name): \(unloadLine[name]!)") }
        #expect(unloadLine["S"]!.contains("unload: no: 'work' stores the string literal \"kept by v5\" in the global 'saved'"), "\(unloadLine["S"]!)")

        let p = try ChannelDirTests.Running([dir + "/v1/prog"])
        defer { p.stop() }
        #expect(ReproRuntimeTests.eventually(10) { p.text.contains("v1 none") })
        /// Applies `name` and returns STATUS's patches: (loaded, unloaded, why each loaded one stays, newest first).
        func apply(_ name: String) throws -> (Int, Int, [String]) {
            let r = try run(graft, ["apply", "--pid", String(p.pid), dir + "/\(name).patch", "--timeout", "10"])
            try #require(r.status == 0, "\(name): \(r.stdout)\(r.stderr)")
            let s = try ReproRuntimeTests.status(p.pid)
            let patches = try #require(s["patches"] as? [String: Any])
            let why = (patches["kept"] as? [[String: Any]] ?? []).map { $0["why"] as? String ?? "" }
            return (patches["loaded"] as? Int ?? -1, patches["unloaded"] as? Int ?? -1, why)
        }
        // A applies at the point in the program's own work(); the next call of work() runs A's.
        var (loaded, unloaded, why) = try apply("A")
        #expect(loaded == 1 && unloaded == 0)
        // B applies at the point inside A's work(): A's frame is on the stack.
        #expect(ReproRuntimeTests.eventually(5) { p.text.contains("v2 none") })
        (loaded, unloaded, why) = try apply("B")
        #expect(loaded == 2 && unloaded == 0 && why.last == "a thread's stack returns into it", "\(why)")
        // C applies inside B's work(): A is unloaded now, B held by the stack in turn.
        #expect(ReproRuntimeTests.eventually(5) { p.text.contains("v3 none") })
        (loaded, unloaded, why) = try apply("C")
        #expect(loaded == 2 && unloaded == 1 && why.last == "a thread's stack returns into it", "\(why)")
        #expect(ReproRuntimeTests.eventually(5) { p.text.contains("v4 none") })
        (loaded, unloaded, _) = try apply("S")
        #expect(ReproRuntimeTests.eventually(5) { p.text.contains("v5 kept by v5") })
        // T supersedes S: S stays, for the analysis's reason, and v4's code reads S's literal on.
        (loaded, unloaded, why) = try apply("T")
        #expect(loaded == 2 && unloaded == 3, "\(loaded) \(unloaded) \(why)")
        #expect(why.last?.contains("stores the string literal \"kept by v5\"") == true && why.last?.hasSuffix("[DEPLOY-8]") == true, "\(why)")
        let seen = p.text.count
        #expect(ReproRuntimeTests.eventually(5) { p.text.dropFirst(seen).contains("v4 kept by v5") } && p.process.isRunning, "\(p.text.suffix(200))")
    }
}
