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
