// Rollback (Specs/deploy.md DEPLOY-7) on a running kvstore, with real
// clients: a patch that keeps every field of the types it converts carries
// its patch back, and `graft rollback` moves the process back to the
// version before, every key kept; one step only; refusals leave the process
// serving exactly as it was.

import Foundation
import Testing

@Suite("Rollback of kvstore", .serialized)
struct RollbackTests {
    typealias Live = LiveUpdateTests

    /// kvstore v1 with a field added to struct entry (after value), counted
    /// by GET, and a PING that says "PONG v1x": a patch whose conversion the
    /// default one undoes.
    static func buildV1x(in dir: String) throws -> String {
        try Live.build("v1", in: dir) { d in
            try edit(d + "/kvstore.h", "    struct entry *next;   /* bucket chain */", with: "    struct entry *next;   /* bucket chain */\n    long hits;            /* GETs that found it (v1x) */")
            try edit(d + "/commands.c", "reply_status(c, \"PONG\");", with: "reply_status(c, \"PONG v1x\");")
            try edit(d + "/commands.c", "    else\n        reply_bulk(c, e->value, strlen(e->value));",
                     with: "    else {\n        e->hits++;\n        reply_bulk(c, e->value, strlen(e->value));\n    }")
        }
    }

    static func edit(_ file: String, _ old: String, with new: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        guard text.contains(old) else { throw Live.Failure("\(file) no longer has \(old.debugDescription): update the test's edit") }
        try text.replacingOccurrences(of: old, with: new).write(toFile: file, atomically: true, encoding: .utf8)
    }

    static func status(_ graft: String, _ pid: String) throws -> [String: Any] {
        let r = try run(graft, ["status", "--pid", pid, "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
    }

    static func rollbackState(_ s: [String: Any]) -> [String: Any] { s["rollback"] as? [String: Any] ?? [:] }

    static func fill(_ port: Int, from lo: Int, to hi: Int, dir: String) throws {
        let load = (lo..<hi).map { "SET key\($0) value\($0)\r\n" }.joined()
        try load.write(toFile: dir + "/load-\(lo).txt", atomically: true, encoding: .utf8)
        let piped = try run("/bin/sh", ["-c", "redis-cli -p \(port) --pipe < \(dir)/load-\(lo).txt"])
        #expect(piped.stdout.contains("errors: 0, replies: \(hi - lo)"), "\(piped.stdout)")
    }

    /// Checks key0…key{n-1} hold value0…, one GET each (v1 has no MGET). Prints "ok" or the first mismatch.
    static let getEach = """
    import socket, sys
    port, n = int(sys.argv[1]), int(sys.argv[2])
    s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
    for i in range(n):
        k = b"key%d" % i
        s.sendall(b"*2\\r\\n$3\\r\\nGET\\r\\n$%d\\r\\n%s\\r\\n" % (len(k), k))
        line = f.readline()
        if not line.startswith(b"$") or line == b"$-1\\r\\n": print("missing", k, line); sys.exit(1)
        v = f.read(int(line[1:]) + 2)[:-2]
        if v != b"value%d" % i: print("wrong", k, v); sys.exit(1)
    print("ok")
    """

    static func verify(_ port: Int, _ n: Int, dir: String) throws {
        try Self.getEach.write(toFile: dir + "/verify.py", atomically: true, encoding: .utf8)
        let checked = try run("/usr/bin/python3", [dir + "/verify.py", String(port), String(n)])
        #expect(checked.stdout.hasPrefix("ok"), "keys: \(checked.stdout) \(checked.stderr)")
    }

    @Test("[DEPLOY-7] v1 → v1x (a field added) under load, then graft rollback: PING is v1's again, every key kept, status at v1's version with no further rollback; a second rollback refused; the forward patch applies again")
    func rollbackAndForwardAgain() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Live.build("v1", in: dir + "/v1")
        let v1x = try Self.buildV1x(in: dir + "/v1x")
        let made = try run(graft, ["patch", "--from", v1, "--to", v1x, "-o", dir + "/p.patch"])
        try #require(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("rollback: available (graft rollback moves the process back to "), "\(made.stdout)")
        let v1Version = try run(graft, ["manifest", v1, "--json"]).stdout
        let v1Id = ((try? JSONSerialization.jsonObject(with: Data(v1Version.utf8))) as? [String: Any])?["version"] as? String
        try #require(v1Id != nil)

        let port = Live.freePort()
        let server = try Live.start(v1, port: port)
        defer { Live.stop(server) }
        let pid = String(server.processIdentifier)
        // Before any update: nothing to roll back, and the process says so.
        let early = try run(graft, ["rollback", "--pid", pid])
        #expect(early.status == 1 && early.stderr.contains("no update has been applied") && early.stderr.contains("[DEPLOY-7]"), "\(early.stderr)")
        #expect(try Live.redis(port, "PING") == "PONG")

        try Self.fill(port, from: 0, to: 2000, dir: dir)
        try Live.client.write(toFile: dir + "/client.py", atomically: true, encoding: .utf8)
        let clientOut = Pipe()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        client.arguments = [dir + "/client.py", String(port), dir + "/stop"]
        client.standardOutput = clientOut
        try client.run()
        usleep(200_000)

        let applied = try run(graft, ["apply", "--pid", pid, dir + "/p.patch", "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        #expect(try Live.redis(port, "PING") == "PONG v1x")
        // Converted to v1x's layout by GETs (the hits field counts them), and new keys made at v1x.
        #expect(try Live.redis(port, "GET", "key5") == "value5")
        try Self.fill(port, from: 2000, to: 3000, dir: dir)
        let atV1x = try Self.status(graft, pid)
        #expect(Self.rollbackState(atV1x)["available"] as? Bool == true && Self.rollbackState(atV1x)["to"] as? String == v1Id, "\(atV1x)")
        let shown = try run(graft, ["status", "--pid", pid])
        #expect(shown.stdout.contains("rollback      available: graft rollback moves it back to \(v1Id!)"), "\(shown.stdout)")

        let back = try run(graft, ["rollback", "--pid", pid, "--timeout", "10"])
        #expect(back.status == 0 && back.stdout.hasPrefix("rolled back: kvstore now runs version \(v1Id!)"), "\(back.stdout) \(back.stderr)")
        #expect(try Live.redis(port, "PING") == "PONG")
        try Self.verify(port, 3000, dir: dir)
        let atV1 = try Self.status(graft, pid)
        #expect(atV1["version"] as? String == v1Id)
        #expect(Self.rollbackState(atV1)["available"] as? Bool == false
                && (Self.rollbackState(atV1)["reason"] as? String ?? "").contains("the last update was a rollback"), "\(atV1)")
        #expect((atV1["updates"] as? [Any])?.count == 2)

        // One step: a second rollback is refused, with JSON for scripts, and the process serves on.
        let again = try run(graft, ["rollback", "--pid", pid, "--json"])
        #expect(again.status == 1)
        let o = (try? JSONSerialization.jsonObject(with: Data(again.stdout.utf8))) as? [String: Any] ?? [:]
        #expect(o["ok"] as? Bool == false && o["outcome"] as? String == "rejected" && o["version_after"] as? String == v1Id, "\(again.stdout)")
        #expect((o["reason"] as? String ?? "").contains("[DEPLOY-7]"))
        #expect(try Live.redis(port, "PING") == "PONG")

        // The forward patch applies again: its base is the version the process runs.
        let forward = try run(graft, ["apply", "--pid", pid, dir + "/p.patch", "--timeout", "10"])
        #expect(forward.status == 0, "\(forward.stdout) \(forward.stderr)")
        #expect(try Live.redis(port, "PING") == "PONG v1x")
        #expect(Self.rollbackState(try Self.status(graft, pid))["available"] as? Bool == true)

        FileManager.default.createFile(atPath: dir + "/stop", contents: nil)
        client.waitUntilExit()
        let said = String(decoding: clientOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(client.terminationStatus == 0 && said.hasPrefix("ok"), "client: \(said)")
        try Self.verify(port, 3000, dir: dir)
    }

    @Test("[DEPLOY-7] a patch that gives a global a new definition (v1 → v2's command table) carries no patch back: graft patch, graft status and graft rollback say why; the process stays at v2, serving")
    func noWayBackFromARedefinedGlobal() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Live.build("v1", in: dir + "/v1")
        let v2 = try Live.build("v2", in: dir + "/v2")
        let made = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"])
        try #require(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("rollback: not available: the patch defines global") && made.stdout.contains("command_table")
                && made.stdout.contains("[DEPLOY-7]"), "\(made.stdout)")
        // Built without one on request, and said so.
        let bare = try run(graft, ["patch", "--from", v1, "--to", v2, "--no-rollback", "-o", dir + "/bare.patch"])
        #expect(bare.status == 0 && bare.stdout.contains("rollback: not available: the patch was built with --no-rollback [DEPLOY-7]"), "\(bare.stdout) \(bare.stderr)")

        let port = Live.freePort()
        let server = try Live.start(v1, port: port)
        defer { Live.stop(server) }
        let pid = String(server.processIdentifier)
        try Self.fill(port, from: 0, to: 500, dir: dir)
        let applied = try run(graft, ["apply", "--pid", pid, dir + "/p.patch", "--timeout", "10"])
        try #require(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        let atV2 = try Self.status(graft, pid)
        #expect(Self.rollbackState(atV2)["available"] as? Bool == false
                && (Self.rollbackState(atV2)["reason"] as? String ?? "").contains("command_table"), "\(atV2)")
        let back = try run(graft, ["rollback", "--pid", pid, "--timeout", "5"])
        #expect(back.status == 1 && back.stderr.contains("no rollback: the patch defines global") && back.stderr.contains("[DEPLOY-7]"), "\(back.stderr)")
        #expect(try Self.status(graft, pid)["version"] as? String == atV2["version"] as? String)
        #expect(try Live.redis(port, "EXPIRE", "key7", "1000") == "1")   // v2's command, still served
        try Self.verify(port, 500, dir: dir)
    }

    /// v1 of a small program: a heap struct rec {a, b}, printed at each turn of the loop.
    static let recV1 = """
    #include <stdio.h>
    #include <stdlib.h>
    #include <unistd.h>
    #include "graft.h"
    struct rec { int a; int b; };
    struct rec *r;
    static void show(void) { printf("v1 %d %d\\n", r->a, r->b); fflush(stdout); }
    int main(void) {
      r = malloc(sizeof *r); r->a = 1; r->b = 2;
      for (;;) { graft_update_point(); show(); usleep(20000); }
    }
    """

    @Test("[DEPLOY-7] adversarial: a patch that removes a field (b) has no patch back, since converting back could not restore b; one that reorders the fields and adds one has, and the rollback gives v1 its values back")
    func fieldRemovedOrReordered() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let removed = Self.recV1.replacingOccurrences(of: "struct rec { int a; int b; };", with: "struct rec { int a; };")
            .replacingOccurrences(of: "printf(\"v1 %d %d\\n\", r->a, r->b)", with: "printf(\"v2 %d\\n\", r->a)")
            .replacingOccurrences(of: " r->b = 2;", with: "")
        let reordered = Self.recV1.replacingOccurrences(of: "struct rec { int a; int b; };", with: "struct rec { int b; long c; int a; };")
            .replacingOccurrences(of: "printf(\"v1 %d %d\\n\", r->a, r->b)", with: "printf(\"v3 %d %d %ld\\n\", r->a, r->b, r->c)")
        try #require(removed.contains("v2 %d") && reordered.contains("v3 %d"))
        let v1 = try AdversarialLiveTests.build("v1", in: dir, source: Self.recV1)
        let v2 = try AdversarialLiveTests.build("v2", in: dir, source: removed)
        let v3 = try AdversarialLiveTests.build("v3", in: dir, source: reordered)
        let p2 = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p2.patch"])
        #expect(p2.status == 0 && p2.stdout.contains("rollback: not available: struct rec (field b removed): converting back could not restore field b")
                && p2.stdout.contains("[DEPLOY-7]"), "\(p2.stdout) \(p2.stderr)")
        let p3 = try run(graft, ["patch", "--from", v1, "--to", v3, "-o", dir + "/p3.patch"])
        try #require(p3.status == 0 && p3.stdout.contains("rollback: available"), "\(p3.stdout) \(p3.stderr)")

        let (prog, out) = try Live.launch(v1)
        defer { Live.stop(prog) }
        let pid = String(prog.processIdentifier)
        usleep(100_000)
        let applied = try run(graft, ["apply", "--pid", pid, dir + "/p3.patch", "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        usleep(100_000)
        let back = try run(graft, ["rollback", "--pid", pid, "--timeout", "10"])
        #expect(back.status == 0, "\(back.stdout) \(back.stderr)")
        usleep(100_000)
        Live.stop(prog)
        let lines = AdversarialLiveTests.lines(out)
        // v1's values, then v3's view of them (c new, 0), then v1's again: a and b kept both ways.
        var seen: [Substring] = []
        for l in lines where seen.last != l { seen.append(l) }
        #expect(seen == ["v1 1 2", "v3 1 2 0", "v1 1 2"], "\(seen)")
    }
}
