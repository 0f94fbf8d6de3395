// Issue 7, class A: an updatable build must behave exactly like a plain one.
// Every folder under Fixtures/adversarial/zero-diff is a self-checking C
// program (see Fixtures/adversarial/README.md for the layout of a case): it is
// built with `cc` and with `graft cc`, the way a user would, at each level its
// case.json lists, both are run, and the updatable build must print the same
// transcript and exit the same way as the plain one, which exits 0.

import Foundation
import Testing

/// One folder of Fixtures/adversarial/zero-diff.
struct ZeroDiffCase: Sendable, CustomTestStringConvertible {
    let name: String
    let path: String
    let subclass: String
    let levels: [String]
    var testDescription: String { name }

    func has(_ file: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + file) }
}

enum ZeroDiff {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let root = repo + "/Tests/GraftTests/Fixtures/adversarial/zero-diff"

    /// .build/debug/graft (what `swift test` builds), else .build/release/graft.
    static var graft: String? {
        if let p = graftFromEnvironment { return p }
        for p in [".build/debug/graft", ".build/release/graft"] {
            let path = repo + "/" + p
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    private struct Spec: Decodable {
        let subclass: String
        let levels: [String]
        enum CodingKeys: String, CodingKey { case subclass = "class", levels }
    }

    static let cases: [ZeroDiffCase] = {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        return names.compactMap { name in
            let dir = root + "/" + name
            guard let data = FileManager.default.contents(atPath: dir + "/case.json"),
                  let spec = try? JSONDecoder().decode(Spec.self, from: data) else { return nil }
            return ZeroDiffCase(name: name, path: dir, subclass: spec.subclass, levels: spec.levels)
        }
    }()

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `exe args` in `dir`; a failing build step throws with its output.
    @discardableResult
    static func step(_ exe: String, _ args: [String], in dir: String) throws -> ProcessResult {
        let r = try run(exe, args, cwd: dir)
        guard r.status == 0 else {
            throw Failure(description: "\(([exe] + args).joined(separator: " ")) failed (\(r.status)) in \(dir):\n\(r.stdout)\(r.stderr)")
        }
        return r
    }

    /// How a program ended: its transcript and exit status, or the signal that killed it.
    struct Outcome {
        var stdout: String
        var stderr: String
        var status: Int32
        var signalled: Bool
        var ending: String { signalled ? "killed by signal \(status)\(status == SIGSEGV ? " (SIGSEGV)" : status == SIGABRT ? " (SIGABRT)" : "")" : "exit \(status)" }
    }

    /// Runs a built program in `dir`, killed after 20 s.
    static func execute(_ exe: String, in dir: String) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: dir + "/" + exe)
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let pid = p.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: watchdog)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        watchdog.cancel()
        return Outcome(stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self),
                       status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal)
    }

    /// The first line where two transcripts differ, for the failure message.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? String(x[i]) : "<end of output>", r = i < y.count ? String(y[i]) : "<end of output>"
            if l != r { return "line \(i + 1): cc: \(l) | graft cc: \(r)" }
        }
        return "none"
    }
}

@Suite("Adversarial zero-diff: graft cc behaves like cc (issue 7, class A; REP-1, REP-2)")
struct AdversarialZeroDiffTests {
    @Test("the fixtures cover A1-A4 with at least two programs each")
    func coverage() {
        for sub in ["A1", "A2", "A3", "A4"] {
            #expect(ZeroDiff.cases.filter { $0.subclass == sub }.count >= 2, "\(sub) has fewer than two cases")
        }
        for c in ZeroDiff.cases {
            #expect(c.has("prog.c"), "\(c.name) has no prog.c")
            #expect(!c.levels.isEmpty, "\(c.name) lists no optimization level")
            if c.subclass == "A1" || c.subclass == "A2" { #expect(c.levels.contains("-O0"), "\(c.name) is not built at -O0") }
        }
    }

    @Test("same transcript and exit status as the plain build", arguments: ZeroDiff.cases)
    func sameBehaviour(_ c: ZeroDiffCase) throws {
        guard let graft = ZeroDiff.graft else { Issue.record("build graft first (swift build)"); return }
        let dir = tempDir() + "/" + c.name
        try FileManager.default.copyItem(atPath: c.path, toPath: dir)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }

        // The parts graft does not build: always plain cc -O2.
        var inputs = ["prog.c"], link: [String] = []
        if c.has("plugin.c") {
            try ZeroDiff.step("/usr/bin/cc", ["-O2", "-shared", "-fPIC", "plugin.c", "-o", "plugin.so"], in: dir)
            link += ["-rdynamic", "-ldl"]
        }
        if c.has("lib.c") {
            try ZeroDiff.step("/usr/bin/cc", ["-O2", "-c", "lib.c", "-o", "lib.o"], in: dir)
            try ZeroDiff.step("/usr/bin/ar", ["rcs", "liblib.a", "lib.o"], in: dir)
            inputs.append("liblib.a")
        }
        if c.has("obj.c") {
            try ZeroDiff.step("/usr/bin/cc", ["-O2", "-c", "obj.c", "-o", "obj.o"], in: dir)
            inputs.append("obj.o")
        }

        for level in c.levels {
            let tag = level.replacingOccurrences(of: "-", with: "")
            let plainExe = "prog-plain-\(tag)", graftExe = "prog-graft-\(tag)"
            let args = [level] + inputs + ["-o"]
            try ZeroDiff.step("/usr/bin/cc", args + [plainExe] + link, in: dir)
            let plain = try ZeroDiff.execute(plainExe, in: dir)
            #expect(plain.status == 0 && !plain.signalled,
                    "\(c.name) \(level): the plain build itself fails its checks (\(plain.ending)):\n\(plain.stdout)\(plain.stderr)")

            let built = try run(graft, ["cc"] + args + [graftExe] + link, cwd: dir)
            #expect(built.status == 0, "\(c.name) \(level): graft cc failed:\n\(built.stderr)")
            guard built.status == 0 else { continue }
            let upd = try ZeroDiff.execute(graftExe, in: dir)
            #expect(upd.stdout == plain.stdout,
                    "\(c.name) \(level): transcripts differ, first at \(ZeroDiff.firstDifference(plain.stdout, upd.stdout)); graft build's stderr: \(upd.stderr.prefix(300))")
            #expect(upd.status == plain.status && upd.signalled == plain.signalled,
                    "\(c.name) \(level): graft build: \(upd.ending), plain: \(plain.ending); stderr: \(upd.stderr.prefix(300))")
        }
    }
}
