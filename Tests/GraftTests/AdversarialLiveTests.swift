// Adversarial programs built, patched and applied for real (`graft cc`,
// `graft patch`, `graft apply`), one test per rule they try to break:
// each must end either applied and behaving as the new version, or refused
// with the rule and the process running on exactly as it was.

import Foundation
import Testing

@Suite("Adversarial live updates", .serialized)
struct AdversarialLiveTests {
    typealias Live = LiveUpdateTests
    static let fixtures = Live.repo + "/Tests/GraftTests/Fixtures/"

    /// `source` (a fixture path or C text) built by `graft cc -O1` as DIR/NAME/prog.
    static func build(_ name: String, in dir: String, source: String, flags: [String] = []) throws -> String {
        let d = dir + "/" + name
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: source) {
            try FileManager.default.copyItem(atPath: source, toPath: d + "/prog.c")
        } else {
            try source.write(toFile: d + "/prog.c", atomically: true, encoding: .utf8)
        }
        let r = try run(Live.graft!, ["cc", "-O1", "-o", "prog", "prog.c"] + flags, cwd: d)
        guard r.status == 0 else { throw Live.Failure("graft cc failed in \(d): \(r.stderr)") }
        return d + "/prog"
    }

    static func lines(_ out: Pipe) -> [Substring] {
        String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    }

    @Test("REP-3, REP-4, REP-5: objects freed and re-made across two type changes (same size in place, then grown onto the heap) keep their values; the side table stays bounded")
    func churnAcrossTypeChanges() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir(), src = Self.fixtures + "adversarial/live/rep-churn/"
        let v1 = try Self.build("v1", in: dir, source: src + "v1.c")
        let v2 = try Self.build("v2", in: dir, source: src + "reorder.c")
        let v3 = try Self.build("v3", in: dir, source: src + "grow.c")
        for (a, b, name) in [(v1, v2, "p12"), (v2, v3, "p23")] {
            let made = try run(graft, ["patch", "--from", a, "--to", b, "-o", dir + "/\(name).patch"])
            #expect(made.status == 0, "\(name): \(made.stdout) \(made.stderr)")
        }
        let (prog, out) = try Live.launch(v1)
        defer { Live.stop(prog) }
        usleep(300_000)
        let pid = String(prog.processIdentifier)
        let a12 = try run(graft, ["apply", "--pid", pid, dir + "/p12.patch", "--timeout", "5"])
        #expect(a12.status == 0, "\(a12.stdout) \(a12.stderr)")
        usleep(400_000)
        let a23 = try run(graft, ["apply", "--pid", pid, dir + "/p23.patch", "--timeout", "5"])
        #expect(a23.status == 0, "\(a23.stdout) \(a23.stderr)")
        usleep(800_000)
        let status = try run(graft, ["status", "--pid", pid, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let item = (json?["types"] as? [[String: Any]])?.first { $0["type"] as? String == "struct item" }
        let conversions = item?["conversions"] as? Int ?? 0, tracked = item?["tracked"] as? Int ?? -1
        #expect(conversions >= 300, "\(status.stdout)")        // every item alive at each patch was converted
        // 300 live items, each with at most its heap value: freed ones leave the table (REP-3).
        #expect(tracked >= 0 && tracked <= 2 * 300 + 10, "\(status.stdout)")
        #expect(prog.isRunning, "the program stopped")
        Live.stop(prog)
        let printed = Self.lines(out)
        #expect(!printed.contains { $0.contains("BAD") }, "\(printed.filter { $0.contains("BAD") }.prefix(3))")
        for v in ["v1 ok", "v2 ok", "v3 ok"] { #expect(printed.contains { $0.hasPrefix(v) }, "no \(v) line: \(printed.suffix(3))") }
        #expect(printed.last?.hasPrefix("v3 ok") == true, "\(printed.suffix(3))")
    }

    @Test("UPD-5: a patch for a program with a second thread is refused and changes nothing; the same program on one thread is patched")
    func secondThreadRefused() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.build("v1", in: dir, source: Self.fixtures + "threads/v1.c", flags: ["-pthread"])
        let v2 = try Self.build("v2", in: dir, source: Self.fixtures + "threads/v2.c", flags: ["-pthread"])
        let made = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"])
        #expect(made.status == 0, "\(made.stdout) \(made.stderr)")

        // Two threads: refused, with the rule; the program keeps printing v1 lines.
        let (prog, out) = try Live.launch(v1)
        defer { Live.stop(prog) }
        usleep(200_000)
        let refused = try run(graft, ["apply", "--pid", String(prog.processIdentifier), dir + "/p.patch", "--timeout", "5"])
        #expect(refused.status != 0)
        #expect((refused.stdout + refused.stderr).contains("[UPD-5]"), "\(refused.stdout) \(refused.stderr)")
        #expect((refused.stdout + refused.stderr).contains("2 threads"), "\(refused.stdout) \(refused.stderr)")
        let status = try run(graft, ["status", "--pid", String(prog.processIdentifier), "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect((json?["updates"] as? [Any])?.isEmpty == true, "\(status.stdout)")
        usleep(100_000)
        Live.stop(prog)
        let printed = Self.lines(out)
        #expect(printed.count > 5 && printed.allSatisfy { $0.hasPrefix("v1 ") }, "\(printed.suffix(5))")

        // One thread: the control threads of the runtime do not count.
        let (single, sout) = try Live.launch(v1, ["single"])
        defer { Live.stop(single) }
        usleep(200_000)
        _ = try run(graft, ["status", "--pid", String(single.processIdentifier)])   // a control thread comes and goes
        let applied = try run(graft, ["apply", "--pid", String(single.processIdentifier), dir + "/p.patch", "--timeout", "5"])
        #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        usleep(200_000)
        Live.stop(single)
        let after = Self.lines(sout)
        #expect(after.first?.hasPrefix("v1 ") == true && after.last?.hasPrefix("v2 ") == true, "\(after.prefix(3)) … \(after.suffix(3))")
    }
}
