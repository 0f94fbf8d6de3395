// Forking servers (issue 8 item 9, UPD-9): a real server that forks a child
// per connection (Fixtures/forking/server.c), built by `graft cc` at v1, v2
// and v3, patched by `graft patch` and updated by `graft apply` while its
// children hold their sessions open. Every process has its own control
// channel; `graft status` says which runs which version; `graft apply --all`
// reaches every process that runs the patch's base.

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Forking servers: a channel per process, status of the tree, apply --all", .serialized)
struct ForkingTests {
    typealias Repro = ReproRuntimeTests
    struct Failure: Error, CustomStringConvertible { let description: String; init(_ s: String) { description = s } }

    /// The server built at v1, v2, v3 (their version ids) and the patches v1→v2, v2→v3: built once.
    struct Builds {
        var exe: [String]       // v1, v2, v3
        var version: [String]
        var p12: String, p23: String
    }

    nonisolated(unsafe) static var cached: Builds?
    static let buildLock = NSLock()

    static func builds() throws -> Builds {
        try buildLock.withLock {
            if let b = cached { return b }
            let dir = tempDir()
            var exes: [String] = [], versions: [String] = []
            for v in 1...3 {
                let d = dir + "/v\(v)"
                try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: LiveUpdateTests.repo + "/Tests/GraftTests/Fixtures/forking/server.c", toPath: d + "/server.c")
                try Repro.graft(["cc", "-O1", "-DVER=\(v)", "-o", "server", "server.c"], cwd: d, check: true)
                exes.append(d + "/server")
                let m = try Repro.graft(["manifest", d + "/server", "--json"], check: true)
                guard let o = try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [String: Any], let id = o["version"] as? String else {
                    throw Failure("graft manifest: \(m.stdout)")
                }
                versions.append(id)
            }
            try Repro.graft(["patch", "--from", exes[0], "--to", exes[1], "-o", dir + "/p12.patch"], check: true)
            try Repro.graft(["patch", "--from", exes[1], "--to", exes[2], "-o", dir + "/p23.patch"], check: true)
            let b = Builds(exe: exes, version: versions, p12: dir + "/p12.patch", p23: dir + "/p23.patch")
            cached = b
            return b
        }
    }

    static func socketPath(_ pid: Int32) -> String { channelSocket(pid) }
    static func hasSocket(_ pid: Int32) -> Bool { FileManager.default.fileExists(atPath: socketPath(pid)) }
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // A zombie (exited, not yet reaped) is not alive.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    /// A line of /proc/PID/status ("Threads", "SigCgt").
    static func procStatus(_ pid: Int32, _ key: String) -> String? {
        let s = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return s.split(separator: "\n").first { $0.hasPrefix(key + ":") }.map { $0.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// Signals the process handles, other than the two glibc handles itself in a
    /// threaded process (32, SIGCANCEL, and 33, SIGSETXID): 0 for a program that installs no handler.
    static func handled(_ pid: Int32) -> UInt64? {
        procStatus(pid, "SigCgt").flatMap { UInt64($0, radix: 16) }.map { $0 & ~(UInt64(3) << 31) }
    }

    /// The inodes of the Unix sockets bound at `path` (/proc/net/unix).
    static func socketInodes(boundAt path: String) -> Set<String> {
        let table = (try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8)) ?? ""
        return Set(table.split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: " ")
            return f.count >= 8 && f[7] == path ? String(f[6]) : nil
        })
    }

    /// The sockets process `pid` holds open ("socket:[INODE]" → INODE).
    static func openSockets(_ pid: Int32) -> Set<String> {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return Set(fds.compactMap { fd in
            guard let t = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"), t.hasPrefix("socket:[") else { return nil }
            return String(t.dropFirst(8).dropLast())
        })
    }

    /// `graft ARGS` whose stdout is JSON, decoded.
    static func json(_ args: [String]) throws -> [String: Any] {
        let r = try Repro.graft(args)
        guard let o = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw Failure("graft \(args.joined(separator: " ")) (\(r.status)): \(r.stdout) \(r.stderr)")
        }
        return o
    }

    static func int(_ v: Any?) -> Int32? { (v as? NSNumber).map { $0.int32Value } }

    /// The running server: started at `exe`, stopped when the stop file exists.
    final class Server {
        let program: Repro.Program
        let stopFile: String
        var port: UInt16 = 0
        var pid: Int32 { program.pid }

        init(_ exe: String, _ args: [String] = []) throws {
            stopFile = tempDir() + "/stop"
            program = try Repro.Program(exe, [stopFile] + args)
            guard Repro.eventually(10, { program.lines.contains { $0.hasPrefix("port ") } }),
                  let line = program.lines.first(where: { $0.hasPrefix("port ") }), let p = UInt16(line.dropFirst(5)) else {
                program.stop()
                throw Failure("the server did not start: \(program.text)")
            }
            port = p
            guard Repro.eventually(10, { ForkingTests.hasSocket(pid) }) else { throw Failure("the server has no channel") }
        }

        /// Asks it to exit (it does at its next update point); its exit status.
        func stop() -> Int32? {
            _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
            return program.exitStatus()
        }

        func kill() { program.stop() }
    }

    /// One session: a connection the server forked a child for.
    final class Session {
        let fd: Int32
        private var buffer: [UInt8] = []

        init(port: UInt16) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard r == 0 else { Glibc.close(fd); throw Failure("connect: \(String(cString: strerror(errno)))") }
        }

        deinit { Glibc.close(fd) }

        func close() { shutdown(fd, Int32(SHUT_RDWR)) }

        /// Sends one line and reads the answer (nil: none within `seconds`).
        func say(_ line: String, seconds: Double = 10) -> String? {
            let bytes = Array((line + "\n").utf8)
            guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { return nil }
            let deadline = Date().addingTimeInterval(seconds)
            while !buffer.contains(0x0a) {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return nil }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, Int32(left * 1000) + 1) <= 0 { continue }
                var chunk = [UInt8](repeating: 0, count: 256)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return nil }
                buffer += chunk[0..<n]
            }
            let nl = buffer.firstIndex(of: 0x0a)!
            defer { buffer.removeFirst(nl + 1) }
            return String(decoding: buffer[..<nl], as: UTF8.self)
        }

        /// "pong vN PID PPID": which code answers, in which process.
        func ping() -> (version: String, pid: Int32, ppid: Int32)? {
            guard let r = say("ping") else { return nil }
            let w = r.split(separator: " ")
            guard w.count == 4, w[0] == "pong", let pid = Int32(w[2]), let ppid = Int32(w[3]) else { return nil }
            return (String(w[1]), pid, ppid)
        }

        /// The child's pid, once it has its own channel.
        func child() throws -> Int32 {
            guard let p = ping() else { throw Failure("the session's child does not answer") }
            guard Repro.eventually(10, { ForkingTests.hasSocket(p.pid) }) else { throw Failure("child \(p.pid) has no channel") }
            return p.pid
        }
    }

    /// Pings `session` until its child answers with `version` (it passes an update point each time).
    static func pingUntil(_ session: Session, _ version: String, seconds: Double = 15) -> Bool {
        Repro.eventually(seconds) { session.ping()?.version == version }
    }

    /// Every session's child is gone and has left no socket file.
    static func closeAndCheck(_ sessions: [Session], _ pids: [Int32]) {
        for s in sessions { s.close() }
        for pid in pids {
            #expect(Repro.eventually(10) { !alive(pid) }, "child \(pid) did not exit")
            #expect(Repro.eventually(5) { !hasSocket(pid) }, "child \(pid) left \(socketPath(pid))")
        }
    }

    @Test("UPD-9: each forked child answers on a channel of its own, with its own pid, the pid that forked it and its version; status --pid of the parent lists them; the parent keeps its channel; no signal handler, no thread beyond the runtime's")
    func statusOfTheTree() throws {
        let b = try Self.builds()
        let server = try Server(b.exe[0])
        defer { server.kill() }
        // Before any fork: the main thread and the runtime's listener, no handler.
        #expect(Repro.eventually(5) { Self.procStatus(server.pid, "Threads") == "2" }, "\(Self.procStatus(server.pid, "Threads") ?? "?")")
        #expect(Self.handled(server.pid) == 0, "\(Self.procStatus(server.pid, "SigCgt") ?? "?")")

        let sa = try Session(port: server.port), sb = try Session(port: server.port)
        let a = try sa.child(), c = try sb.child()
        #expect(a != c && a != server.pid && c != server.pid)
        let parentChannel = Self.socketInodes(boundAt: Self.socketPath(server.pid))
        #expect(parentChannel.count == 1 && !Self.openSockets(server.pid).isDisjoint(with: parentChannel), "\(parentChannel)")
        for child in [a, c] {
            // The child holds nothing of its parent's channel, and listens on its own.
            #expect(Self.openSockets(child).isDisjoint(with: parentChannel), "child \(child) holds its parent's channel")
            #expect(!Self.openSockets(child).isDisjoint(with: Self.socketInodes(boundAt: Self.socketPath(child))), "child \(child)")
            let s = try Repro.status(child)
            #expect(Self.int(s["pid"]) == child, "\(s)")
            #expect(Self.int(s["forked_from"]) == server.pid, "\(s)")
            #expect(s["forked_version"] as? String == b.version[0] && s["version"] as? String == b.version[0], "\(s)")
            #expect(Self.handled(child) == 0, "\(Self.procStatus(child, "SigCgt") ?? "?")")
            #expect(Repro.eventually(5) { Self.procStatus(child, "Threads") == "2" }, "child \(child): \(Self.procStatus(child, "Threads") ?? "?") threads")
        }
        let parent = try Self.json(["status", "--pid", String(server.pid), "--json"])
        #expect(Self.int(parent["pid"]) == server.pid && Self.int(parent["forks"]) == 2 && parent["forked_from"] is NSNull, "\(parent)")
        let desc = (parent["descendants"] as? [[String: Any]]) ?? []
        #expect(Set(desc.compactMap { Self.int($0["pid"]) }) == [a, c], "\(desc)")
        for d in desc {
            #expect(Self.int(d["ppid"]) == server.pid && d["version"] as? String == b.version[0] && d["reachable"] as? Bool == true, "\(d)")
            #expect((d["uptime_s"] as? Double).map { $0 >= 0 && $0 < 600 } == true, "\(d)")
        }
        let text = try Repro.graft(["status", "--pid", String(server.pid)])
        #expect(text.status == 0 && text.stdout.contains("descendants   2 live"), "\(text.stdout)\(text.stderr)")
        // A row per child: PID, PPID, VERSION, …
        let rows = text.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        for child in [a, c] {
            #expect(rows.contains { $0.count > 3 && $0[0] == "\(child)" && $0[1] == "\(server.pid)" && $0[2] == b.version[0] }, "\(text.stdout)")
        }
        let child = try Repro.graft(["status", "--pid", String(a)])
        #expect(child.stdout.contains("server (pid \(a))") && child.stdout.contains("forked        by pid \(server.pid)"), "\(child.stdout)")
        // The build's lineage: the parent and both children, with their parents.
        let lineage = try Self.json(["status", "--program", b.exe[0], "--json"])
        #expect(lineage["lineage"] as? String == b.version[0])
        let ours = ((lineage["processes"] as? [[String: Any]]) ?? []).filter { [server.pid, a, c].contains(Self.int($0["pid"]) ?? 0) }
        #expect(ours.count == 3, "\(lineage)")
        #expect(ours.allSatisfy { Self.int($0["pid"]) == server.pid || Self.int($0["ppid"]) == server.pid }, "\(ours)")

        Self.closeAndCheck([sa, sb], [a, c])
        #expect(server.stop() == 0)
        #expect(!Self.hasSocket(server.pid), "the server left \(Self.socketPath(server.pid))")
    }

    @Test("UPD-9: a child forked before the parent's update keeps v1 and says so; a child forked after runs v2, with the parent's update in its history; status --program tells the lineages apart")
    func childrenKeepTheirVersion() throws {
        let b = try Self.builds()
        let server = try Server(b.exe[0])
        defer { server.kill() }
        let old = try Session(port: server.port)
        let a = try old.child()
        #expect(old.ping()?.version == "v1")

        let r = try Repro.graft(["apply", "--pid", String(server.pid), b.p12, "--timeout", "20"])
        #expect(r.status == 0 && r.stdout.contains("applied"), "\(r.stdout) \(r.stderr)")
        #expect(old.ping()?.version == "v1", "the child forked before the update changed version")
        let sa = try Repro.status(a)
        #expect(sa["version"] as? String == b.version[0] && (sa["updates"] as? [Any])?.isEmpty == true, "\(sa)")
        #expect(sa["forked_version"] as? String == b.version[0])

        let new = try Session(port: server.port)
        let c = try new.child()
        #expect(new.ping()?.version == "v2")
        let sc = try Repro.status(c)
        #expect(sc["version"] as? String == b.version[1] && sc["forked_version"] as? String == b.version[1], "\(sc)")
        let updates = (sc["updates"] as? [[String: Any]]) ?? []
        #expect(updates.count == 1 && Self.int(updates.first?["pid"]) == server.pid, "the update is the parent's, inherited: \(updates)")

        let text = try Repro.graft(["status", "--pid", String(server.pid)])
        #expect(text.stdout.contains("descendants   2 live, 1 at another version than this process"), "\(text.stdout)")
        let childText = try Repro.graft(["status", "--pid", String(c)])
        #expect(childText.stdout.contains("pid \(server.pid), before the fork"), "\(childText.stdout)")

        func members(_ build: String) throws -> Set<Int32> {
            let o = try Self.json(["status", "--program", build, "--json"])
            return Set(((o["processes"] as? [[String: Any]]) ?? []).compactMap { Self.int($0["pid"]) }).intersection([server.pid, a, c])
        }
        #expect(try members(b.exe[0]) == [server.pid, a, c])
        #expect(try members(b.exe[1]) == [server.pid, c], "v1's child never ran v2")
        #expect(try members(b.version[2]).isEmpty)

        Self.closeAndCheck([old, new], [a, c])
        #expect(server.stop() == 0)
        #expect(!Self.hasSocket(server.pid))
    }

    @Test("UPD-9: apply --pid PARENT --all updates the parent and its long-lived children at a point of their session loop; a child at another version is skipped with the reason; exit status 0")
    func applyAllReachesTheTree() throws {
        let b = try Self.builds()
        let server = try Server(b.exe[0])
        defer { server.kill() }
        let sessions = try (0..<3).map { _ in try Session(port: server.port) }
        let pids = try sessions.map { try $0.child() }
        // The third child goes to v3 on its own (v1 → v2 → v3).
        for (patch, v) in [(b.p12, "v2"), (b.p23, "v3")] {
            let one = try Repro.Apply(["--pid", String(pids[2]), patch, "--timeout", "20"])
            #expect(Self.pingUntil(sessions[2], v))
            let r = one.result()
            #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        }
        #expect(sessions[0].ping()?.version == "v1" && sessions[1].ping()?.version == "v1")

        let all = try Repro.Apply(["--pid", String(server.pid), "--all", b.p12, "--timeout", "20"])
        // The children block in read: each takes the patch at the update point after its next line.
        #expect(Self.pingUntil(sessions[0], "v2"))
        #expect(Self.pingUntil(sessions[1], "v2"))
        let r = all.result()
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        for pid in [server.pid, pids[0], pids[1]] {
            #expect(r.stdout.split(separator: "\n").contains { $0.contains("pid \(pid) (") && $0.contains("): applied, now runs \(b.version[1])") }, "\(r.stdout)")
        }
        #expect(r.stdout.contains("pid \(pids[2]) (ppid \(server.pid)): skipped: it runs \(b.version[2]), not the patch's base \(b.version[0])"), "\(r.stdout)")
        #expect(r.stdout.contains("3 processes at the patch's base: 3 applied; 1 skipped"), "\(r.stdout)")
        #expect(sessions[2].ping()?.version == "v3", "the skipped child was touched")
        let parent = try Repro.status(server.pid)
        #expect(parent["version"] as? String == b.version[1])
        let fresh = try Session(port: server.port)
        #expect(fresh.ping()?.version == "v2", "a child forked after the update runs v2")
        let f = try fresh.child()

        // Again: nothing runs the base any more; the processes at the target are skipped, and that is no failure.
        let again = try Repro.graft(["apply", "--pid", String(server.pid), "--all", b.p12, "--timeout", "5"])
        #expect(again.status == 0 && again.stdout.contains("0 processes at the patch's base: 0 applied; 5 skipped"), "\(again.stdout) \(again.stderr)")

        Self.closeAndCheck(sessions + [fresh], pids + [f])
        #expect(server.stop() == 0)
        #expect(!Self.hasSocket(server.pid))
    }

    @Test("UPD-9: apply --all --program: a child that reaches no update point in time times out and runs on exactly as before; the JSON report says so per process; exit status 1")
    func applyAllReportsAChildThatTimesOut() throws {
        let b = try Self.builds()
        let server = try Server(b.exe[0])
        defer { server.kill() }
        let busy = try Session(port: server.port), idle = try Session(port: server.port)
        let pb = try busy.child(), pi = try idle.child()
        let all = try Repro.Apply(["--all", "--program", b.version[0], b.p12, "--timeout", "3", "--json"])
        #expect(Self.pingUntil(busy, "v2"))
        let r = all.result()
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("1 of 3 processes at the patch's base was not updated"), "\(r.stderr)")
        let o = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
        #expect(o["ok"] as? Bool == false && o["base"] as? String == b.version[0] && o["target"] as? String == b.version[1], "\(o)")
        var outcome: [Int32: [String: Any]] = [:]
        for p in (o["processes"] as? [[String: Any]]) ?? [] { if let pid = Self.int(p["pid"]) { outcome[pid] = p } }
        #expect(outcome[server.pid]?["outcome"] as? String == "applied" && outcome[pb]?["outcome"] as? String == "applied", "\(o)")
        #expect(outcome[pb]?["version_after"] as? String == b.version[1])
        #expect(outcome[pi]?["outcome"] as? String == "timed_out", "\(o)")
        #expect((outcome[pi]?["reason"] as? String)?.contains("no admissible update point was reached within 3 s") == true, "\(o)")
        #expect(outcome[pi]?["version_after"] as? String == b.version[0])
        // The idle child was left exactly as it was.
        let s = try Repro.status(pi)
        #expect(s["version"] as? String == b.version[0] && (s["updates"] as? [Any])?.isEmpty == true && s["pending"] as? Bool == false, "\(s)")
        #expect(idle.ping()?.version == "v1")
        Self.closeAndCheck([busy, idle], [pb, pi])
        #expect(server.stop() == 0)
        #expect(!Self.hasSocket(server.pid))
    }

    @Test("UPD-9: processes leave no channel file: a child that exits, one that _exits, one that execs another program (its pid lives on); a failed exec keeps the channel; the parent's exit removes its own")
    func noSocketFilesLeft() throws {
        let b = try Self.builds()
        let server = try Server(b.exe[0])
        defer { server.kill() }
        let quit = try Session(port: server.port), underscore = try Session(port: server.port), exec = try Session(port: server.port)
        let pq = try quit.child(), pu = try underscore.child(), pe = try exec.child()

        #expect(quit.say("quit") == "bye")
        #expect(Repro.eventually(10) { !Self.alive(pq) })
        #expect(!Self.hasSocket(pq), "exit left \(Self.socketPath(pq))")
        #expect(underscore.say("_exit") == "bye")
        #expect(Repro.eventually(10) { !Self.alive(pu) })
        #expect(!Self.hasSocket(pu), "_exit left \(Self.socketPath(pu))")

        // An exec that fails: the process goes on, and so does its channel, at the same path.
        #expect(exec.say("execfail") == "execfail \(ENOENT)")
        #expect(Self.hasSocket(pe))
        #expect(Self.int(try Repro.status(pe)["pid"]) == pe)
        #expect(exec.ping()?.pid == pe)
        // An exec that succeeds: the pid now runs /bin/sleep, and no channel file stays at its path.
        #expect(exec.say("exec") == "exec")
        #expect(Repro.eventually(10) { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pe)/exe")) == "/usr/bin/sleep"
                                       || (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pe)/exe")) == "/bin/sleep" })
        #expect(!Self.hasSocket(pe), "exec left \(Self.socketPath(pe))")
        let gone = try Repro.graft(["status", "--pid", String(pe)])
        #expect(gone.status == 1 && gone.stderr.contains("not an updatable graft program"), "\(gone.stderr)")
        let parent = try Self.json(["status", "--pid", String(server.pid), "--json"])
        #expect(((parent["descendants"] as? [[String: Any]]) ?? []).isEmpty, "the exec'd child is no updatable descendant: \(parent)")
        kill(pe, SIGKILL)
        #expect(Repro.eventually(10) { !Self.alive(pe) })

        #expect(server.stop() == 0)
        #expect(!Self.hasSocket(server.pid), "the server left \(Self.socketPath(server.pid))")
        for pid in [server.pid, pq, pu, pe] { #expect(!Self.hasSocket(pid)) }
    }

    @Test("UPD-9: a child that has reached no update point since the fork has no channel yet: status lists it as such and explains; apply --all reports it unreachable and exits 1, the parent updated")
    func childWithoutChannelYet() throws {
        let b = try Self.builds()
        let server = try Server(b.exe[0], ["helper"])
        defer { server.kill() }
        var listed: [String: Any] = [:]
        let found = Repro.eventually(10) {
            let o = try? Self.json(["status", "--pid", String(server.pid), "--json"])
            let d = (o?["descendants"] as? [[String: Any]]) ?? []
            guard let h = d.first, d.count == 1 else { return false }
            listed = h
            return true
        }
        #expect(found, "the helper is not listed")
        #expect(listed["reachable"] as? Bool == false && listed["version"] == nil, "\(listed)")
        #expect((listed["why"] as? String)?.contains("has reached no update point since the fork") == true, "\(listed)")
        #expect(Self.int(listed["ppid"]) == server.pid, "\(listed)")
        let helper = Self.int(listed["pid"]) ?? 0
        defer { if helper > 0 { kill(helper, SIGKILL) } }
        #expect(helper > 0 && !Self.hasSocket(helper))
        let text = try Repro.graft(["status", "--pid", String(server.pid)])
        #expect(text.stdout.contains("1 without a control channel yet"), "\(text.stdout)")
        let s = try Repro.graft(["status", "--pid", String(helper)])
        #expect(s.status == 1 && s.stderr.contains("process \(helper) has no control channel yet: it was forked by updatable process \(server.pid)"), "\(s.stderr)")

        let r = try Repro.graft(["apply", "--pid", String(server.pid), "--all", b.p12, "--timeout", "3"])
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("pid \(server.pid) (ppid") && r.stdout.contains("applied, now runs \(b.version[1])"), "\(r.stdout)")
        #expect(r.stdout.contains("pid \(helper) (ppid \(server.pid)): unreachable: no control channel"), "\(r.stdout)")
        #expect(r.stderr.contains("1 of 2 processes at the patch's base was not updated"), "\(r.stderr)")
        kill(helper, SIGKILL)
        #expect(Repro.eventually(10) { !Self.alive(helper) })
        #expect(server.stop() == 0)
        #expect(!Self.hasSocket(server.pid) && !Self.hasSocket(helper))
    }
}
