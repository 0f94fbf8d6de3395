// Live updates end to end, with real processes and real clients: kvstore
// built by `graft cc`, loaded with redis-cli, patched by `graft patch` and
// `graft apply` while a client keeps one connection busy.

import Foundation
import Testing

@Suite("Live update of kvstore", .serialized)
struct LiveUpdateTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var graft: String? {
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

    /// A client on one connection that keeps sending PING and GET until
    /// `stopFile` exists, then prints "ok N" or the first error.
    static let client = """
    import socket, sys, os, time
    port, stop = int(sys.argv[1]), sys.argv[2]
    s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
    n = 0; t0 = time.time()
    try:
        while not os.path.exists(stop) and time.time() - t0 < 60:
            s.sendall(b"*2\\r\\n$3\\r\\nGET\\r\\n$6\\r\\nkey123\\r\\n")
            line = f.readline()
            if not line.startswith(b"$"): print("error", line); sys.exit(1)
            f.readline(); n += 1
        print("ok", n)
    except Exception as e:
        print("error", e); sys.exit(1)
    """

    @Test("v1 patched live while a client works: code change applied, all keys kept, no client error")
    func patchUnderLoad() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.build("v1", in: dir + "/v1")
        // The new version answers PING differently: a changed function body.
        let v1b = try Self.build("v1", in: dir + "/v1b") { d in
            let f = d + "/commands.c"
            let s = try String(contentsOfFile: f, encoding: .utf8)
            try s.replacingOccurrences(of: "\"PONG\"", with: "\"PONG v1b\"").write(toFile: f, atomically: true, encoding: .utf8)
        }
        let patch = dir + "/p.patch"
        let made = try run(graft, ["patch", "--from", v1, "--to", v1b, "-o", patch])
        #expect(made.status == 0, "graft patch: \(made.stderr)")
        #expect(made.stdout.contains("cmd_ping"))

        let port = Self.freePort()
        let server = try Self.start(v1, port: port)
        defer { Self.stop(server) }
        // 10,000 keys through redis-cli --pipe.
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
        usleep(300_000)

        let applied = try run(graft, ["apply", "--pid", String(server.processIdentifier), patch, "--timeout", "10"])
        #expect(applied.status == 0, "graft apply: \(applied.stdout) \(applied.stderr)")
        #expect(try Self.redis(port, "PING") == "PONG v1b")
        usleep(300_000)
        FileManager.default.createFile(atPath: dir + "/stop", contents: nil)
        client.waitUntilExit()
        let said = String(decoding: clientOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(client.terminationStatus == 0 && said.hasPrefix("ok"), "client: \(said)")

        for k in [0, 4321, 9999] { #expect(try Self.redis(port, "GET", "key\(k)") == "value\(k)") }
        let status = try run(graft, ["status", "--pid", String(server.processIdentifier), "--json"])
        #expect(status.stdout.contains("\"updates\":[{"), "status: \(status.stdout)")
        #expect(status.stdout.contains("cmd_ping"))
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
    }

    @Test("a change of a named type is refused at graft patch with its rule and location [PATCH-2]")
    func typeChangeRefused() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.build("v1", in: dir + "/v1")
        let v2 = try Self.build("v2", in: dir + "/v2")
        let r = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("[PATCH-2]"))
        #expect(r.stderr.contains("struct entry changed representation"))
        #expect(r.stderr.contains("kvstore.h:"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/p.patch"))
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

        try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
        try "hello\n".write(toFile: dir + "/www/index.html", atomically: true, encoding: .utf8)
        let port = Self.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: old)
        server.arguments = ["--root", dir + "/www", "--port", String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { Self.stop(server) }
        var up = false
        for _ in 0..<100 where !up {
            up = (try? run("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/index.html"]))?.status == 0
            if !up { usleep(50_000) }
        }
        #expect(up, "httpd did not start")

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
