// DEPLOY-9, for real: where a running program's control channel lives, and
// that no other user can block it or stand in for it. Real programs built by
// `graft cc`, run as other uids with setpriv (CI runs as root; each test that
// needs root says so and is recorded, not skipped, without it), patched by
// `graft apply` run as the program's own uid.
//
// The uids are 65532 (the program) and 65531 (the other user), which no other
// suite uses: a test here takes /tmp/graft-65532 from its owner on purpose.

import Foundation
import Testing

@Suite("DEPLOY-9: the control channel's directory", .serialized)
struct ChannelDirTests {
    typealias Live = LiveUpdateTests
    static let user: uid_t = 65532, other: uid_t = 65531

    /// A program that prints "TAG N" every 20 ms and exits 0 once file argv[1] exists; v2 prints "v2".
    static func source(_ tag: String) -> String {
        """
        #include <stdio.h>
        #include <unistd.h>
        void graft_update_point(void);
        static const char *tag(void) { return "\(tag)"; }
        int main(int argc, char **argv) {
            for (int n = 0;; n++) {
                graft_update_point();
                if (argc > 1 && access(argv[1], F_OK) == 0) return 0;
                printf("%s %d\\n", tag(), n);
                fflush(stdout);
                usleep(20000);
            }
        }
        """
    }

    struct Builds { let dir: String; let v1: String; let patch: String }

    /// v1, v2 and the patch v1 → v2, in a folder every uid may read.
    static func builds() throws -> Builds {
        let graft = try #require(Live.graft)
        let dir = tempDir()
        chmod(dir, 0o755)
        for v in ["v1", "v2"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + v, withIntermediateDirectories: true)
            try source(v).write(toFile: dir + "/\(v)/prog.c", atomically: true, encoding: .utf8)
            let r = try run(graft, ["cc", "-O1", "-o", "prog", "prog.c"], cwd: dir + "/" + v)
            try #require(r.status == 0, "\(r.stderr)")
        }
        let p = try run(graft, ["patch", "--from", dir + "/v1/prog", "--to", dir + "/v2/prog", "-o", dir + "/p.patch"])
        try #require(p.status == 0, "\(p.stdout)\(p.stderr)")
        chmod(dir + "/p.patch", 0o644)
        return Builds(dir: dir, v1: dir + "/v1/prog", patch: dir + "/p.patch")
    }

    /// `command` run as `uid` (env -u drops the caller's XDG_RUNTIME_DIR unless `env` sets one).
    static func asUser(_ uid: uid_t, _ command: [String], env: [String: String] = [:]) -> [String] {
        let keep = env.map { "\($0.key)=\($0.value)" }
        return ["/usr/bin/env", "-u", "XDG_RUNTIME_DIR"] + keep
            + ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + command
    }

    /// The program started through `argv`, its output (stdout and stderr) collected.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var data = Data()
        init(_ argv: [String]) throws {
            process.executableURL = URL(fileURLWithPath: argv[0])
            process.arguments = Array(argv.dropFirst())
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            out.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                if d.isEmpty { h.readabilityHandler = nil; return }
                self?.lock.withLock { self?.data.append(d) }
            }
            try process.run()
        }
        var pid: Int32 { process.processIdentifier }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
        func stop() {
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
    }

    /// The process's STATUS (through `graft status --json`, run as `uid`).
    static func status(_ pid: Int32, as uid: uid_t) throws -> [String: Any] {
        let graft = try #require(Live.graft)
        let r = try runAs(uid, [graft, "status", "--pid", String(pid), "--json"])
        guard r.status == 0, let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw ReproRuntimeTests.Failure("graft status as uid \(uid): \(r.status) \(r.stdout) \(r.stderr)")
        }
        return o
    }

    static func runAs(_ uid: uid_t, _ command: [String], env: [String: String] = [:]) throws -> ProcessResult {
        let argv = asUser(uid, command, env: env)
        return try run(argv[0], Array(argv.dropFirst()))
    }

    static func owner(_ path: String) -> (uid: uid_t, mode: mode_t)? {
        var st = stat()
        return lstat(path, &st) == 0 ? (st.st_uid, st.st_mode & 0o7777) : nil
    }

    @Test("a program's channel is in the directory DEPLOY-9 names for its uid, 700 and its own; STATUS and graft status say where")
    func whereItIs() throws {
        let b = try Self.builds()
        let graft = try #require(Live.graft)
        let p = try Running([b.v1])
        defer { p.stop() }
        let expected = channelSocket(p.pid)
        #expect(ReproRuntimeTests.eventually(10) { FileManager.default.fileExists(atPath: expected) }, "no \(expected): \(p.text)")
        let dir = channelDirectory()
        #expect(Self.owner(dir).map { $0.uid == getuid() && $0.mode == 0o700 } == true, "\(dir): \(String(describing: Self.owner(dir)))")
        let json = try ReproRuntimeTests.status(p.pid)
        #expect(json["channel"] as? String == expected, "\(json)")
        #expect(json["channel_note"] is NSNull, "\(json)")
        let text = try run(graft, ["status", "--pid", String(p.pid)])
        #expect(text.status == 0 && text.stdout.contains("channel       \(expected)"), "\(text.stdout) \(text.stderr)")
        let applied = try run(graft, ["apply", "--pid", String(p.pid), b.patch, "--timeout", "10"])
        #expect(applied.status == 0 && ReproRuntimeTests.eventually(5) { p.text.contains("v2 ") }, "\(applied.stdout) \(applied.stderr)")
    }

    @Test("another user who makes /tmp/graft-UID first (a directory of theirs, or a link to one) cannot block the program: it says so, makes a directory of its own, is updated, and removes that directory when it exits", .enabled(if: getuid() == 0, "needs root: runs the program and the other user under other uids"))
    func blockedTmpDirectory() throws {
        let b = try Self.builds()
        let graft = try #require(Live.graft)
        let tmpDir = "/tmp/graft-\(Self.user)"
        for shape in ["a directory of uid \(Self.other)", "a link to uid \(Self.other)'s directory"] {
            // The program's uid has no /run/user directory here: /tmp/graft-UID is where DEPLOY-9 puts its channel.
            #expect(channelDirectory(uid: Self.user) == tmpDir)
            try? FileManager.default.removeItem(atPath: tmpDir)
            let trap = tempDir() + "-trap"
            try FileManager.default.createDirectory(atPath: trap, withIntermediateDirectories: true)
            chown(trap, Self.other, Self.other)
            chmod(trap, 0o777)
            if shape.hasPrefix("a link") { symlink(trap, tmpDir) } else { mkdir(tmpDir, 0o777); chown(tmpDir, Self.other, Self.other); chmod(tmpDir, 0o777) }
            defer { try? FileManager.default.removeItem(atPath: tmpDir); try? FileManager.default.removeItem(atPath: trap) }

            let stop = b.dir + "/stop-\(Self.user)"
            unlink(stop)
            let p = try Running(Self.asUser(Self.user, [b.v1, stop]))
            defer { p.stop() }
            #expect(ReproRuntimeTests.eventually(10) { p.text.contains("the channel is in /tmp/graft-\(Self.user).") }, "\(shape): \(p.text)")
            #expect(p.text.contains(shape.hasPrefix("a link") ? "is not a directory" : "belongs to uid \(Self.other)"), "\(shape): \(p.text)")
            let json = try Self.status(p.pid, as: Self.user)
            let channel = json["channel"] as? String ?? ""
            let made = (channel as NSString).deletingLastPathComponent
            #expect(made.hasPrefix("/tmp/graft-\(Self.user).") && Self.owner(made).map { $0.uid == Self.user && $0.mode == 0o700 } == true, "\(shape): \(json)")
            #expect((json["channel_note"] as? String)?.contains(tmpDir) == true, "\(shape): \(json)")
            let applied = try Self.runAs(Self.user, [graft, "apply", "--pid", String(p.pid), b.patch, "--timeout", "10"])
            #expect(applied.status == 0 && applied.stdout.contains("applied"), "\(shape): \(applied.stdout) \(applied.stderr)")
            #expect(ReproRuntimeTests.eventually(5) { p.text.contains("v2 ") }, "\(shape): \(p.text)")
            // Nothing of the program's went into the other user's directory.
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: trap)) ?? ["?"]).isEmpty, "\(shape)")
            FileManager.default.createFile(atPath: stop, contents: nil)
            p.process.waitUntilExit()
            #expect(p.process.terminationStatus == 0)
            #expect(!FileManager.default.fileExists(atPath: made), "\(shape): \(made) left behind")
            unlink(stop)
        }
    }

    @Test("XDG_RUNTIME_DIR, when it is the program's uid's own, holds the channel and graft apply finds it there; one of another user's is passed over, with the reason in STATUS", .enabled(if: getuid() == 0, "needs root: runs the program under another uid"))
    func xdgRuntimeDir() throws {
        let b = try Self.builds()
        let graft = try #require(Live.graft)
        try? FileManager.default.removeItem(atPath: "/tmp/graft-\(Self.user)")
        let xdg = tempDir() + "-xdg"
        try FileManager.default.createDirectory(atPath: xdg, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: xdg) }

        chown(xdg, Self.user, Self.user)
        chmod(xdg, 0o700)
        let p = try Running(Self.asUser(Self.user, [b.v1], env: ["XDG_RUNTIME_DIR": xdg]))
        defer { p.stop() }
        let sock = xdg + "/graft/\(p.pid).sock"
        #expect(ReproRuntimeTests.eventually(10) { FileManager.default.fileExists(atPath: sock) }, "no \(sock): \(p.text)")
        // graft apply runs without XDG_RUNTIME_DIR: it finds the channel by what the process has bound.
        let applied = try Self.runAs(Self.user, [graft, "apply", "--pid", String(p.pid), b.patch, "--timeout", "10"])
        #expect(applied.status == 0 && ReproRuntimeTests.eventually(5) { p.text.contains("v2 ") }, "\(applied.stdout) \(applied.stderr)")
        #expect(try Self.status(p.pid, as: Self.user)["channel"] as? String == sock)
        p.stop()

        chown(xdg, Self.other, Self.other)
        let q = try Running(Self.asUser(Self.user, [b.v1], env: ["XDG_RUNTIME_DIR": xdg]))
        defer { q.stop() }
        let fallback = "/tmp/graft-\(Self.user)/\(q.pid).sock"
        #expect(ReproRuntimeTests.eventually(10) { FileManager.default.fileExists(atPath: fallback) }, "no \(fallback): \(q.text)")
        let json = try Self.status(q.pid, as: Self.user)
        #expect(json["channel"] as? String == fallback, "\(json)")
        #expect((json["channel_note"] as? String)?.contains("\(xdg) belongs to uid \(Self.other)") == true, "\(json)")
    }

    @Test("a socket another user binds at …/graft-UID/PID.sock for a process that has no channel is not taken for its channel: graft names who listens there and sends it nothing", .enabled(if: getuid() == 0, "needs root: the other user runs under another uid"))
    func impostor() throws {
        let graft = try #require(Live.graft)
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/bin/sleep")
        victim.arguments = ["60"]
        try victim.run()
        defer { kill(victim.processIdentifier, SIGKILL); victim.waitUntilExit() }
        let dir = "/tmp/graft-\(Self.other)"
        try? FileManager.default.removeItem(atPath: dir)
        mkdir(dir, 0o755)
        chown(dir, Self.other, Self.other)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sock = dir + "/\(victim.processIdentifier).sock", got = dir + "/got"
        let listener = try Running(Self.asUser(Self.other, ["/usr/bin/python3", "-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.bind("\(sock)"); s.listen(4); print("listening", flush=True)
            c, _ = s.accept(); c.settimeout(2)
            try: data = c.recv(4096)
            except OSError: data = b""
            open("\(got)", "w").write(str(len(data)))
            """]))
        defer { listener.stop() }
        #expect(ReproRuntimeTests.eventually(10) { listener.text.contains("listening") }, "\(listener.text)")
        let r = try run(graft, ["status", "--pid", String(victim.processIdentifier)])
        #expect(r.status != 0, "\(r.stdout)")
        #expect(r.stderr.contains("\(sock) is not process \(victim.processIdentifier)'s control channel: process \(listener.pid) (uid \(Self.other)) listens there [DEPLOY-9]"), "\(r.stderr)")
        #expect(ReproRuntimeTests.eventually(5) { FileManager.default.fileExists(atPath: got) })
        #expect((try? String(contentsOfFile: got, encoding: .utf8)) == "0", "the impostor was sent something")
    }
}
