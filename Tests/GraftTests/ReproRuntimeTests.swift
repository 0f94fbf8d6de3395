// Issue 8's running and command-line reproducers (Fixtures/repro/<name>,
// each with its README), for real: the built graft, gcc and real processes.
// Every test asserts the outcome the README asks for — the program's output
// as the plain build's, the patch applied, or a clear error.

import Foundation
import Testing

@Suite("Issue 8 reproducers: running programs and the command line", .serialized)
struct ReproRuntimeTests {
    typealias Live = LiveUpdateTests
    static let fixtures = Live.repo + "/Tests/GraftTests/Fixtures/repro/"
    static let graftInclude = Live.repo + "/Sources/Runtime/include"

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ s: String) { description = s } }

    /// Copies the files of fixture `name` into a fresh folder.
    static func copy(_ name: String, _ files: [String], to dir: String, as names: [String]? = nil) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (i, f) in files.enumerated() {
            let target = dir + "/" + (names?[i] ?? f)
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: fixtures + name + "/" + f, toPath: target)
        }
    }

    /// `graft ARGS` in `cwd`; throws with its output when it fails and `check`.
    @discardableResult
    static func graft(_ args: [String], cwd: String? = nil, env: [String: String] = [:], check: Bool = false) throws -> ProcessResult {
        guard let g = Live.graft else { throw Failure("build graft first") }
        let r = try run(g, args, cwd: cwd, env: env)
        if check && r.status != 0 { throw Failure("graft \(args.joined(separator: " ")) failed (\(r.status)):\n\(r.stdout)\(r.stderr)") }
        return r
    }

    /// `graft status --pid PID --json`, decoded.
    static func status(_ pid: Int32) throws -> [String: Any] {
        let r = try graft(["status", "--pid", String(pid), "--json"])
        guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw Failure("graft status: \(r.stdout) \(r.stderr)")
        }
        return json
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    static func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }

    /// A running program whose stdin the test writes and whose stdout it reads.
    final class Program: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var out = Data()
        private let input = Pipe()

        init(_ exe: String, _ args: [String] = [], stdin: Bool = false) throws {
            process.executableURL = URL(fileURLWithPath: exe)
            process.arguments = args
            let o = Pipe()
            process.standardOutput = o
            process.standardError = o
            process.standardInput = stdin ? input : FileHandle.nullDevice
            o.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                if d.isEmpty { h.readabilityHandler = nil; return }
                self?.lock.withLock { self?.out.append(d) }
            }
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var text: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
        var lines: [String] { text.split(separator: "\n").map(String.init) }

        func write(_ s: String) { input.fileHandleForWriting.write(Data(s.utf8)) }
        func closeInput() { try? input.fileHandleForWriting.close() }

        func waitForLine(_ line: String, seconds: Double = 10) -> Bool {
            ReproRuntimeTests.eventually(seconds) { lines.contains(line) }
        }

        /// Waits for the process to end; its exit status, or nil if it did not.
        func exitStatus(within seconds: Double = 10) -> Int32? {
            guard ReproRuntimeTests.eventually(seconds, { !process.isRunning }) else { return nil }
            process.waitUntilExit()
            _ = ReproRuntimeTests.eventually(1) { false }   // let the reader drain the pipe
            return process.terminationStatus
        }

        func stop() {
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
            unlink("/tmp/graft-\(getuid())/\(pid).sock")
        }
    }

    /// `graft apply` started in the background; `result()` waits for it.
    final class Apply: @unchecked Sendable {
        let process = Process()
        private let out = Pipe(), err = Pipe()
        private var stdoutData = Data(), stderrData = Data()
        private let group = DispatchGroup()

        init(_ args: [String]) throws {
            guard let g = Live.graft else { throw Failure("build graft first") }
            process.executableURL = URL(fileURLWithPath: g)
            process.arguments = ["apply"] + args
            process.standardOutput = out
            process.standardError = err
            try process.run()
            group.enter()
            DispatchQueue.global().async { [self] in
                stdoutData = out.fileHandleForReading.readDataToEndOfFile()
                stderrData = err.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }

        func result() -> ProcessResult {
            group.wait()
            process.waitUntilExit()
            return ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                                 stderr: String(decoding: stderrData, as: UTF8.self))
        }
    }

    /// Whether process `pid` holds a patch that waits for an update point.
    static func pending(_ pid: Int32) -> Bool { ((try? status(pid))?["pending"] as? Bool) == true }

    static func updates(_ pid: Int32) -> Int { ((try? status(pid))?["updates"] as? [Any])?.count ?? -1 }

    // MARK: - sigurg-eintr

    /// v1 and v2 of sigurg-eintr built by `graft cc -O2` (as run.sh does), and the patch.
    static func sigurgBuilds(_ dir: String, source: String = "v1.c", v2: String = "v2.c", v2flags: [String] = []) throws -> (String, String, String) {
        for (v, file, flags) in [("v1", source, [String]()), ("v2", v2, v2flags)] {
            try copy("sigurg-eintr", [file], to: dir + "/" + v, as: ["prog.c"])
            try graft(["cc", "-O2"] + flags + ["-o", "prog", "prog.c"], cwd: dir + "/" + v, check: true)
        }
        try graft(["patch", "--from", dir + "/v1/prog", "--to", dir + "/v2/prog", "-o", dir + "/p.patch"], check: true)
        return (dir + "/v1/prog", dir + "/v2/prog", dir + "/p.patch")
    }

    @Test("sigurg-eintr: a program blocked in fgets sees no signal and no EINTR while a patch waits; the patch applies at the update point after the next line, and the program prints what the plain build prints")
    func sigurgFgets() throws {
        let dir = tempDir()
        let (v1, _, patch) = try Self.sigurgBuilds(dir)
        // The plain build, for the output to compare with.
        try Self.copy("sigurg-eintr", ["v1.c"], to: dir + "/plain")
        let cc = try run("/usr/bin/gcc", ["-O2", "-I", Self.graftInclude, "-o", dir + "/plain/prog", dir + "/plain/v1.c"])
        #expect(cc.status == 0, "\(cc.stderr)")
        let plain = try Program(dir + "/plain/prog", stdin: true)
        defer { plain.stop() }
        plain.write("hello\nworld\nagain\n")
        plain.closeInput()
        #expect(plain.exitStatus() == 1)

        let p = try Program(v1, stdin: true)
        defer { p.stop() }
        p.write("hello\n")
        #expect(p.waitForLine("v1: hello"))
        let apply = try Apply(["--pid", String(p.pid), patch, "--timeout", "30"])
        #expect(Self.eventually(10) { Self.pending(p.pid) }, "the patch never waited")
        usleep(300_000)     // the runtime would have woken the program by now (it did, at once)
        #expect(p.process.isRunning && p.lines == ["v1: hello"], "\(p.lines)")
        p.write("world\n")
        let r = apply.result()
        #expect(r.status == 0 && r.stdout.contains("applied:"), "\(r.stdout) \(r.stderr)")
        p.write("again\n")
        #expect(p.waitForLine("v2: again"), "\(p.lines)")
        p.closeInput()
        #expect(p.exitStatus() == 1)
        #expect(p.lines == ["v1: hello", "v1: world", "v2: again", "fgets returned NULL: eof=1 error=0"], "\(p.lines)")
        #expect(p.lines.map { $0.replacingOccurrences(of: "v2:", with: "v1:") } == plain.lines, "plain: \(plain.lines)")
    }

    @Test("sigurg-eintr: a program that exits while a patch waits: graft apply says it exited, with its exit status, and that the patch was not applied")
    func sigurgExitWhilePending() throws {
        let dir = tempDir()
        let (v1, _, patch) = try Self.sigurgBuilds(dir)
        let p = try Program(v1, stdin: true)
        defer { p.stop() }
        p.write("hello\n")
        #expect(p.waitForLine("v1: hello"))
        let apply = try Apply(["--pid", String(p.pid), patch, "--timeout", "30"])
        #expect(Self.eventually(10) { Self.pending(p.pid) }, "the patch never waited")
        p.closeInput()                          // fgets sees EOF: the program returns 1 from main
        let r = apply.result()
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("process \(p.pid) exited") && r.stderr.contains("exit status 1") && r.stderr.contains("not applied"),
                "\(r.stderr)")
        #expect(!r.stderr.contains("without an answer"), "\(r.stderr)")
        #expect(p.exitStatus() == 1)
    }

    @Test("sigurg-eintr: a program with its own SIGURG handler, or that blocks SIGURG, is sent no signal while a patch waits; --interrupt is refused for it with the reason")
    func sigurgOwnHandlerAndBlocked() throws {
        let dir = tempDir()
        let (v1, _, patch) = try Self.sigurgBuilds(dir, source: "signals.c", v2: "signals.c", v2flags: ["-DGREETING=\"v2\""])
        for (mode, reason) in [("handler", "the program handles SIGURG itself"), ("block", "the program's main thread blocks SIGURG")] {
            let p = try Program(v1, [mode], stdin: true)
            defer { p.stop() }
            p.write("hello\n")
            #expect(p.waitForLine("v1: urg=0 pending=0 hello"), "\(mode): \(p.lines)")
            let refused = try Self.graft(["apply", "--pid", String(p.pid), "--interrupt", patch, "--timeout", "5"])
            #expect(refused.status == 1 && refused.stderr.contains("rejected: --interrupt: " + reason), "\(mode): \(refused.stderr)")
            #expect(Self.updates(p.pid) == 0 && !Self.pending(p.pid))

            let apply = try Apply(["--pid", String(p.pid), patch, "--timeout", "30"])
            #expect(Self.eventually(10) { Self.pending(p.pid) }, "\(mode): the patch never waited")
            usleep(300_000)
            p.write("world\n")
            let r = apply.result()
            #expect(r.status == 0, "\(mode): \(r.stdout) \(r.stderr)")
            if r.status != 0 { return }
            p.write("again\n")
            #expect(p.waitForLine("v2: urg=0 pending=0 again"), "\(mode): \(p.lines)")
            #expect(p.lines == ["v1: urg=0 pending=0 hello", "v1: urg=0 pending=0 world", "v2: urg=0 pending=0 again"], "\(mode): \(p.lines)")
        }
    }
}
