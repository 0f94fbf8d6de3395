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
            unlink(channelSocket(pid))
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

        // Killed while the patch waits (no exit handler runs): graft apply says what became of it.
        let q = try Program(v1, stdin: true)
        defer { q.stop() }
        q.write("hello\n")
        #expect(q.waitForLine("v1: hello"))
        let apply2 = try Apply(["--pid", String(q.pid), patch, "--timeout", "30"])
        #expect(Self.eventually(10) { Self.pending(q.pid) }, "the patch never waited")
        kill(q.pid, SIGKILL)
        let k = apply2.result()
        #expect(k.status == 1 && k.stderr.contains("closed its control channel without an answer"), "\(k.stderr)")
        #expect((k.stderr.contains("killed by signal 9") || k.stderr.contains("has exited")) && k.stderr.contains("the patch was not applied"), "\(k.stderr)")
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

    // MARK: - link-flags

    /// A system compiler that logs its command lines to DIR/cc.log, for GRAFT_CC.
    static func loggingCC(in dir: String) throws -> String {
        let path = dir + "/logcc"
        try "#!/bin/sh\necho \"cc $*\" >> \"\(dir)/cc.log\"\nexec cc \"$@\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// The logged command lines that compile graft's generated C for the link (`….graft.o`).
    static func linkCompiles(_ dir: String) -> [String] {
        let log = (try? String(contentsOfFile: dir + "/cc.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").map(String.init).filter { $0.contains(".graft.c") && $0.contains(".graft.o") }
    }

    @Test("link-flags: -O2 -march -D given only on the -c line: the link compiles the merged program with the unit's recorded -O2 and -march, and it prints what the plain build prints")
    func linkFlagsRecorded() throws {
        let dir = tempDir()
        try Self.copy("link-flags", ["prog.c"], to: dir)
        let cc = try Self.loggingCC(in: dir)
        let env = ["GRAFT_CC": cc]
        try Self.graft(["cc", "-O2", "-march=x86-64-v2", "-DUNUSED=1", "-c", "prog.c", "-o", "prog.o"], cwd: dir, env: env, check: true)
        let linked = try Self.graft(["cc", "-o", "prog", "prog.o"], cwd: dir, env: env, check: true)
        #expect(!linked.stderr.contains("warning"), "\(linked.stderr)")
        let lines = Self.linkCompiles(dir)
        #expect(lines.count == 1, "\(lines)")
        let words = lines.first?.split(separator: " ").map(String.init) ?? []
        #expect(words.contains("-O2") && words.contains("-march=x86-64-v2"), "\(lines)")
        // The runtime is compiled at the program's -O too.
        let log = (try? String(contentsOfFile: dir + "/cc.log", encoding: .utf8)) ?? ""
        #expect(log.split(separator: "\n").contains { $0.contains("runtime.c") && $0.contains(" -O2 ") }, "\(log)")
        let plain = try run("/usr/bin/gcc", ["-O2", "-o", dir + "/plain", dir + "/prog.c"])
        #expect(plain.status == 0)
        let a = try run(dir + "/prog", []), b = try run(dir + "/plain", [])
        #expect(a.status == 0 && a.stdout == b.stdout && !a.stdout.isEmpty, "\(a.stdout) vs \(b.stdout)")
        // A flag on the link line wins, as gcc's later flags do.
        try? FileManager.default.removeItem(atPath: dir + "/cc.log")
        try Self.graft(["cc", "-O1", "-o", "prog1", "prog.o"], cwd: dir, env: env, check: true)
        let again = Self.linkCompiles(dir).first?.split(separator: " ").map(String.init) ?? []
        #expect(again.contains("-O1") && again.last(where: { $0.hasPrefix("-O") }) == "-O1", "\(again)")
    }

    @Test("link-flags: units compiled with different -O and -march: the link warns, names the units, takes the highest -O and leaves the disputed -march out; a semantics flag one unit has (-fwrapv) is kept for all")
    func linkFlagsDisagree() throws {
        let dir = tempDir()
        try "int triple(int x) { return x * 3; }\n".write(toFile: dir + "/a.c", atomically: true, encoding: .utf8)
        try "#include <stdio.h>\nint triple(int);\nint main(void) { printf(\"%d\\n\", triple(14)); return 0; }\n"
            .write(toFile: dir + "/b.c", atomically: true, encoding: .utf8)
        let cc = try Self.loggingCC(in: dir)
        let env = ["GRAFT_CC": cc]
        try Self.graft(["cc", "-O2", "-march=x86-64-v2", "-fwrapv", "-c", "a.c"], cwd: dir, env: env, check: true)
        try Self.graft(["cc", "-O0", "-c", "b.c"], cwd: dir, env: env, check: true)
        let linked = try Self.graft(["cc", "-o", "ab", "a.o", "b.o"], cwd: dir, env: env, check: true)
        #expect(linked.stderr.contains("graft: warning: the units were compiled at different optimization levels: -O2 (a.o), -O0 (b.o); the merged program is compiled with -O2"), "\(linked.stderr)")
        #expect(linked.stderr.contains("graft: warning: the units disagree on -march=…: -march=x86-64-v2 (a.o), none (b.o)"), "\(linked.stderr)")
        let words = Self.linkCompiles(dir).first?.split(separator: " ").map(String.init) ?? []
        #expect(words.contains("-O2") && words.contains("-fwrapv") && !words.contains { $0.hasPrefix("-march") }, "\(words)")
        #expect(try run(dir + "/ab", []).stdout == "42\n")
        // Quiet when the link line decides.
        let decided = try Self.graft(["cc", "-O2", "-march=x86-64", "-o", "ab2", "a.o", "b.o"], cwd: dir, env: env, check: true)
        #expect(!decided.stderr.contains("warning"), "\(decided.stderr)")
    }

    @Test("link-flags: GRAFT_UPDATABLE=0 with a graft_update_point() call links (the call is a no-op) and runs; the updatable build of the same file too")
    func linkFlagsNotUpdatable() throws {
        let dir = tempDir()
        try Self.copy("link-flags", ["point.c"], to: dir)
        let plain = try Self.graft(["cc", "-o", "point", "point.c"], cwd: dir, env: ["GRAFT_UPDATABLE": "0"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stderr.contains("undefined reference"), "\(plain.stderr)")
        #expect(try run(dir + "/point", []).status == 0)
        // An ordinary executable: no control channel, no IR.
        let data = FileManager.default.contents(atPath: dir + "/point") ?? Data()
        #expect(ObjectIRProbe.hasSection(".graft_ir", data) == false)
        try Self.graft(["cc", "-o", "upoint", "point.c"], cwd: dir, check: true)
        #expect(try run(dir + "/upoint", []).status == 0)
    }

    // MARK: - transformer-flags

    @Test("transformer-flags: transformers.c includes the program's header through its -Iinclude and needs its -DNAME_LEN: graft patch compiles it as NEW's units were compiled, and the patch applies live; --cflags adds flags of its own")
    func transformerFlags() throws {
        let dir = tempDir()
        for v in ["v1", "v2"] {
            try Self.copy("transformer-flags", ["prog.c"], to: dir + "/" + v)
            try Self.copy("transformer-flags", ["rec-\(v).h"], to: dir + "/\(v)/include", as: ["rec.h"])
            try Self.graft(["cc", "-Iinclude", "-DNAME_LEN=16", "-o", "prog", "prog.c"], cwd: dir + "/" + v, check: true)
        }
        try Self.copy("transformer-flags", ["transformers.c"], to: dir + "/v2")
        let made = try Self.graft(["patch", "--from", dir + "/v1/prog", "--to", dir + "/v2/prog", "-o", dir + "/p.patch"], cwd: dir)
        #expect(made.status == 0, "\(made.stdout) \(made.stderr)")
        #expect(made.stdout.contains("default transformer, then graft_transform_rec"), "\(made.stdout)")
        #expect(!made.stderr.contains("not found") && !made.stderr.contains("NAME_LEN"), "\(made.stderr)")
        guard made.status == 0 else { return }
        let p = try Program(dir + "/v1/prog")
        defer { p.stop() }
        #expect(Self.eventually(5) { (try? Self.status(p.pid)) != nil })
        let applied = try Self.graft(["apply", "--pid", String(p.pid), dir + "/p.patch", "--timeout", "10"])
        #expect(applied.status == 0 && applied.stdout.contains("applied:"), "\(applied.stdout) \(applied.stderr)")
        #expect(p.process.isRunning)

        // A transformer that needs a flag the program was not built with: --cflags gives it.
        let needs = "#ifndef EXTRA\n#error \"needs -DEXTRA\"\n#endif\n"
            + (try String(contentsOfFile: Self.fixtures + "transformer-flags/transformers.c", encoding: .utf8))
        try needs.write(toFile: dir + "/extra.c", atomically: true, encoding: .utf8)
        let without = try Self.graft(["patch", "--from", dir + "/v1/prog", "--to", dir + "/v2/prog", "--transformers", dir + "/extra.c", "-o", dir + "/q.patch"])
        #expect(without.status != 0 && without.stderr.contains("needs -DEXTRA"), "\(without.stderr)")
        let with = try Self.graft(["patch", "--from", dir + "/v1/prog", "--to", dir + "/v2/prog", "--transformers", dir + "/extra.c",
                                   "--cflags", "-DEXTRA=1", "-o", dir + "/q.patch"])
        #expect(with.status == 0, "\(with.stdout) \(with.stderr)")
    }

    // MARK: - explain-types-header

    @Test("explain-types-header: graft build --explain-types finds graft.h, as graft build -o and graft cc --explain-types do, and says what they say")
    func explainTypesFindsHeader() throws {
        let dir = tempDir()
        try Self.copy("explain-types-header", ["prog.c"], to: dir)
        let explained = try Self.graft(["build", "--explain-types", "prog.c"], cwd: dir)
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(!explained.stderr.contains("'graft.h' file not found"), "\(explained.stderr)")
        #expect(explained.stdout.contains("struct counter (prog.c:3:8): wrapped"), "\(explained.stdout)")
        let viaCC = try Self.graft(["cc", "--explain-types", "-o", "prog2", "prog.c"], cwd: dir, check: true)
        #expect(explained.stdout == viaCC.stderr, "build: \(explained.stdout)\ncc: \(viaCC.stderr)")
        // With -o as well: explained, then built.
        let both = try Self.graft(["build", "--explain-types", "-o", "prog", "prog.c"], cwd: dir)
        #expect(both.status == 0 && both.stdout == explained.stdout, "\(both.stdout) \(both.stderr)")
        #expect(try run(dir + "/prog", []).status == 0)
    }

    // MARK: - build-flag-parsing

    @Test("build-flag-parsing: graft build passes every gcc flag it does not own (-lpthread, -pthread, -pedantic, -fno-common, -Wl,…, -oFILE) to the compiler; the program runs as graft cc builds it; a flag the compiler rejects is reported as the command line's, not as graft's bug")
    func buildFlagsPassThrough() throws {
        let dir = tempDir()
        try Self.copy("build-flag-parsing", ["prog.c"], to: dir)
        let cc = try Self.loggingCC(in: dir)
        for flag in ["-lpthread", "-pthread", "-pedantic", "-fno-common", "-Wl,-z,now", "-fstack-protector-strong", "-pipe", "-no-pie"] {
            let r = try Self.graft(["build", "-o", "prog", "prog.c", flag], cwd: dir, env: ["GRAFT_CC": cc])
            #expect(r.status == 0, "\(flag): \(r.stderr)")
            #expect(!r.stderr.contains("Unknown option") && !r.stderr.contains("Missing value"), "\(flag): \(r.stderr)")
            let out = try run(dir + "/prog", [])
            #expect(out.stdout == "hello from a thread\n", "\(flag): \(out.stdout) \(out.stderr)")
        }
        // The flags reached the system compiler.
        let log = (try? String(contentsOfFile: dir + "/cc.log", encoding: .utf8)) ?? ""
        for flag in ["-fno-common", "-Wl,-z,now", "-fstack-protector-strong", "-lpthread"] {
            #expect(log.contains(" \(flag)"), "\(flag) not passed: \(log)")
        }
        let all = try Self.graft(["build", "-pedantic", "-fno-common", "-pthread", "-oprog3", "prog.c", "-lpthread"], cwd: dir)
        #expect(all.status == 0 && FileManager.default.fileExists(atPath: dir + "/prog3"), "\(all.stderr)")
        let viaCC = try Self.graft(["cc", "-pedantic", "-fno-common", "-pthread", "-o", "prog4", "prog.c", "-lpthread"], cwd: dir, check: true)
        #expect(viaCC.status == 0)
        #expect(try run(dir + "/prog3", []).stdout == (try run(dir + "/prog4", []).stdout))
        let explained = try Self.graft(["build", "--explain-types", "prog.c", "-pthread", "-pedantic"], cwd: dir)
        #expect(explained.status == 0, "\(explained.stderr)")
        let bogus = try Self.graft(["build", "-o", "prog5", "prog.c", "-fbogus-flag"], cwd: dir)
        #expect(bogus.status != 0 && bogus.stderr.contains("-fbogus-flag"), "\(bogus.stderr)")
        #expect(bogus.stderr.contains("rejects the flags") && !bogus.stderr.contains("bug in graft") && !bogus.stderr.contains("it is kept at"), "\(bogus.stderr)")
    }

    // MARK: - privilege-drop (needs root)

    /// `graft ARGS` as uid/gid 65534 (setpriv).
    static func graftAsNobody(_ args: [String]) throws -> ProcessResult {
        guard let g = Live.graft else { throw Failure("build graft first") }
        return try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", g] + args)
    }

    static func privilegeBuilds(_ dir: String, v1: String, v2: String, v2flags: [String] = []) throws -> String {
        chmod(dir, 0o755)                   // uid 65534 reads the patch
        for (v, file, flags) in [("v1", v1, [String]()), ("v2", v2, v2flags)] {
            try Self.copy("privilege-drop", [file], to: dir + "/" + v, as: ["prog.c"])
            try Self.graft(["build"] + flags + ["-o", "prog", "prog.c"], cwd: dir + "/" + v, check: true)
        }
        try Self.graft(["patch", "--from", dir + "/v1/prog", "--to", dir + "/v2/prog", "-o", dir + "/p.patch"], check: true)
        chmod(dir + "/p.patch", 0o644)
        return dir + "/p.patch"
    }

    @Test("privilege-drop: a daemon started as root that setuid()s to 65534: its new uid is refused with the reason (the process is not dumpable: it may hold what root could reach), root applies the patch", .enabled(if: getuid() == 0, "needs root"))
    func privilegeDropRoot() throws {
        let dir = tempDir()
        let patch = try Self.privilegeBuilds(dir, v1: "v1.c", v2: "v2.c")
        let p = try Program(dir + "/v1/prog")
        defer { p.stop() }
        // Dropped: /proc/PID is uid 65534's.
        #expect(Self.eventually(5) {
            var st = stat()
            return stat("/proc/\(p.pid)", &st) == 0 && st.st_uid == 65534 && (try? Self.status(p.pid)) != nil
        }, "\(p.text)")
        let nobody = try Self.graftAsNobody(["apply", "--pid", String(p.pid), patch, "--timeout", "5"])
        #expect(nobody.status == 1, "\(nobody.stdout) \(nobody.stderr)")
        #expect(nobody.stderr.contains("is not dumpable") && nobody.stderr.contains("only root may update it")
                && nobody.stderr.contains("prctl(PR_SET_DUMPABLE, 1)"), "\(nobody.stderr)")
        #expect(Self.updates(p.pid) == 0)
        let root = try Self.graft(["apply", "--pid", String(p.pid), patch, "--timeout", "5"])
        #expect(root.status == 0 && root.stdout.contains("applied:"), "\(root.stdout) \(root.stderr)")
        #expect(Self.updates(p.pid) == 1)
        let status = try Self.graft(["status", "--pid", String(p.pid)])
        #expect(status.status == 0 && status.stdout.contains("updates       1"), "\(status.stdout) \(status.stderr)")
        #expect(p.process.isRunning, "\(p.text)")
    }

    @Test("privilege-drop: a daemon that drops to 65534 and then allows its uid (prctl(PR_SET_DUMPABLE, 1)) gets a channel for it: uid 65534 applies the patch, and the program counts on in the new version", .enabled(if: getuid() == 0, "needs root"))
    func privilegeDropNewUid() throws {
        let dir = tempDir()
        let patch = try Self.privilegeBuilds(dir, v1: "dumpable.c", v2: "dumpable.c", v2flags: ["-DSTEP=2"])
        let p = try Program(dir + "/v1/prog")
        defer { p.stop() }
        // The runtime opens the new uid's channel within a second or so of the drop.
        #expect(Self.eventually(10) { FileManager.default.fileExists(atPath: channelSocket(p.pid, uid: 65534)) }, "no channel for uid 65534")
        let nobody = try Self.graftAsNobody(["apply", "--pid", String(p.pid), patch, "--timeout", "5"])
        #expect(nobody.status == 0 && nobody.stdout.contains("applied:"), "\(nobody.stdout) \(nobody.stderr)")
        let status = try Self.graftAsNobody(["status", "--pid", String(p.pid), "--json"])
        #expect(status.status == 0 && status.stdout.contains("\"updates\":[{"), "\(status.stdout) \(status.stderr)")
        let seen = p.lines.count
        #expect(Self.eventually(5) { p.lines.count >= seen + 3 })
        let n = p.lines.compactMap { Int($0) }
        let steps = zip(n, n.dropFirst()).map { $1 - $0 }
        #expect(steps.first == 1 && steps.last == 2 && Set(steps).isSubset(of: [1, 2]), "\(n)")
        // An unrelated uid is refused by the runtime itself.
        let other = try run("/usr/bin/setpriv", ["--reuid=65533", "--regid=65533", "--clear-groups", Live.graft!, "status", "--pid", String(p.pid)])
        #expect(other.status != 0, "\(other.stdout) \(other.stderr)")
    }

    // MARK: - worker-thread-point

    static func threadBuilds(_ dir: String, v1: String, v2: String, v2flags: [String] = []) throws -> String {
        for (v, file, flags) in [("v1", v1, [String]()), ("v2", v2, v2flags)] {
            try Self.copy("worker-thread-point", [file], to: dir + "/" + v, as: ["prog.c"])
            try Self.graft(["cc"] + flags + ["-o", "prog", "prog.c", "-pthread"], cwd: dir + "/" + v, check: true)
        }
        try Self.graft(["patch", "--from", dir + "/v1/prog", "--to", dir + "/v2/prog", "-o", dir + "/p.patch"], check: true)
        return dir + "/p.patch"
    }

    @Test("worker-thread-point: the update point is on the worker and main waits in pthread_join, reaching none: the patch is refused (within half the timeout, not at it) with the rule, naming the main thread and where it waits, and nothing changes")
    func workerThreadPointRefused() throws {
        let dir = tempDir()
        let patch = try Self.threadBuilds(dir, v1: "v1.c", v2: "v2.c")
        let p = try Program(dir + "/v1/prog")
        defer { p.stop() }
        #expect(Self.eventually(5) { (try? Self.status(p.pid)) != nil })
        let started = Date()
        let r = try Self.graft(["apply", "--pid", String(p.pid), patch, "--timeout", "20"])
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("[UPD-5]") && r.stderr.contains("the main thread") && r.stderr.contains("reached no update point"), "\(r.stderr)")
        #expect(!r.stderr.contains("timed out"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 15, "refused only at the timeout")
        #expect(Self.updates(p.pid) == 0 && !Self.pending(p.pid))
        #expect(p.process.isRunning)
    }

    @Test("worker-thread-point: with an update point on every thread (two workers and main), the update points of worker threads count: the threads wait for each other at their points, the patch is applied, and every worker counts by the new step from then on")
    func workerThreadsAllAtPoints() throws {
        let dir = tempDir()
        let patch = try Self.threadBuilds(dir, v1: "pool.c", v2: "pool.c", v2flags: ["-DSTEP=2"])
        let p = try Program(dir + "/v1/prog")
        defer { p.stop() }
        #expect(Self.eventually(5) { p.lines.count > 10 && (try? Self.status(p.pid)) != nil })
        let r = try Self.graft(["apply", "--pid", String(p.pid), patch, "--timeout", "10"])
        #expect(r.status == 0 && r.stdout.contains("applied:"), "\(r.stdout) \(r.stderr)")
        let seen = p.lines.count
        #expect(Self.eventually(5) { p.lines.count > seen + 20 })
        p.stop()
        for k in 0..<2 {
            let totals = p.lines.filter { $0.hasPrefix("w\(k) ") }.compactMap { Int($0.dropFirst(3)) }
            let steps = zip(totals, totals.dropFirst()).map { $1 - $0 }
            // 1, 1, …, 1, 2, 2, …: never back to the old step after the new one.
            #expect(steps.first == 1 && steps.last == 2, "w\(k): \(steps)")
            #expect(steps.drop { $0 == 1 }.allSatisfy { $0 == 2 }, "w\(k): \(steps)")
        }
    }

    @Test("worker-thread-point: two threads that cannot be at update points at once (one waits at its point holding a lock the other needs): the patch is refused with the rule within half the timeout, and both threads go on in the old version")
    func workerThreadsNeverMeet() throws {
        let dir = tempDir()
        let patch = try Self.threadBuilds(dir, v1: "lock.c", v2: "lock.c", v2flags: ["-DSTEP=2"])
        let p = try Program(dir + "/v1/prog")
        defer { p.stop() }
        #expect(Self.eventually(5) { p.lines.count > 10 && (try? Self.status(p.pid)) != nil })
        let started = Date()
        let r = try Self.graft(["apply", "--pid", String(p.pid), patch, "--timeout", "8"])
        #expect(r.status == 1 && r.stderr.contains("[UPD-5]") && !r.stderr.contains("timed out"), "\(r.stdout) \(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 7, "refused only at the timeout: \(r.stderr)")
        #expect(Self.updates(p.pid) == 0 && !Self.pending(p.pid))
        let seen = p.lines.count
        #expect(Self.eventually(5) { p.lines.dropFirst(seen).contains { $0.hasPrefix("w ") } && p.lines.dropFirst(seen).contains { $0.hasPrefix("m ") } },
                "the threads did not go on: \(p.lines.suffix(4))")
        p.stop()
        for prefix in ["w ", "m "] {
            let n = p.lines.filter { $0.hasPrefix(prefix) }.compactMap { Int($0.dropFirst(2)) }
            #expect(zip(n, n.dropFirst()).allSatisfy { $1 - $0 == 1 }, "\(prefix): \(n.suffix(5))")
        }
    }
    @Test("[UPD-9] fd-reuse-after-closefrom: a program closes descriptors 3… (closefrom), makes a pipe and forks: the child reads it, as in the plain build (the runtime closes only what is still its own)")
    func fdReuseAfterClosefrom() throws {
        let dir = tempDir()
        let src = AdversarialLiveTests.fixtures + "repro/fd-reuse-after-closefrom/v1.c"
        let exe = try AdversarialLiveTests.build("upd", in: dir, source: src)
        let plain = dir + "/plain"
        #expect(try run("/usr/bin/cc", [src, "-o", plain]).status == 0)
        let a = try run(plain, []), b = try run(exe, [])
        #expect(a.status == 0 && a.stdout.contains("child: read 'hello'"), "\(a.stdout) \(a.stderr)")
        #expect(b.status == a.status && b.stdout == a.stdout, "updatable: \(b.stdout) \(b.stderr)")
    }
}


/// Whether an ELF file has a section (a plain scan of the section names, enough for tests).
enum ObjectIRProbe {
    static func hasSection(_ name: String, _ data: Data) -> Bool {
        data.range(of: Data((name + "\u{0}").utf8)) != nil
    }
}
