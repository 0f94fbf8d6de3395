// The runtime (Sources/Runtime) in real processes: a fixture program built
// with gcc together with the runtime sources, patches built as shared
// objects and sealed with `graft seal-patch`, applied and inspected with the
// built `graft apply` and `graft status`.

import Foundation
import Testing

private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let fixtureDir = repoRoot.appendingPathComponent("Tests/GraftTests/Fixtures/runtime").path
private let runtimeDir = repoRoot.appendingPathComponent("Sources/Runtime").path

/// The `graft` executable built next to this test bundle, else the newest one
/// in this checkout's build directories.
private let graftExecutable: String? = {
    let fm = FileManager.default
    if let p = graftFromEnvironment { return p }
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("graft")
    if fm.isExecutableFile(atPath: beside.path) { return beside.path }
    let dirs = (try? fm.contentsOfDirectory(atPath: repoRoot.path))?.filter { $0.hasPrefix(".build") } ?? []
    let found = dirs.flatMap { d in ["debug", "release"].map { repoRoot.appendingPathComponent(d).appendingPathComponent($0).appendingPathComponent("graft") } }
        .filter { fm.isExecutableFile(atPath: $0.path) }
    func mtime(_ u: URL) -> Date { ((try? fm.attributesOfItem(atPath: u.path))?[.modificationDate] as? Date) ?? .distantPast }
    return found.max { mtime($0) < mtime($1) }?.path
}()

/// The runtime built as graft builds it (Runtime.mutationFlags): with the
/// rule switch of bench/mutate-checker.sh only in a mutation build.
#if GRAFT_MUTATION
private let runtimeMutationFlags = ["-DGRAFT_MUTATION"]
#else
private let runtimeMutationFlags: [String] = []
#endif

/// The program and the patch files, built once.
private struct Built: Sendable {
    var dir = ""
    var error: String?
    var prog: String { dir + "/prog" }
    func patch(_ name: String) -> String { dir + "/" + name + ".patch" }
}

private let built: Built = {
    var b = Built(dir: tempDir())
    do {
        guard let graft = graftExecutable else { throw RuntimeTestError("the graft executable is not built") }
        let runtimeSources = try FileManager.default.contentsOfDirectory(atPath: runtimeDir).filter { $0.hasSuffix(".c") }.sorted()
            .map { runtimeDir + "/" + $0 }
        let includes = ["-I", runtimeDir + "/include", "-I", fixtureDir]
        func gcc(_ args: [String]) throws {
            let r = try run("/usr/bin/gcc", ["-O2", "-Wall", "-Werror"] + runtimeMutationFlags + includes + args)
            if r.status != 0 { throw RuntimeTestError("gcc \(args.joined(separator: " ")):\n\(r.stderr)") }
        }
        try gcc(["-rdynamic", fixtureDir + "/prog.c"] + runtimeSources + ["-ldl", "-lpthread", "-lcrypto", "-o", b.prog])
        try gcc([fixtureDir + "/sha256_vectors.c", runtimeDir + "/sha256.c", "-o", b.dir + "/sha256_vectors"])
        func greet(_ base: String, _ point: Int, _ word: String, slot: String? = nil) -> [String] {
            ["-DBASE=\"\(base)\"", "-DTARGET=\"2222\"", "-DPOINT=\(point)", "-DWORD=\"\(word)\""] + (slot.map { ["-DSLOT=\"\($0)\""] } ?? [])
        }
        // name, source, defines, the base and target versions its header says.
        let patches: [(String, String, [String], String, String)] = [
            ("v2", "patch_greet.c", greet("1111", 1, "v2"), "1111", "2222"),
            ("otherbase", "patch_greet.c", greet("9999", 1, "v2"), "9999", "2222"),
            ("point2", "patch_greet.c", greet("1111", 2, "v2"), "1111", "2222"),
            ("noslot", "patch_greet.c", greet("1111", 1, "v2", slot: "graft_slot_nosuch"), "1111", "2222"),
            ("type1", "patch_type1.c", [], "1111", "2222"),
            ("typewrong", "patch_type1.c", ["-DFROM_TAG=0x999u"], "1111", "2222"),
            ("type2", "patch_type2.c", [], "2222", "3333"),
            ("type1touch", "patch_type1.c", ["-DTOUCH"], "1111", "2222"),
            ("type1extends", "patch_type1.c", ["-DTOUCH", "-DEXTENDS=1"], "1111", "2222"),
            // The header says 1111, the descriptor inside 9999: caught after loading.
            ("lyingbase", "patch_greet.c", greet("9999", 1, "v2"), "1111", "2222"),
        ]
        for (name, source, defines, base, target) in patches {
            try gcc(["-shared", "-fPIC", "-nostartfiles"] + defines + [fixtureDir + "/" + source, "-o", b.dir + "/\(name).so"])
            let r = try run(graft, ["seal-patch", b.dir + "/\(name).so", "-o", b.patch(name), "--base", base, "--target", target])
            if r.status != 0 { throw RuntimeTestError("graft seal-patch \(name): \(r.stderr)") }
        }
        // Damaged copies of v2.patch.
        let good = try Data(contentsOf: URL(fileURLWithPath: b.patch("v2")))
        try good.prefix(good.count - 100).write(to: URL(fileURLWithPath: b.patch("truncated")))
        var flipped = good
        flipped[good.count / 2] ^= 0x10
        try flipped.write(to: URL(fileURLWithPath: b.patch("flipped")))
        try FileManager.default.copyItem(atPath: b.dir + "/v2.so", toPath: b.patch("unsealed"))
    } catch {
        b.error = "\(error)"
    }
    return b
}()

private struct RuntimeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A running fixture program whose output is collected as it comes.
private final class Running: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()

    init(_ args: [String] = [], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: built.prog)
        process.arguments = args
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            if d.isEmpty { h.readabilityHandler = nil; return }
            self?.lock.withLock { self?.output.append(d) }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            if d.isEmpty { h.readabilityHandler = nil; return }
            self?.lock.withLock { self?.errors.append(d) }
        }
        try process.run()
        guard waitFor(seconds: 5, { !$0.isEmpty }) else { stop(); throw RuntimeTestError("the program printed nothing") }
    }

    var pid: Int32 { process.processIdentifier }

    /// Complete output lines so far.
    var lines: [String] {
        let text = lock.withLock { String(decoding: output, as: UTF8.self) }
        return Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
    }

    var stderr: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }

    /// Waits until `condition` holds for the output lines.
    func waitFor(seconds: Double, _ condition: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(lines) { return true }
            usleep(10_000)
        }
        return condition(lines)
    }

    /// Whether the program still prints `word` and nothing else, some time after now.
    func keepsPrinting(_ word: String) -> Bool {
        let seen = lines.count
        guard waitFor(seconds: 5, { $0.count >= seen + 3 }) else { return false }
        return process.isRunning && lines.suffix(3).allSatisfy { $0 == word }
    }

    func stop() {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        unlink("/tmp/graft-\(getuid())/\(pid).sock")
    }
}

private func graft(_ args: [String]) throws -> ProcessResult {
    try run(try #require(graftExecutable), args)
}

private func statusJSON(_ p: Running) throws -> [String: Any] {
    let r = try graft(["status", "--pid", "\(p.pid)", "--json"])
    #expect(r.status == 0, "status: \(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
}

private func expectRejected(_ r: ProcessResult, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == 1, "exit \(r.status)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains(text), "stderr was: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "stdout was: \(r.stdout)", sourceLocation: sourceLocation)
}

/// The process runs its original version, untouched.
private func expectUnchanged(_ p: Running, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(p.keepsPrinting("v1"), "output: \(p.lines.suffix(5))", sourceLocation: sourceLocation)
    let s = try statusJSON(p)
    #expect(s["version"] as? String == "1111", sourceLocation: sourceLocation)
    #expect((s["updates"] as? [Any])?.isEmpty == true, sourceLocation: sourceLocation)
    #expect(s["pending"] as? Bool == false, sourceLocation: sourceLocation)
}

@Suite(.enabled(if: graftExecutable != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/gcc"),
                "needs the graft executable and gcc"))
struct RuntimeTests {
    init() throws {
        if let e = built.error { throw RuntimeTestError("building the fixtures failed: \(e)") }
    }

    @Test func sha256KnownVectors() throws {
        let r = try run(built.dir + "/sha256_vectors", [])
        #expect(r.stdout.split(separator: "\n").map(String.init) == [
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
            // XOR of the digests of bytes 0..<n for n = 0…200 (every padding boundary), from Python's hashlib
            "75678918f66bdbaeedd081871031392b4c6f32522da67cc44804246976a3cc3b",
        ])
    }

    /// REP-6: graft_realloc, driven directly: converted entries move with a
    /// block that moves (in place and heap values alike), entries past a
    /// shrunk end and stale ones where a block lands are dropped, a failed
    /// realloc changes nothing, realloc(p, 0) drops everything.
    @Test("REP-6: graft_realloc moves, keeps and drops the side table's entries of a block")
    func reallocMovesEntries() throws {
        let exe = built.dir + "/realloc_test"
        let sources = try FileManager.default.contentsOfDirectory(atPath: runtimeDir).filter { $0.hasSuffix(".c") }.sorted().map { runtimeDir + "/" + $0 }
        let cc = try run("/usr/bin/gcc", ["-O2", "-Wall", "-Werror"] + runtimeMutationFlags + ["-I", runtimeDir + "/include", "-I", runtimeDir,
                                          fixtureDir + "/realloc.c"] + sources + ["-ldl", "-lpthread", "-lcrypto", "-o", exe])
        try #require(cc.status == 0, "\(cc.stderr)")
        let r = try run(exe, [])
        #expect(r.status == 0 && r.stdout.hasSuffix("ok\n"), "\(r.stdout)\(r.stderr)")
    }

    /// `graft seal-patch` (Swift SHA-256) agrees with sha256sum; the header names the versions (Specs/deploy.md).
    @Test func sealedTrailer() throws {
        let so = try Data(contentsOf: URL(fileURLWithPath: built.dir + "/v2.so"))
        let sealed = try Data(contentsOf: URL(fileURLWithPath: built.patch("v2")))
        #expect(sealed.prefix(so.count) == so)
        #expect(sealed.suffix(8) == Data("GRAFTPT2".utf8))
        let meta = String(decoding: sealed.dropFirst(so.count).prefix(64), as: UTF8.self)
        #expect(meta.hasPrefix("graft-patch 2\nabi 7\nbase 1111\ntarget 2222\n"), "\(meta)")
        let hex = sealed.suffix(40).prefix(32).map { String(format: "%02x", $0) }.joined()
        try sealed.prefix(sealed.count - 40).write(to: URL(fileURLWithPath: built.dir + "/v2.unsealed"))
        let sum = try run("/usr/bin/env", ["sha256sum", built.dir + "/v2.unsealed"])
        #expect(sum.stdout.hasPrefix(hex + " "), "sha256sum: \(sum.stdout), trailer: \(hex)")
        let notELF = try graft(["seal-patch", fixtureDir + "/prog.c", "-o", built.dir + "/x.patch", "--base", "1", "--target", "2"])
        #expect(notELF.status == 1 && notELF.stderr.contains("is not an ELF shared object"))
    }

    @Test func appliesPatch() throws {
        let p = try Running()
        defer { p.stop() }
        let r = try graft(["apply", "--pid", "\(p.pid)", built.patch("v2")])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.hasPrefix("applied: prog now runs version 2222 (pause "), "stdout: \(r.stdout)")
        #expect(r.stdout.contains(" µs at update point 1)"))
        #expect(p.waitFor(seconds: 2) { $0.last == "v2" }, "output: \(p.lines.suffix(5))")
        #expect(p.lines.drop { $0 == "v1" }.allSatisfy { $0 == "v2" })

        let s = try statusJSON(p)
        #expect(s["pid"] as? Int == Int(p.pid))
        #expect(s["program"] as? String == "prog")
        #expect(s["version"] as? String == "2222")
        #expect(s["base_version"] as? String == "1111")
        #expect(s["pending"] as? Bool == false)
        let updates = try #require(s["updates"] as? [[String: Any]])
        #expect(updates.count == 1)
        let u = try #require(updates.first)
        #expect(u["from"] as? String == "1111" && u["to"] as? String == "2222")
        #expect(u["point"] as? Int == 1)
        #expect(u["description"] as? String == "greet says v2")
        let pause = try #require(u["pause_us"] as? Int)
        #expect(pause >= 0 && pause < 1_000_000)
        #expect(abs((u["at"] as? Int ?? 0) - Int(Date().timeIntervalSince1970)) < 60)

        let human = try graft(["status", "--pid", "\(p.pid)"])
        #expect(human.status == 0)
        for text in ["prog (pid \(p.pid))", "version       2222", "base version  1111", "greet says v2", "\(pause) µs"] {
            #expect(human.stdout.contains(text), "status: \(human.stdout)")
        }

        // The same patch again: the process no longer runs its base.
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("v2")]),
                       "rejected: wrong base version: the patch updates version 1111, and this process runs version 2222")
        #expect(p.stderr.isEmpty, "program stderr: \(p.stderr)")
    }

    @Test func rejectsPatchThatDoesNotFit() throws {
        let p = try Running()
        defer { p.stop() }
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("otherbase")]),
                       "rejected: wrong base version: the patch updates version 9999, and this process runs version 1111")
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("lyingbase")]),
                       "rejected: base version mismatch: patch is for 9999, process runs 1111")
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("noslot")]),
                       "rejected: the program has no slot graft_slot_nosuch")
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("typewrong")]),
                       "rejected: struct counter has representation 00000100 in the process, the patch converts from 00000999")
        try expectUnchanged(p)
    }

    @Test func rejectsCorruptPatchFiles() throws {
        let p = try Running()
        defer { p.stop() }
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("truncated")]), "rejected: corrupt patch file: ")
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("flipped")]),
                       "its SHA-256 does not match the trailer")
        expectRejected(try graft(["apply", "--pid", "\(p.pid)", built.patch("unsealed")]), "no graft trailer")
        try expectUnchanged(p)
    }

    @Test func timesOutWithoutAdmissiblePoint() throws {
        let p = try Running()
        defer { p.stop() }
        let start = Date()
        let r = try graft(["apply", "--pid", "\(p.pid)", "--timeout", "1", built.patch("point2")])
        let elapsed = Date().timeIntervalSince(start)
        expectRejected(r, "timed out: not applied: no admissible update point was reached within 1 s (")
        #expect(r.stderr.contains("update points seen; admissible: 2)"), "stderr: \(r.stderr)")
        #expect(elapsed >= 1 && elapsed < 4, "took \(elapsed) s")
        try expectUnchanged(p)
        // The withdrawn patch is gone: another one goes through.
        let again = try graft(["apply", "--pid", "\(p.pid)", "--timeout", "5", built.patch("v2")])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(p.waitFor(seconds: 2) { $0.last == "v2" })
    }

    @Test func sendsNoSignalToProcessBlockedInPoll() throws {
        let p = try Running(["block"])     // prints, then sits in poll() for 60 s
        defer { p.stop() }
        let r = try graft(["apply", "--pid", "\(p.pid)", "--timeout", "1", built.patch("v2")])
        expectRejected(r, "timed out: not applied: no admissible update point was reached within 1 s (0 update points seen")
        #expect(r.stderr.contains("graft apply --interrupt"), "stderr: \(r.stderr)")
        let s = try statusJSON(p)
        #expect((s["updates"] as? [Any])?.isEmpty == true && s["pending"] as? Bool == false, "\(s)")
        #expect(p.process.isRunning && p.lines == ["v1"], "poll() was interrupted: \(p.lines)")
    }

    @Test func interruptWakesProcessBlockedInPoll() throws {
        let p = try Running(["block"])     // prints, then sits in poll() for 60 s
        defer { p.stop() }
        let start = Date()
        let r = try graft(["apply", "--pid", "\(p.pid)", "--timeout", "10", "--interrupt", built.patch("v2")])
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(elapsed < 3, "took \(elapsed) s")   // the poll() lasts 60 s
        #expect(p.waitFor(seconds: 1) { $0.last == "v2" }, "output: \(p.lines)")
    }

    /// Two patches change struct counter 0→1→2; the counter is converted
    /// lazily, on first access after the second one, chaining both transforms.
    @Test func convertsWrappedTypeLazily() throws {
        let p = try Running(environment: ["PROG_START_FIRST": "1"])   // types registered after the runtime started
        defer { p.stop() }
        let first = try graft(["apply", "--pid", "\(p.pid)", built.patch("type1")])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(p.waitFor(seconds: 2) { $0.last == "t1 state=7" }, "output: \(p.lines.suffix(3))")
        // The second patch must start from V1, the representation the process now has.
        let second = try graft(["apply", "--pid", "\(p.pid)", built.patch("type2")])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(second.stdout.contains("now runs version 3333"))
        #expect(p.waitFor(seconds: 2) { $0.last == "t2 n=41 doubled=82 tag=two version=2" }, "output: \(p.lines.suffix(3))")
        let s = try statusJSON(p)
        #expect(s["version"] as? String == "3333")
        #expect((s["updates"] as? [[String: Any]])?.map { $0["to"] as? String } == ["2222", "3333"])
        #expect(p.stderr.isEmpty, "program stderr: \(p.stderr)")
    }

    /// The runtime's own check of UPD-2: old code (prog's con function, at
    /// the base representation) reading a value the patch's code converted.
    @Test("[UPD-2] old code reads a converted value when the new layout extends the old; when it does not, the runtime stops the program instead of handing old code the new layout")
    func oldCodeReadsConvertedValue() throws {
        let p = try Running(["reads"])
        defer { p.stop() }
        let ext = try graft(["apply", "--pid", "\(p.pid)", built.patch("type1extends")])
        #expect(ext.status == 0, "stderr: \(ext.stderr)")
        #expect(p.waitFor(seconds: 2) { $0.last == "t1 state=7 doubled=82 n=41" }, "output: \(p.lines.suffix(3)) \(p.stderr)")
        #expect(p.process.isRunning && p.stderr.isEmpty, "program stderr: \(p.stderr)")
        p.stop()

        // graft patch admits no update point where old code uses a type that does not extend; the runtime checks again.
        let q = try Running(["reads"])
        defer { q.stop() }
        let not = try graft(["apply", "--pid", "\(q.pid)", built.patch("type1touch")])
        // Applied (the program may stop before its answer is out: then `graft apply` says it lost the process).
        #expect(!not.stderr.contains("rejected") && !not.stderr.contains("timed out"), "stderr: \(not.stderr)")
        let deadline = Date().addingTimeInterval(3)
        while q.process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(!q.process.isRunning, "old code went on reading the new layout: \(q.lines.suffix(3))")
        #expect(q.stderr.contains("graft: fatal: cannot convert a struct counter from representation 00000101 to 00000100"), "program stderr: \(q.stderr)")
        #expect(!q.lines.contains { $0.hasPrefix("t1 ") && $0.contains(" n=") }, "\(q.lines.suffix(3))")
    }

    @Test func unreachableProcesses() throws {
        let missing = try graft(["apply", "--pid", "99999999", built.patch("v2")])
        #expect(missing.status == 1 && missing.stderr.contains("graft: error: no process 99999999"), "\(missing.stderr)")
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
        for args in [["apply", "--pid", "\(sleeper.processIdentifier)", built.patch("v2")], ["status", "--pid", "\(sleeper.processIdentifier)"]] {
            let r = try graft(args)
            #expect(r.status == 1)
            #expect(r.stderr.contains("graft: error: process \(sleeper.processIdentifier) is not an updatable graft program (no control socket)"),
                    "\(r.stderr)")
        }
        let nofile = try graft(["apply", "--pid", "\(sleeper.processIdentifier)", "nosuch.patch"])
        #expect(nofile.status == 1 && nofile.stderr.contains("graft: error: no such file: nosuch.patch"))
    }
}
