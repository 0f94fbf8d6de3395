// examples/ftpd's release chain, live: six releases of a forking FTP server
// built by `graft cc` (make CC="graft cc"), v1 started and kept under load by
// curl clients that download and upload in a loop and check every byte, each
// patch applied with `graft apply` while they run, and the parent's state —
// its per-client table, totals and session counter, which every child
// forked after an update reports through SITE STATS — checked to the byte.
//
// Every release is applied to the one process started at v1; the whole
// chain is one live run. (A release graft refused would be asserted as a
// KNOWN REFUSAL, with the server restarted at it, as an operator would.)

import Foundation
import Testing

@Suite("Live release chain of examples/ftpd", .serialized)
struct FtpdChainTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var graft: String? {
        if let p = graftFromEnvironment { return p }
        for p in [".build/debug/graft", ".build/release/graft"] where FileManager.default.isExecutableFile(atPath: repo + "/" + p) {
            return repo + "/" + p
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ s: String) { description = s } }

    /// examples/ftpd/vN copied to DIR/vN and built with `make CC="graft cc"`.
    static func build(_ v: Int, in dir: String) throws -> String {
        let d = dir + "/v\(v)"
        try FileManager.default.copyItem(atPath: repo + "/examples/ftpd/v\(v)", toPath: d)
        let r = try run("/usr/bin/make", ["-s", "-C", d, "CC=\(graft!) cc"])
        guard r.status == 0 else { throw Failure("make CC=graft cc failed in \(d):\n\(r.stdout)\(r.stderr)") }
        return d + "/ftpd"
    }

    static func freePort() -> Int { 30000 + Int(getpid() % 10000) + Int.random(in: 0..<5000) }

    /// A served directory: hello.txt, a 256 KB big.bin, a world-writable up/.
    static func makeRoot(_ www: String) throws {
        try FileManager.default.createDirectory(atPath: www + "/up", withIntermediateDirectories: true)
        try "hello\n".write(toFile: www + "/hello.txt", atomically: true, encoding: .utf8)
        var rng = SystemRandomNumberGenerator()
        try Data((0..<262_144).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: URL(fileURLWithPath: www + "/big.bin"))
        chmod(www, 0o755)
        chmod(www + "/up", 0o777)
    }

    /// `ftpd --root WWW --port P -w EXTRA…`, its log in LOG, once it answers.
    static func start(_ exe: String, www: String, port: Int, log: String, extra: [String] = []) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["--root", www, "--port", String(port), "-w"] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: log)
        try p.run()
        for _ in 0..<100 {
            if (try? run("/usr/bin/curl", ["-s", "-o", "/dev/null", "ftp://127.0.0.1:\(port)/hello.txt", "--interface", "127.0.0.3"]))?.status == 0 { return p }
            usleep(50_000)
        }
        stop(p)
        throw Failure("ftpd did not start on port \(port)")
    }

    /// SIGKILL (the test runner's children inherit its blocked SIGTERM); the
    /// session children exit when their clients hang up.
    static func stop(_ p: Process) {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    static func curl(_ port: Int, from addr: String, _ args: [String]) throws -> ProcessResult {
        try run("/usr/bin/curl", ["-s", "--max-time", "20", "--interface", addr] + args.map { $0.hasPrefix("ftp:/") ? "ftp://127.0.0.1:\(port)/" + $0.dropFirst(5) : $0 })
    }

    /// What SITE STATS says: the totals, the session counter and one row per client address.
    struct Stats: CustomStringConvertible {
        var version = "", session = 0, totals: [String: Int] = [:], clients: [String: [String: Int]] = [:], raw = ""
        var description: String { raw }
    }

    /// The control-connection dialogue of a curl run that only logs in and sends the quote commands.
    static func quote(_ port: Int, from addr: String, _ commands: String...) throws -> String {
        let r = try curl(port, from: addr, ["-D", "-", "-I", "ftp:/"] + commands.flatMap { ["-Q", $0] })
        guard r.status == 0 else { throw Failure("curl -Q \(commands) from \(addr): exit \(r.status) \(r.stdout)\(r.stderr)") }
        return r.stdout.replacingOccurrences(of: "\r", with: "")
    }

    static func stats(_ port: Int, from addr: String) throws -> Stats {
        var s = Stats()
        s.raw = try quote(port, from: addr, "SITE STATS")
        func pairs(_ words: ArraySlice<Substring>) -> [String: Int] {
            var d: [String: Int] = [:]
            var w = words.makeIterator()
            while let k = w.next(), let v = w.next() { d[String(k)] = Int(v) }
            return d
        }
        for line in s.raw.split(separator: "\n") {
            let w = line.split(separator: " ")
            if line.hasPrefix("211-ftpd "), w.count >= 5 { s.version = String(w[1]); s.session = Int(w.last!) ?? -1 }
            if line.hasPrefix(" connections ") { s.totals = pairs(w[...]) }
            if line.hasPrefix(" client "), w.count > 2 { s.clients[String(w[1])] = pairs(w[2...]) }
        }
        return s
    }

    /// One load worker: curl downloads big.bin and uploads its own payload in
    /// a loop from ADDR, comparing every byte, until STOP exists; then prints
    /// "ok CONNECTIONS DOWNLOADS UPLOADS BYTES_DOWN BYTES_UP", or the first error.
    static let worker = """
    #!/bin/bash
    port=$1 addr=$2 www=$3 stop=$4 id=$5 tmp=$6
    head -c $((100000 + id * 7919)) /dev/urandom > $tmp/payload$id
    psize=$(stat -c %s $tmp/payload$id); size=$(stat -c %s $www/big.bin)
    conns=0 down=0 up=0 bd=0 bu=0 n=0
    while [ ! -e $stop ] && [ $n -lt 5000 ]; do
        conns=$((conns + 1))
        curl -s --max-time 20 --interface $addr -o $tmp/got$id ftp://127.0.0.1:$port/big.bin || { echo "error download $n: curl exit $?"; exit 1; }
        cmp -s $tmp/got$id $www/big.bin || { echo "error download $n: bytes differ"; exit 1; }
        down=$((down + 1)); bd=$((bd + size))
        conns=$((conns + 1))
        name=up/w$id-$((n % 3)).bin
        curl -s --max-time 20 --interface $addr -T $tmp/payload$id ftp://127.0.0.1:$port/$name || { echo "error upload $n: curl exit $?"; exit 1; }
        cmp -s $tmp/payload$id $www/$name || { echo "error upload $n: bytes differ"; exit 1; }
        up=$((up + 1)); bu=$((bu + psize)); n=$((n + 1))
    done
    echo "ok $conns $down $up $bd $bu"
    """

    /// Load workers from 127.0.0.1x, running until `finish()`.
    final class Load {
        let procs: [(Process, Pipe, String)]
        let stopFile: String
        init(port: Int, www: String, dir: String, workers: Int) throws {
            let stop = dir + "/stop-\(UUID().uuidString)"
            stopFile = stop
            try FtpdChainTests.worker.write(toFile: dir + "/worker.sh", atomically: true, encoding: .utf8)
            procs = try (0..<workers).map { i in
                let p = Process(), out = Pipe(), addr = "127.0.0.\(11 + i)"
                p.executableURL = URL(fileURLWithPath: "/bin/bash")
                p.arguments = [dir + "/worker.sh", String(port), addr, www, stop, String(i), dir]
                p.standardOutput = out
                try p.run()
                return (p, out, addr)
            }
        }
        /// Each worker's address and its counts: connections, downloads, uploads, bytes down, bytes up.
        func finish() -> [String: [Int]] {
            FileManager.default.createFile(atPath: stopFile, contents: nil)
            var out: [String: [Int]] = [:]
            for (p, pipe, addr) in procs {
                let said = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                let w = said.split(whereSeparator: \.isWhitespace)
                #expect(p.terminationStatus == 0 && w.first == "ok", "load worker \(addr): \(said)")
                out[addr] = w.dropFirst().compactMap { Int($0) }
            }
            return out
        }
    }

    /// The probe address's own activity since the server started: downloads of hello.txt and SITE STATS runs.
    struct Probe { var downloads = 0, statsRuns = 0 }
    static let probe = "127.0.0.2"

    /// Downloads hello.txt from the probe address, then checks SITE STATS:
    /// the probe's row exact, the version, the session counter = connections.
    static func probeAndCheck(_ port: Int, _ p: inout Probe, version: String, _ what: String) throws -> Stats {
        let got = try curl(port, from: probe, ["ftp:/hello.txt"])
        #expect(got.status == 0 && got.stdout == "hello\n", "\(what): probe download: \(got.status) \(got.stdout)")
        p.downloads += 1
        let s = try stats(port, from: probe)
        p.statsRuns += 1
        #expect(s.version == version, "\(what): \(s)")
        let row = s.clients[probe] ?? [:]
        // This SITE STATS connection is counted (at accept, before the fork); its login is reported after.
        #expect(row["connections"] == p.downloads + p.statsRuns && row["logins"] == p.downloads + p.statsRuns - 1
                && row["downloads"] == p.downloads && row["uploads"] == 0 && row["bytes_down"] == 6 * p.downloads, "\(what): probe row \(row)\n\(s)")
        #expect(s.session == s.totals["connections"], "\(what): session counter (a static local of the parent) \(s.session) vs connections \(s.totals["connections"] ?? -1)")
        return s
    }

    /// After the load stopped: every worker's row exactly what it did, and the totals the sum of the rows.
    static func checkAll(_ port: Int, _ p: inout Probe, load: [String: [Int]], startup: Int, version: String, _ what: String) throws {
        let s = try probeAndCheck(port, &p, version: version, what)
        for (addr, c) in load {
            let row = s.clients[addr] ?? [:]
            #expect(c.count == 5 && row["connections"] == c[0] && row["logins"] == c[0] && row["downloads"] == c[1] && row["uploads"] == c[2]
                    && row["bytes_down"] == c[3] && row["bytes_up"] == c[4], "\(what): \(addr) did \(c), the parent says \(row)")
            #expect(c.count == 5 && c[1] > 0 && c[2] > 0, "\(what): \(addr) made no transfer while the updates ran: \(c)")
        }
        // 127.0.0.3 is start()'s readiness download (one per start).
        let start = s.clients["127.0.0.3"] ?? [:]
        #expect(start["downloads"] == startup && start["connections"] == startup, "\(what): \(start)")
        let rows = s.clients.values
        #expect(s.totals["connections"] == rows.reduce(0) { $0 + ($1["connections"] ?? 0) } && s.totals["clients"] == rows.count
                && s.totals["transfers"] == rows.reduce(0) { $0 + ($1["downloads"] ?? 0) + ($1["uploads"] ?? 0) }
                && s.totals["bytes"] == rows.reduce(0) { $0 + ($1["bytes_down"] ?? 0) + ($1["bytes_up"] ?? 0) }, "\(what): totals vs rows\n\(s)")
    }

    /// `graft apply`, its pause printed for bench/RESULTS.md.
    static func apply(_ pid: Int32, _ patch: String) throws -> ProcessResult {
        let r = try run(graft!, ["apply", "--pid", String(pid), patch, "--timeout", "20"])
        if let pause = r.stdout.range(of: "pause [0-9]+ µs", options: .regularExpression) {
            print("ftpd chain: \((patch as NSString).lastPathComponent) \(r.stdout[pause])")
        }
        return r
    }

    @Test("ftpd v1 → v6 under curl load: every release applied live to one process, every counter of the parent kept")
    func releaseChain() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        let t0 = Date()
        let dir = tempDir(), www = dir + "/www"
        try Self.makeRoot(www)
        let exe = try (1...6).map { try Self.build($0, in: dir) }
        var patch: [Int: ProcessResult] = [:]
        for k in 2...6 {
            patch[k] = try run(graft, ["patch", "--from", exe[k - 2], "--to", exe[k - 1], "-o", dir + "/p\(k).patch"])
            // graft check before deploying (DEPLOY-6): the same verdict, derived again; its SARIF valid.
            if patch[k]!.status == 0 { try CheckTests.expectAdmitted(program: exe[k - 2], patch: dir + "/p\(k).patch") }
        }
        // v1 → v2: struct session (main's by-value local) gains restart_pos at its end: an extension (UPD-2).
        #expect(patch[2]!.status == 0 && patch[2]!.stdout.contains("struct session: field restart_pos added — default transformer; the old layout is a prefix of the new (UPD-2)")
                && patch[2]!.stdout.contains("update point 1 (standalone_loop, standalone.c:78:9): admissible"), "p2: \(patch[2]!.stdout)\(patch[2]!.stderr)")
        // v2 → v3: the per-client table's globals change type (64 → 1024 buckets, int → unsigned long); v3's
        // transformers.c rehashes the running table (named GRAFT_OLD(client_table), TRANS-6) into the new one.
        #expect(patch[3]!.status == 0 && patch[3]!.stdout.contains("2 global(s) redefined: clients.c:client_table, clients.c:client_count; state transformer graft_state_transform")
                && patch[3]!.stdout.contains("update point 1 (standalone_loop, standalone.c:78:9): admissible"), "p3: \(patch[3]!.stdout)\(patch[3]!.stderr)")
        // v3 → v4: config.c's settings tables take &cfg.port etc. in static initializers: struct config stays
        // wrapped (ALIAS-7) and gains banner; the patch sets the tables' addresses when it is committed. struct
        // session's peer_addr widens (16 → 46) with v4's transformers.c; main's by-value sess is converted in the
        // code after standalone_loop, which a child runs as NEW's (UPD-8); a session already running keeps v3 (point 2 blocked).
        #expect(patch[4]!.status == 0 && patch[4]!.stdout.contains("struct config: field banner added")
                && patch[4]!.stdout.contains("struct session: field peer_addr retyped — default transformer, then graft_transform_session")
                && patch[4]!.stdout.contains("update point 1 (standalone_loop, standalone.c:78:9): admissible"), "p4: \(patch[4]!.stdout)\(patch[4]!.stderr)")
        // v4 → v5: log_msg gains a level: admissible in the parent's loop, not in a session (UPD-1).
        #expect(patch[5]!.status == 0 && patch[5]!.stdout.contains("update point 1 (standalone_loop, standalone.c:78:9): admissible")
                && patch[5]!.stdout.contains("blocked: UPD-1: the signature of 'log_msg' changed"), "p5: \(patch[5]!.stdout)\(patch[5]!.stderr)")
        // v5 → v6: struct client_stats gains a field; default transformer.
        #expect(patch[6]!.status == 0 && patch[6]!.stdout.contains("struct client_stats: field denied added — default transformer"), "p6: \(patch[6]!.stdout)\(patch[6]!.stderr)")

        let port = Self.freePort()
        var probe = Probe()
        // ---- v1, then v2 … v6 live, under load throughout ----------------------------
        let server = try Self.start(exe[0], www: www, port: port, log: dir + "/log1")
        defer { Self.stop(server) }
        _ = try Self.probeAndCheck(port, &probe, version: "1.0", "v1")
        let load = try Load(port: port, www: www, dir: dir, workers: 3)
        usleep(1_500_000)
        let a2 = try Self.apply(server.processIdentifier, dir + "/p2.patch")
        #expect(a2.status == 0 && a2.stdout.contains("applied: ftpd now runs version"), "apply p2: \(a2.stdout)\(a2.stderr)")
        usleep(1_000_000)
        _ = try Self.probeAndCheck(port, &probe, version: "1.1", "v2 under load")
        let feat = try Self.quote(port, from: "127.0.0.4", "FEAT")
        #expect(feat.contains(" MDTM\n") && feat.contains(" REST STREAM\n"), "FEAT: \(feat)")
        let rest = try Self.curl(port, from: "127.0.0.4", ["-C", "2", "ftp:/hello.txt"])
        #expect(rest.status == 0 && rest.stdout == "llo\n", "REST: \(rest.status) \(rest.stdout)")
        let mdtm = try Self.quote(port, from: "127.0.0.4", "MDTM hello.txt")
        #expect(mdtm.range(of: "\n213 20[0-9]{12}\n", options: .regularExpression) != nil, "MDTM: \(mdtm)")
        let a3 = try Self.apply(server.processIdentifier, dir + "/p3.patch")
        #expect(a3.status == 0 && a3.stdout.contains("applied: ftpd now runs version"), "apply p3: \(a3.stdout)\(a3.stderr)")
        usleep(1_000_000)
        _ = try Self.probeAndCheck(port, &probe, version: "1.2", "v3 under load")
        let a4 = try Self.apply(server.processIdentifier, dir + "/p4.patch")
        #expect(a4.status == 0 && a4.stdout.contains("at update point 1)"), "apply p4: \(a4.stdout)\(a4.stderr)")
        usleep(1_000_000)
        _ = try Self.probeAndCheck(port, &probe, version: "1.3", "v4 under load")
        let banner = try Self.curl(port, from: "127.0.0.4", ["-v", "ftp:/hello.txt", "-o", "/dev/null"])
        #expect(banner.stderr.contains("< 220 ftpd 1.3 ready."), "the new field banner is NULL: the default greeting: \(banner.stderr)")
        // The settings tables read the running cfg (started with -w, max_clients the default).
        let settings = try Self.quote(port, from: "127.0.0.4", "SITE CONFIG")
        #expect(settings.contains(" max_clients=64\n") && settings.contains(" anon_upload_enable=1\n") && settings.contains(" listen_port=\(port)\n"), "SITE CONFIG: \(settings)")
        // A session started after the update has the wide peer_addr, filled by the code after standalone_loop.
        let pwd = try Self.quote(port, from: "127.0.0.5", "PWD")
        #expect(pwd.contains("257 \"/\""), "PWD: \(pwd)")
        let log4 = try String(contentsOfFile: dir + "/log1", encoding: .utf8)
        #expect(log4.contains("logged in from 127.0.0.5"), "v4's session logs its peer: \(log4.suffix(400))")
        let a5 = try Self.apply(server.processIdentifier, dir + "/p5.patch")
        #expect(a5.status == 0 && a5.stdout.contains("at update point 1)"), "apply p5: \(a5.stdout)\(a5.stderr)")
        usleep(1_000_000)
        _ = try Self.probeAndCheck(port, &probe, version: "1.4", "v5 under load")
        let log = try String(contentsOfFile: dir + "/log1", encoding: .utf8)
        #expect(log.contains("] info: session "), "v5's log lines carry a level: \(log.suffix(500))")
        let withLevel = try Self.quote(port, from: "127.0.0.4", "SITE CONFIG")
        #expect(withLevel.contains(" log_level=2\n"), "\(withLevel)")
        let a6 = try Self.apply(server.processIdentifier, dir + "/p6.patch")
        #expect(a6.status == 0, "apply p6: \(a6.stdout)\(a6.stderr)")
        usleep(1_000_000)
        let s6 = try Self.probeAndCheck(port, &probe, version: "1.5", "v6 under load")
        #expect(s6.clients.values.allSatisfy { $0["denied"] == 0 }, "every converted row has the new field, zeroed: \(s6)")
        let limits = try Self.quote(port, from: "127.0.0.4", "SITE CONFIG")
        #expect(limits.contains(" max_upload_bytes=0\n"), "\(limits)")
        try Self.checkAll(port, &probe, load: load.finish(), startup: 1, version: "1.5", "v6, load stopped")

        let status = try run(graft, ["status", "--pid", String(server.processIdentifier), "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect((json?["updates"] as? [[String: Any]])?.count == 5, "status: \(status.stdout)")
        print("ftpd chain: \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
    }

    @Test("ftpd started as root with -u nobody: the parent drops to nobody after binding, serves and takes a patch from root")
    func privilegeDrop() throws {
        guard let graft = Self.graft else { Issue.record("build graft first"); return }
        guard getuid() == 0 else { return }   // only root can drop
        let dir = tempDir(), www = dir + "/www"
        chmod(dir, 0o755)
        try Self.makeRoot(www)
        let v1 = try Self.build(1, in: dir), v2 = try Self.build(2, in: dir)
        #expect(try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p2.patch"]).status == 0)
        let port = Self.freePort()
        let server = try Self.start(v1, www: www, port: port, log: dir + "/log", extra: ["-u", "nobody"])
        defer { Self.stop(server) }
        let uids = try String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("Uid:") }.map { $0.split(whereSeparator: \.isWhitespace).dropFirst().map(String.init) }
        #expect(uids == ["65534", "65534", "65534", "65534"], "\(uids ?? [])")
        let up = try Self.curl(port, from: "127.0.0.4", ["-T", www + "/big.bin", "ftp:/up/asnobody.bin"])
        #expect(up.status == 0)
        var st = stat()
        #expect(stat(www + "/up/asnobody.bin", &st) == 0 && st.st_uid == 65534, "uploaded as nobody")
        let applied = try Self.apply(server.processIdentifier, dir + "/p2.patch")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let feat = try Self.quote(port, from: "127.0.0.4", "FEAT")
        #expect(feat.contains(" MDTM\n"), "\(feat)")
    }
}
