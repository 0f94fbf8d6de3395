// Live updates end to end, with real processes and real clients: kvstore
// built by `graft cc`, loaded with redis-cli, patched by `graft patch` and
// `graft apply` while a client keeps one connection busy.

import Foundation
import Testing

@Suite("Live update of kvstore", .serialized)
struct LiveUpdateTests {
    /// `graft apply`'s pause, printed for bench/RESULTS.md.
    static func printPause(_ what: String, _ stdout: String) {
        if let r = stdout.range(of: "pause [0-9]+ µs", options: .regularExpression) { print("\(what): \(stdout[r])") }
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var graft: String? {
        _ = testSigning
        if let p = graftFromEnvironment { return p }
        for p in [".build/debug/graft", ".build/release/graft"] {
            let path = repo + "/" + p
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A copy of examples/kvstore/VERSION built with `make CC="graft cc"`,
    /// after `edit` changed its sources.
    static func build(_ version: String, in dir: String, edit: (String) throws -> Void = { _ in }) throws -> String {
        let src = repo + "/examples/kvstore/" + version
        try FileManager.default.copyItem(atPath: src, toPath: dir)
        try edit(dir)
        let r = try run("/usr/bin/make", ["-s", "-C", dir, "CC=\(graft!) cc"])
        guard r.status == 0 else { throw Failure("make CC=graft cc failed in \(dir):\n\(r.stdout)\(r.stderr)") }
        return dir + "/kvstore"
    }

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ s: String) { description = s } }

    static func freePort() -> Int { 20000 + Int(getpid() % 10000) + Int.random(in: 0..<5000) }

    /// Starts `exe --port P` and waits until it answers PING.
    static func start(_ exe: String, port: Int) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["--port", String(port)]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        for _ in 0..<100 {
            if let r = try? run("/usr/bin/redis-cli", ["-p", String(port), "PING"]), r.stdout.contains("PONG") { return p }
            usleep(50_000)
        }
        stop(p)
        throw Failure("kvstore did not start on port \(port)")
    }

    /// SIGKILL: a process started from the test runner inherits its blocked
    /// signals, SIGTERM among them.
    static func stop(_ p: Process) {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    static func redis(_ port: Int, _ args: String...) throws -> String {
        try run("/usr/bin/redis-cli", ["-p", String(port)] + args).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A client on one connection that keeps writing and reading back its
    /// own keys until `stopFile` exists, then prints "ok N" or the first error.
    static let client = """
    import socket, sys, os, time
    port, stop = int(sys.argv[1]), sys.argv[2]
    s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
    def cmd(*args):
        s.sendall(b"*%d\\r\\n" % len(args) + b"".join(b"$%d\\r\\n%s\\r\\n" % (len(a), a) for a in args))
        line = f.readline()
        if line.startswith(b"$") and line != b"$-1\\r\\n":
            return f.read(int(line[1:]) + 2)[:-2]
        return line.rstrip(b"\\r\\n")
    n = 0; t0 = time.time()
    try:
        while not os.path.exists(stop) and time.time() - t0 < 120:
            k, v = b"client:%d" % (n % 500), b"v%d" % n
            r = cmd(b"SET", k, v)
            if r != b"+OK": print("error SET", r); sys.exit(1)
            r = cmd(b"GET", k)
            if r != v: print("error GET", k, r, "expected", v); sys.exit(1)
            n += 1
        print("ok", n)
    except Exception as e:
        print("error", e); sys.exit(1)
    """

    /// Checks key0…key{n-1} hold value0…: MGET in batches. Prints "ok" or the first mismatch.
    static let verify = """
    import socket, sys
    port, n = int(sys.argv[1]), int(sys.argv[2])
    s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
    for lo in range(0, n, 500):
        keys = [b"key%d" % i for i in range(lo, min(n, lo + 500))]
        args = [b"MGET"] + keys
        s.sendall(b"*%d\\r\\n" % len(args) + b"".join(b"$%d\\r\\n%s\\r\\n" % (len(a), a) for a in args))
        head = f.readline()
        if not head.startswith(b"*"): print("error", head); sys.exit(1)
        for k in keys:
            line = f.readline()
            if line == b"$-1\\r\\n": print("missing", k); sys.exit(1)
            v = f.read(int(line[1:]) + 2)[:-2]
            if v != b"value" + k[3:]: print("wrong", k, v); sys.exit(1)
    print("ok")
    """

    @Test("kvstore v1 under load moves through v2, v3, v4, v5: every key kept, the client never sees an error, status says v5 after four updates")
    func releaseSequenceUnderLoad() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let builds = try (1...5).map { try Self.build("v\($0)", in: dir + "/v\($0)") }
        var targets: [String] = []
        for k in 1..<5 {
            let made = try run(graft, ["patch", "--from", builds[k - 1], "--to", builds[k], "-o", dir + "/p\(k).patch"])
            #expect(made.status == 0, "graft patch v\(k)→v\(k + 1): \(made.stderr)")
            // graft check before deploying (DEPLOY-6): the same verdict, derived again; its SARIF valid.
            if made.status == 0 { try CheckTests.expectAdmitted(program: builds[k - 1], patch: dir + "/p\(k).patch") }
            // "patch BASE → TARGET: …"
            let words = made.stdout.split(separator: " ")
            if words.count > 3 { targets.append(String(words[3]).trimmingCharacters(in: CharacterSet(charactersIn: ":"))) }
        }
        try #require(targets.count == 4)
        let m0 = try JSONSerialization.jsonObject(with: Data(try run(graft, ["manifest", builds[0], "--json"]).stdout.utf8)) as? [String: Any]
        // The same patch from the source trees (graft builds them): same base and target versions.
        let fromTrees = try run(graft, ["patch", "--from", Self.repo + "/examples/kvstore/v1", "--to", Self.repo + "/examples/kvstore/v2", "-o", dir + "/trees.patch"])
        #expect(fromTrees.status == 0, "\(fromTrees.stderr)")
        #expect(fromTrees.stdout.hasPrefix("patch \((m0?["version"] as? String) ?? "?") → \(targets[0]):"), "\(fromTrees.stdout)")
        let inspected = try run(graft, ["inspect", dir + "/p3.patch"])
        #expect(inspected.status == 0 && inspected.stdout.contains("(seal ok; signed by key ") && inspected.stdout.contains("state transformer graft_state_transform")
                && inspected.stdout.contains("struct server (field start_ms added)"), "\(inspected.stdout) \(inspected.stderr)")
        // v1's version manifest: the types it wraps, and Δ at its event loop's update point.
        let manifest = try run(graft, ["manifest", builds[0], "--json"])
        let m = try JSONSerialization.jsonObject(with: Data(manifest.stdout.utf8)) as? [String: Any]
        let wrappedTypes = (m?["wrapped"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
        #expect(Set(["struct entry", "struct dict", "struct conn", "struct server"]).isSubset(of: Set(wrappedTypes)), "\(manifest.stdout.prefix(2000))")
        let point = (m?["points"] as? [[String: Any]])?.first
        #expect((point?["function"] as? String) == "main.c:event_loop")
        // main reads it after the loop, in code of its own (UPD-8): any change passes, not only extensions.
        #expect((point?["types"] as? [String])?.contains("struct server") == false, "\(point ?? [:])")
        #expect((point?["types"] as? [String])?.contains("struct entry") == false)        // the loop body is extracted (UPD-3)

        let port = Self.freePort()
        let server = try Self.start(builds[0], port: port)
        defer { Self.stop(server) }
        let pid = String(server.processIdentifier)
        let load = (0..<10_000).map { "SET key\($0) value\($0)\r\n" }.joined()
        try load.write(toFile: dir + "/load.txt", atomically: true, encoding: .utf8)
        let piped = try run("/bin/sh", ["-c", "redis-cli -p \(port) --pipe < \(dir)/load.txt"])
        #expect(piped.stdout.contains("errors: 0, replies: 10000"), "\(piped.stdout)")

        try Self.client.write(toFile: dir + "/client.py", atomically: true, encoding: .utf8)
        let clientOut = Pipe()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        client.arguments = [dir + "/client.py", String(port), dir + "/stop"]
        client.standardOutput = clientOut
        try client.run()
        usleep(200_000)

        for k in 1..<5 {
            let applied = try run(graft, ["apply", "--pid", pid, dir + "/p\(k).patch", "--timeout", "10"])
            #expect(applied.status == 0, "graft apply v\(k)→v\(k + 1): \(applied.stdout) \(applied.stderr)")
            Self.printPause("kvstore chain: v\(k) → v\(k + 1)", applied.stdout)
            usleep(200_000)
            switch k + 1 {
            case 2:   // expiry
                #expect(try Self.redis(port, "EXPIRE", "key7", "1000") == "1")
                #expect(try Self.redis(port, "TTL", "key7") == "1000")
            case 3:   // incremental rehashing; expiry survived the dict's conversion
                #expect(["1000", "999"].contains(try Self.redis(port, "TTL", "key7")))
                #expect(try Self.redis(port, "GET", "key9999") == "value9999")
            case 4:   // new commands and a statistics global
                #expect(try Self.redis(port, "MGET", "key1", "key2") == "value1\nvalue2")
                let info = try Self.redis(port, "INFO")
                #expect(info.contains("total_commands_processed:"))
                // v4's state transformer started the uptime clock when the patch was applied.
                let uptime = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("uptime_in_seconds:") }.flatMap { Int($0.dropFirst(18).trimmingCharacters(in: .whitespacesAndNewlines)) }
                #expect(uptime != nil && uptime! < 60, "\(info)")
            default:  // binary-safe values: the hand-written transformer moved every value
                #expect(try Self.redis(port, "APPEND", "key5", "!") == "7")
                #expect(try Self.redis(port, "GET", "key5") == "value5!")
                #expect(try Self.redis(port, "SET", "key5", "value5") == "OK")
            }
        }
        FileManager.default.createFile(atPath: dir + "/stop", contents: nil)
        client.waitUntilExit()
        let said = String(decoding: clientOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(client.terminationStatus == 0 && said.hasPrefix("ok"), "client: \(said)")

        try Self.verify.write(toFile: dir + "/verify.py", atomically: true, encoding: .utf8)
        let checked = try run("/usr/bin/python3", [dir + "/verify.py", String(port), "10000"])
        #expect(checked.stdout.hasPrefix("ok"), "keys: \(checked.stdout) \(checked.stderr)")
        let status = try run(graft, ["status", "--pid", pid, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(json?["version"] as? String == targets.last)
        #expect((json?["updates"] as? [[String: Any]])?.count == 4, "status: \(status.stdout)")
        // Every entry was converted lazily (at least once each: read by the check above).
        let entry = (json?["types"] as? [[String: Any]])?.first { $0["type"] as? String == "struct entry" }
        #expect(((entry?["conversions"] as? Int) ?? 0) >= 10_000, "status: \(status.stdout)")
    }

    @Test("a patch for another base version is refused and the server keeps serving unchanged")
    func wrongBase() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.build("v1", in: dir + "/v1")
        let edit: (String) -> (String) throws -> Void = { reply in { d in
            let f = d + "/commands.c"
            let s = try String(contentsOfFile: f, encoding: .utf8)
            try s.replacingOccurrences(of: "\"PONG\"", with: "\"\(reply)\"").write(toFile: f, atomically: true, encoding: .utf8)
        } }
        let b = try Self.build("v1", in: dir + "/b", edit: edit("PONG b"))
        let c = try Self.build("v1", in: dir + "/c", edit: edit("PONG c"))
        let patch = dir + "/b-to-c.patch"
        #expect(try run(graft, ["patch", "--from", b, "--to", c, "-o", patch]).status == 0)
        let port = Self.freePort()
        let server = try Self.start(v1, port: port)
        defer { Self.stop(server) }
        let r = try run(graft, ["apply", "--pid", String(server.processIdentifier), patch, "--timeout", "5"])
        #expect(r.status != 0)
        #expect((r.stdout + r.stderr).contains("base version"), "\(r.stdout) \(r.stderr)")
        #expect(try Self.redis(port, "PING") == "PONG")
        // A good patch for this server, truncated or with one byte altered: refused before it is loaded.
        let good = dir + "/v1-to-c.patch"
        #expect(try run(graft, ["patch", "--from", v1, "--to", c, "-o", good]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/truncated.patch"))
        bytes[bytes.count / 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: dir + "/altered.patch"))
        for (file, why) in [("truncated", "corrupt patch file"), ("altered", "SHA-256")] {
            let bad = try run(graft, ["apply", "--pid", String(server.processIdentifier), dir + "/\(file).patch", "--timeout", "5"])
            #expect(bad.status != 0 && (bad.stdout + bad.stderr).contains(why), "\(file): \(bad.stdout) \(bad.stderr)")
            #expect(try Self.redis(port, "PING") == "PONG")
        }
        let status = try run(graft, ["status", "--pid", String(server.processIdentifier), "--json"])
        #expect(status.stdout.contains("\"updates\":[]"), "\(status.stdout)")
    }

    @Test("a transformer that writes outside its struct [TRANS-3] or reads a field the old type lacks [TRANS-1] is refused at graft patch")
    func badTransformers() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v4 = try Self.build("v4", in: dir + "/v4")
        func attempt(_ name: String, _ edit: @escaping (String) -> String) throws -> ProcessResult {
            let exe = try Self.build("v5", in: dir + "/" + name) { d in
                let f = d + "/transformers.c"
                try edit(try String(contentsOfFile: f, encoding: .utf8)).write(toFile: f, atomically: true, encoding: .utf8)
            }
            return try run(graft, ["patch", "--from", v4, "--to", exe, "-o", dir + "/\(name).patch"])
        }
        let outside = try attempt("outside") { $0.replacingOccurrences(of: "    new->next = next;", with: "    new->next = next;\n    ((char *)new)[200] = 0;") }
        #expect(outside.status != 0)
        #expect(outside.stderr.contains("transformers.c:") && outside.stderr.contains("[TRANS-3]"), "\(outside.stderr)")
        #expect(outside.stderr.contains("    ((char *)new)[200] = 0;\n    ^"), "the offending line, with a caret: \(outside.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/outside.patch"))
        let missing = try attempt("missing") {
            $0.replacingOccurrences(of: "    long long expire_at_ms = old->expire_at_ms;", with: "    long long expire_at_ms = old->expire_at_ms + old->hits;")
              .replacingOccurrences(of: "    struct entry *next;     /* bucket chain;", with: "    long hits;\n    struct entry *next;     /* bucket chain;")
        }
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("has no field `hits`") && missing.stderr.contains("[TRANS-1]"), "\(missing.stderr)")
    }

    /// Starts `exe ARGS` with its standard output captured.
    static func launch(_ exe: String, _ args: [String] = []) throws -> (Process, Pipe) {
        let out = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardOutput = out
        try p.run()
        return (p, out)
    }

    /// Fixtures/delta/vN.c built by `graft cc` as DIR/vN/prog (statics keep their identity `prog.c:name`).
    static func buildDelta(_ version: Int, in dir: String) throws -> String {
        let d = dir + "/v\(version)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repo + "/Tests/GraftTests/Fixtures/delta/v\(version).c", toPath: d + "/prog.c")
        let r = try run(graft!, ["cc", "-O1", "-o", "prog", "prog.c"], cwd: d)
        guard r.status == 0 else { throw Failure("graft cc failed: \(r.stderr)") }
        return d + "/prog"
    }

    @Test("a patch whose type is in Δ where the program sits waits and applies at a later safe point; one never safe times out and changes nothing [UPD-2]")
    func deltaWaitsOrTimesOut() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.buildDelta(1, in: dir), v2 = try Self.buildDelta(2, in: dir), v3 = try Self.buildDelta(3, in: dir)
        let p12 = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p12.patch"])
        #expect(p12.status == 0, "\(p12.stderr)")
        // struct job is handled by work(): blocked there, admissible in main.
        let lines = p12.stdout.split(separator: "\n")
        let mainPoint = lines.first { $0.contains("(main,") }.flatMap { $0.split(separator: " ").dropFirst(2).first }.map(String.init)
        #expect(lines.contains { $0.contains("(prog.c:work,") && $0.contains("blocked: UPD-2: struct job") }, "\(p12.stdout)")
        #expect(mainPoint != nil && lines.contains { $0.contains("(main,") && $0.hasSuffix("admissible") })

        // The program spends nearly all its time at work()'s point; the patch waits for main's.
        let (prog, out) = try Self.launch(v1)
        defer { Self.stop(prog) }
        usleep(300_000)
        let applied = try run(graft, ["apply", "--pid", String(prog.processIdentifier), dir + "/p12.patch", "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        #expect(applied.stdout.contains("at update point \(mainPoint ?? "?"))"), "\(applied.stdout)")
        usleep(1_000_000)   // a few rounds of work() (about 0.1 s each) at v2
        Self.stop(prog)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        // The job's total carries on across the conversion: v2 continues where v1 stopped.
        let v1Last = printed.last { $0.hasPrefix("v1 ") }.flatMap { Int($0.dropFirst(3)) }
        let v2First = printed.first { $0.hasPrefix("v2 ") }.flatMap { Int($0.dropFirst(3)) }
        #expect(v1Last != nil && v2First != nil && v2First! == v1Last! + 50, "output: \(printed)")

        // `prog idle` only reaches idle()'s point, where struct tick is in Δ: never safe.
        let p13 = try run(graft, ["patch", "--from", v1, "--to", v3, "-o", dir + "/p13.patch"])
        #expect(p13.status == 0 && p13.stdout.contains("blocked: UPD-2: struct tick"), "\(p13.stdout) \(p13.stderr)")
        let idle = Process()
        idle.executableURL = URL(fileURLWithPath: v1)
        idle.arguments = ["idle"]
        try idle.run()
        defer { Self.stop(idle) }
        usleep(200_000)
        let timedOut = try run(graft, ["apply", "--pid", String(idle.processIdentifier), dir + "/p13.patch", "--timeout", "1"])
        #expect(timedOut.status != 0)
        #expect(timedOut.stderr.contains("timed out: not applied"), "\(timedOut.stderr)")
        let status = try run(graft, ["status", "--pid", String(idle.processIdentifier), "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect((json?["updates"] as? [Any])?.isEmpty == true, "\(status.stdout)")
        #expect(json?["version"] as? String == json?["base_version"] as? String)
    }

    @Test("a request from another user (not root: root may update any process, ReproRuntimeTests) is refused, by graft and by the process's own peer-credential check; the program runs on unchanged")
    func otherUserRefused() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        // Needs root to start the program as another user; CI runs as root. Recorded, not skipped silently.
        guard getuid() == 0 else { Issue.record("this test needs root (it runs the program as uid 65534)"); return }
        let dir = tempDir()
        chmod(dir, 0o755)
        let v1 = try Self.buildDelta(1, in: dir), v2 = try Self.buildDelta(2, in: dir)
        #expect(try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"]).status == 0)
        chmod(dir + "/p.patch", 0o644)
        let (prog, out) = try Self.launch("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", v1])
        defer { Self.stop(prog) }
        usleep(300_000)
        // setpriv execs the program: same pid.
        let pid = prog.processIdentifier
        let asOther = ["--reuid=65533", "--regid=65533", "--clear-groups"]
        let r = try run("/usr/bin/setpriv", asOther + [graft, "apply", "--pid", String(pid), dir + "/p.patch", "--timeout", "2"])
        #expect(r.status != 0 && r.stderr.contains("belongs to uid 65534"), "\(r.stderr)")
        // Past graft's own check and the channel directory's mode (opened up here, as a
        // misconfiguration would), straight to the socket: the runtime refuses the peer.
        let sock = channelSocket(pid, uid: 65534), sockDir = channelDirectory(uid: 65534)
        chmod(sockDir, 0o755)
        chmod(sock, 0o666)
        defer { chmod(sockDir, 0o700); chmod(sock, 0o600) }
        let raw = try run("/usr/bin/setpriv", asOther + ["/usr/bin/python3", "-c", """
            import socket; s = socket.socket(socket.AF_UNIX); s.connect("\(sock)")
            try: s.sendall(b"STATUS\\n")
            except OSError: pass   # the runtime may answer and close before reading the request
            print(s.recv(200).decode().strip())
            """])
        #expect(raw.stdout.contains("ERROR permission denied: only uid 65534 (or root) may control this process"), "\(raw.stdout) \(raw.stderr)")
        usleep(300_000)
        Self.stop(prog)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(!printed.isEmpty && printed.allSatisfy { $0.hasPrefix("v1 ") }, "\(printed)")
    }

    /// `source` built by `graft cc` as DIR/NAME/prog.
    static func buildProgram(_ name: String, _ source: String, in dir: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
        try source.write(toFile: dir + "/\(name)/prog.c", atomically: true, encoding: .utf8)
        let r = try run(graft!, ["cc", "-O1", "-o", "prog", "prog.c"], cwd: dir + "/" + name)
        guard r.status == 0 else { throw Failure("graft cc: \(r.stderr)") }
        return dir + "/\(name)/prog"
    }

    static let arrayProgram = """
    #include <stdio.h>
    #include <stdlib.h>
    #include <unistd.h>
    #ifdef __GRAFT__
    void graft_update_point(void);
    #else
    #define graft_update_point() ((void)0)
    #endif
    struct item { long a; };
    static struct item *items[4];
    static long sum(void) { long s = 0; for (int i = 0; i < 4; i++) s += items[i]->a; return s; }
    int main(void) {
        setvbuf(stdout, 0, _IOLBF, 0);
        for (int i = 0; i < 4; i++) { items[i] = malloc(sizeof *items[i]); items[i]->a = i + 1; }
        for (;;) { graft_update_point(); printf("%ld\\n", sum()); usleep(10000); }
    }
    """

    @Test("an array of a struct that grows: graft patch refuses the patch that grows it [PATCH-6]; grown first without arrays, a later release with an array of it applies")
    func arraySpacingRefused() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let grown = "struct item { long a; long more[4]; };"
        let v1 = try Self.buildProgram("v1", Self.arrayProgram, in: dir)
        // v2: item grows (its objects are reached through pointers); v3: v2's item, and an array of it.
        let v2 = try Self.buildProgram("v2", Self.arrayProgram.replacingOccurrences(of: "struct item { long a; };", with: grown)
            .replacingOccurrences(of: "printf(\"%ld\\n\", sum())", with: "printf(\"%ld\\n\", sum() + 100)"), in: dir)
        let v3 = try Self.buildProgram("v3", Self.arrayProgram.replacingOccurrences(of: "struct item { long a; };", with: grown + " static struct item spare[2];")
            .replacingOccurrences(of: "return s; }", with: "return s + spare[1].a; }")
            .replacingOccurrences(of: "printf(\"%ld\\n\", sum())", with: "printf(\"%ld\\n\", sum() + 100)"), in: dir)
        // Growing a type NEW's code holds in an array: refused when the patch is built.
        let direct = try run(graft, ["patch", "--from", v1, "--to", v3, "-o", dir + "/p13.patch"])
        #expect(direct.status != 0 && direct.stderr.contains("the global 'spare' is an array of struct item") && direct.stderr.contains("[PATCH-6]"), "\(direct.stderr)")
        let p12 = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p12.patch"])
        #expect(p12.status == 0, "\(p12.stderr)")
        let p23 = try run(graft, ["patch", "--from", v2, "--to", v3, "-o", dir + "/p23.patch"])
        #expect(p23.status == 0, "\(p23.stderr)")
        let (prog, out) = try Self.launch(v1)
        defer { Self.stop(prog) }
        usleep(200_000)
        let a12 = try run(graft, ["apply", "--pid", String(prog.processIdentifier), dir + "/p12.patch", "--timeout", "5"])
        #expect(a12.status == 0, "\(a12.stdout) \(a12.stderr)")
        usleep(100_000)
        // v3's own array of struct item is of v3's representation, which the process has now (REP-3):
        // its elements are recorded as such when the patch is loaded, and nothing misreads them.
        let r = try run(graft, ["apply", "--pid", String(prog.processIdentifier), dir + "/p23.patch", "--timeout", "5"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        usleep(200_000)
        Self.stop(prog)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(printed.first == "10" && printed.last == "110" && printed.allSatisfy { $0 == "10" || $0 == "110" }, "\(printed.suffix(5))")
    }

    static let logProgram = """
    #include <stdarg.h>
    #include <stdio.h>
    #include <unistd.h>
    #ifdef __GRAFT__
    void graft_update_point(void);
    #else
    #define graft_update_point() ((void)0)
    #endif
    static void log_msg(const char *fmt, ...) { va_list ap; va_start(ap, fmt); fputs("[info] ", stdout); vprintf(fmt, ap); va_end(ap); }
    void note(const char *fmt, ...) { va_list ap; va_start(ap, fmt); fputs("note ", stdout); vprintf(fmt, ap); va_end(ap); }
    int main(void) {
        setvbuf(stdout, 0, _IOLBF, 0);
        for (int i = 0;; i++) { graft_update_point(); log_msg("tick %d\\n", i); note("%d\\n", i); usleep(10000); }
    }
    """

    @Test("a changed variadic function (static, and with external linkage) is patched live: its callers call through its slot [PATCH-4]")
    func variadicPatchedLive() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.buildProgram("v1", Self.logProgram, in: dir)
        let v2 = try Self.buildProgram("v2", Self.logProgram.replacingOccurrences(of: "\"[info] \"", with: "\"[log] \"")
            .replacingOccurrences(of: "\"note \"", with: "\"NOTE \""), in: dir)
        let made = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"])
        #expect(made.status == 0, "\(made.stderr)")
        let (prog, out) = try Self.launch(v1)
        defer { Self.stop(prog) }
        usleep(200_000)
        let r = try run(graft, ["apply", "--pid", String(prog.processIdentifier), dir + "/p.patch", "--timeout", "5"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        usleep(200_000)
        Self.stop(prog)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(printed.first?.hasPrefix("[info] tick") == true && printed.last.map { $0.hasPrefix("[log] tick") || $0.hasPrefix("NOTE ") } == true, "\(printed.suffix(6))")
        #expect(printed.contains { $0.hasPrefix("NOTE ") } && printed.contains { $0.hasPrefix("note ") })
        // Once the new code runs, it runs everywhere: no old line after the first new one.
        let firstNew = printed.firstIndex { $0.hasPrefix("[log]") || $0.hasPrefix("NOTE") } ?? printed.endIndex
        #expect(!printed[firstNew...].contains { $0.hasPrefix("[info]") }, "\(printed)")
    }

    /// httpd serving ROOT (created, with an index.html saying hello) on 127.0.0.1:PORT, once curl gets an answer.
    static func startHTTPD(_ exe: String, root: String, port: Int) throws -> Process {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "hello\n".write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: exe)
        server.arguments = ["--root", root, "--port", String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        for _ in 0..<100 {
            if (try? run("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/index.html"]))?.status == 0 { return server }
            usleep(50_000)
        }
        stop(server)
        throw Failure("httpd did not start on port \(port)")
    }

    /// One keep-alive connection, one request per step: prints the X-Request-Count header (or "-") each time.
    static let keepAliveSteps = """
    import socket, sys, os, time
    port, steps, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
    def get():
        s.sendall(b"GET /index.html HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        count, length = "-", 0
        while True:
            line = f.readline().decode()
            if line in ("\\r\\n", ""): break
            k, _, v = line.partition(":")
            if k.lower() == "x-request-count": count = v.strip()
            if k.lower() == "content-length": length = int(v)
        body = f.read(length)
        return count + " " + body.decode().strip()
    for i in range(steps):
        print(get(), flush=True)
        open(d + "/go%d" % i, "w").close()
        t0 = time.time()
        while not os.path.exists(d + "/done%d" % i) and time.time() - t0 < 30: time.sleep(0.02)
    print(get(), flush=True)
    """

    @Test("httpd v1 → v2 → v3 live on one keep-alive connection: its struct conn converted (a new counter), then a new global and a changed signature")
    func httpdReleases() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        var exes: [String] = []
        for v in 1...3 {
            try FileManager.default.copyItem(atPath: Self.repo + "/examples/httpd/v\(v)", toPath: dir + "/v\(v)")
            let r = try run("/usr/bin/make", ["-s", "-C", dir + "/v\(v)", "CC=\(graft) cc"])
            guard r.status == 0 else { throw Failure("make failed: \(r.stdout)\(r.stderr)") }
            exes.append(dir + "/v\(v)/httpd")
        }
        for k in 1...2 {
            let made = try run(graft, ["patch", "--from", exes[k - 1], "--to", exes[k], "-o", dir + "/p\(k).patch"])
            #expect(made.status == 0, "\(made.stderr)")
            if k == 1 { #expect(made.stdout.contains("struct conn: field request_count added")) }
            if made.status == 0 { try CheckTests.expectAdmitted(program: exes[k - 1], patch: dir + "/p\(k).patch") }
        }
        let port = Self.freePort()
        let server = try Self.startHTTPD(exes[0], root: dir + "/www", port: port)
        defer { Self.stop(server) }
        try Self.keepAliveSteps.write(toFile: dir + "/ka.py", atomically: true, encoding: .utf8)
        let out = Pipe()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        client.arguments = [dir + "/ka.py", String(port), "2", dir]
        client.standardOutput = out
        try client.run()
        for k in 0..<2 {
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: dir + "/go\(k)") { usleep(25_000) }
            let applied = try run(graft, ["apply", "--pid", String(server.processIdentifier), dir + "/p\(k + 1).patch", "--timeout", "10"])
            #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
            Self.printPause("httpd chain: v\(k + 1) → v\(k + 2)", applied.stdout)
            FileManager.default.createFile(atPath: dir + "/done\(k)", contents: nil)
        }
        client.waitUntilExit()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        // v1 sends no counter; v2 counts on the converted connection (the new field starts at 0); v3 keeps counting.
        #expect(lines == ["- hello", "1 hello", "2 hello"], "client said: \(lines)")
        let stats = try run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/stats"])
        #expect(stats.stdout.contains("requests"), "\(stats.stdout)")
    }

    /// One keep-alive connection: a request before the update, one after.
    static let keepAlive = """
    import socket, sys, os, time
    port, go, done = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
    def get():
        s.sendall(b"GET /index.html HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        server, length = None, 0
        while True:
            line = f.readline().decode()
            if line in ("\\r\\n", ""): break
            k, _, v = line.partition(":")
            if k.lower() == "server": server = v.strip()
            if k.lower() == "content-length": length = int(v)
        f.read(length)
        return server
    print(get(), flush=True)
    open(go, "w").close()
    t0 = time.time()
    while not os.path.exists(done) and time.time() - t0 < 30: time.sleep(0.05)
    print(get(), flush=True)
    """

    @Test("httpd v1 patched live: a keep-alive connection opened before the update is served by the new code")
    func httpdKeepAlive() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        func build(_ name: String, _ edit: ((String) throws -> Void)? = nil) throws -> String {
            try FileManager.default.copyItem(atPath: Self.repo + "/examples/httpd/v1", toPath: dir + "/" + name)
            try edit?(dir + "/" + name)
            let r = try run("/usr/bin/make", ["-s", "-C", dir + "/" + name, "CC=\(graft) cc"])
            guard r.status == 0 else { throw Failure("make failed: \(r.stdout)\(r.stderr)") }
            return dir + "/" + name + "/httpd"
        }
        let old = try build("old")
        let new = try build("new") { d in
            let f = d + "/http.c"
            let s = try String(contentsOfFile: f, encoding: .utf8)
            try s.replacingOccurrences(of: "\"Server: \" HTTPD_SERVER_NAME \"\\r\\n\"", with: "\"Server: \" HTTPD_SERVER_NAME \"-patched\\r\\n\"")
                .write(toFile: f, atomically: true, encoding: .utf8)
        }
        let made = try run(graft, ["patch", "--from", old, "--to", new, "-o", dir + "/p.patch"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("write_head"))

        let port = Self.freePort()
        let server = try Self.startHTTPD(old, root: dir + "/www", port: port)
        defer { Self.stop(server) }

        try Self.keepAlive.write(toFile: dir + "/ka.py", atomically: true, encoding: .utf8)
        let out = Pipe()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        client.arguments = [dir + "/ka.py", String(port), dir + "/go", dir + "/done"]
        client.standardOutput = out
        try client.run()
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: dir + "/go") { usleep(50_000) }
        let applied = try run(graft, ["apply", "--pid", String(server.processIdentifier), dir + "/p.patch", "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        FileManager.default.createFile(atPath: dir + "/done", contents: nil)
        client.waitUntilExit()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2, "client said: \(lines)")
        #expect(lines.first.map { !$0.hasSuffix("-patched") } == true)
        #expect(lines.last.map { $0.hasSuffix("-patched") } == true)
    }
}
