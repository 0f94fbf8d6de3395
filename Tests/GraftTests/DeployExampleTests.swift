// examples/deploy: what carries a signed patch past one machine, run here
// for real against kvstore v1 and a signed v1 → v2 patch: the systemd
// unit's ExecReload command line, exactly as written with $MAINPID
// substituted (and the unit checked by systemd-analyze verify), and
// deploy-patch.sh with its remote runner set to run locally
// (GRAFT_DEPLOY_SSH=local: no sshd). `graft apply --json`'s object is
// parsed and checked each time.

import Foundation
import Testing

@Suite("examples/deploy: systemd ExecReload and deploy-patch.sh with graft apply --json", .serialized,
       .enabled(if: LiveUpdateTests.graft != nil, "the graft executable is not built"))
struct DeployExampleTests {
    static let deploy = LiveUpdateTests.repo + "/examples/deploy"

    /// kvstore v1 and v2 built by graft cc, and the v1 → v2 patch signed with the run's key.
    struct Release { let dir: String; let v1: String; let patch: String }

    static func release() throws -> Release {
        let dir = tempDir()
        let v1 = try LiveUpdateTests.build("v1", in: dir + "/v1")
        let v2 = try LiveUpdateTests.build("v2", in: dir + "/v2")
        let made = try run(LiveUpdateTests.graft!, ["patch", "--from", v1, "--to", v2, "-o", dir + "/v2.patch"])
        guard made.status == 0 else { throw LiveUpdateTests.Failure("graft patch: \(made.stdout)\(made.stderr)") }
        return Release(dir: dir, v1: v1, patch: dir + "/v2.patch")
    }

    /// The value of `key=` in the unit file (the first such line).
    static func unitSetting(_ key: String) throws -> String {
        let unit = try String(contentsOfFile: deploy + "/kvstore.service", encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix(key + "=") })
        return String(line.dropFirst(key.count + 1))
    }

    /// graft apply --json's object.
    static func object(_ text: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// Nothing for a terminal in output read through a pipe.
    static func expectPlain(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!(r.stdout + r.stderr).contains("\u{1B}") && !(r.stdout + r.stderr).contains("\r"), "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }

    /// Runs the unit's ExecReload= as systemd does (no shell), with $MAINPID, graft and the patch's place substituted.
    static func execReload(pid: Int32, patch: String) throws -> ProcessResult {
        let words = try unitSetting("ExecReload").split(separator: " ").map(String.init)
        #expect(words == ["/usr/local/bin/graft", "apply", "--pid", "$MAINPID", "--json", "/var/lib/kvstore/next.patch"], "\(words)")
        let here = words.map { w in
            ["$MAINPID": String(pid), "/usr/local/bin/graft": LiveUpdateTests.graft!, "/var/lib/kvstore/next.patch": patch][w] ?? w
        }
        return try run(here[0], Array(here.dropFirst()))
    }

    @Test("kvstore.service: ExecReload applies next.patch to $MAINPID and prints one JSON object (ok, base, target, versions, pause); again, it is refused with exit 1; systemd-analyze verify accepts the unit")
    func systemdReload() throws {
        let r = try Self.release()
        defer { try? FileManager.default.removeItem(atPath: r.dir) }
        // Where the unit's comment says to put it: mode 600 in a folder of its own.
        let next = r.dir + "/var/lib/kvstore/next.patch"
        try FileManager.default.createDirectory(atPath: r.dir + "/var/lib/kvstore", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: r.patch, toPath: next)
        chmod(next, 0o600)
        let port = LiveUpdateTests.freePort()
        let server = try LiveUpdateTests.start(r.v1, port: port)
        defer { LiveUpdateTests.stop(server) }
        #expect(try LiveUpdateTests.redis(port, "SET", "kept", "v1") == "OK")

        let reload = try Self.execReload(pid: server.processIdentifier, patch: next)
        Self.expectPlain(reload)
        #expect(reload.status == 0, "\(reload.stdout)\(reload.stderr)")
        let o = try Self.object(Substring(reload.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(o["ok"] as? Bool == true && o["outcome"] as? String == "applied", "\(o)")
        #expect(o["pid"] as? Int == Int(server.processIdentifier))
        #expect(o["version_before"] as? String == o["base"] as? String && o["base"] != nil, "\(o)")
        #expect(o["version_after"] as? String == o["target"] as? String && o["target"] != nil, "\(o)")
        #expect(o["pause_us"] is Int && o["point"] is Int, "\(o)")
        #expect(try LiveUpdateTests.redis(port, "GET", "kept") == "v1")
        #expect(try LiveUpdateTests.redis(port, "EXPIRE", "kept", "100") == "1")   // v2's command

        // The same patch again: refused before anything is loaded (DEPLOY-4), exit 1, still one object.
        let again = try Self.execReload(pid: server.processIdentifier, patch: next)
        Self.expectPlain(again)
        #expect(again.status == 1, "\(again.stdout)")
        let refused = try Self.object(Substring(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(refused["ok"] as? Bool == false && refused["outcome"] as? String == "rejected", "\(refused)")
        #expect((refused["reason"] as? String)?.contains("wrong base version") == true, "\(refused)")
        #expect(again.stderr.contains("rejected: "), "\(again.stderr)")

        // A process that is not there: exit 1, outcome error.
        let gone = try run(LiveUpdateTests.graft!, ["apply", "--pid", "999999999", "--json", next])
        let error = try Self.object(Substring(gone.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(gone.status == 1 && error["outcome"] as? String == "error" && error["ok"] as? Bool == false, "\(gone.stdout)")

        // The unit as systemd reads it, with its two programs at paths that exist here.
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else { print("DeployExampleTests: no systemd-analyze; ExecReload checked by the parser only"); return }
        let unit = try String(contentsOfFile: Self.deploy + "/kvstore.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/kvstore", with: r.v1)
            .replacingOccurrences(of: "/usr/local/bin/graft", with: LiveUpdateTests.graft!)
        try FileManager.default.createDirectory(atPath: r.dir + "/units", withIntermediateDirectories: true)
        try unit.write(toFile: r.dir + "/units/kvstore.service", atomically: true, encoding: .utf8)
        let verified = try run(analyze, ["verify", r.dir + "/units/kvstore.service"])
        #expect(verified.status == 0 && !verified.stderr.contains("kvstore.service"), "systemd-analyze verify: \(verified.stdout)\(verified.stderr)")
    }

    @Test("deploy-patch.sh, run locally (GRAFT_DEPLOY_SSH=local): copies the patch, applies it, one line per host with graft apply's JSON; a host at the target already counts as done; stops at the first host where it fails and leaves the rest untouched")
    func deployScript() throws {
        let r = try Self.release()
        defer { try? FileManager.default.removeItem(atPath: r.dir) }
        let port = LiveUpdateTests.freePort()
        let server = try LiveUpdateTests.start(r.v1, port: port)
        defer { LiveUpdateTests.stop(server) }
        // Each "host" names its server's pid in a file of its own ($DEPLOY_HOST on the host).
        try "\(server.processIdentifier)\n".write(toFile: r.dir + "/web1.pid", atomically: true, encoding: .utf8)
        let dest = r.dir + "/remote/var/lib/kvstore/next.patch"
        func deploy(_ hosts: [String]) throws -> (ProcessResult, [[Substring]]) {
            let out = try run("/bin/bash", [Self.deploy + "/deploy-patch.sh", "--dest", dest, "--pid-command", "cat '\(r.dir)'/$DEPLOY_HOST.pid",
                                            "--graft", LiveUpdateTests.graft!, "--timeout", "10"] + hosts + ["--", r.patch],
                              env: ["GRAFT_DEPLOY_SSH": "local"])
            Self.expectPlain(out)
            let lines = out.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            return (out, lines.filter { $0.count == 3 })
        }

        let (ok, rows) = try deploy(["web1"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(rows.count == 1 && rows.first?[0] == "web1" && rows.first?[1] == "applied", "\(ok.stdout)")
        let o = try Self.object(try #require(rows.first?[2]))
        #expect(o["ok"] as? Bool == true && o["version_after"] as? String == o["target"] as? String, "\(o)")
        #expect(ok.stdout.contains("deploy-patch.sh: 1 of 1 hosts run the patch's target"), "\(ok.stdout)")
        #expect(FileManager.default.fileExists(atPath: dest) && !FileManager.default.fileExists(atPath: dest + ".tmp"))
        #expect(try LiveUpdateTests.redis(port, "TTL", "nokey") == "-2")   // v2 serves

        // Again with more hosts: web1 runs the target already (graft apply refuses the patch, the script
        // counts it as done); web2 has no server process; web3 is never touched.
        let (stopped, rows2) = try deploy(["web1", "web2", "web3"])
        #expect(stopped.status == 1, "\(stopped.stdout)")
        #expect(rows2.map { $0[1] } == ["already", "failed", "not attempted"], "\(stopped.stdout)")
        let refused = try Self.object(try #require(rows2.first?[2]))
        #expect(refused["outcome"] as? String == "rejected" && (refused["reason"] as? String)?.contains("wrong base version") == true, "\(refused)")
        #expect(refused["version_before"] as? String == refused["target"] as? String, "\(refused)")
        #expect(rows2.dropFirst().first?[2].contains("no server process on web2") == true, "\(stopped.stdout)")
        #expect(stopped.stdout.contains("deploy-patch.sh: stopped at web2: 1 of 3 hosts run the patch's target"), "\(stopped.stdout)")
        #expect(try run("/bin/bash", [Self.deploy + "/deploy-patch.sh", "web1"]).status == 2)
    }

    @Test("apply-patch.yml is YAML Ansible can read: copy, find the pid, graft apply --json registered and failing on a non-zero exit")
    func ansibleTasks() throws {
        let script = """
            import json, sys, yaml
            print(json.dumps(yaml.safe_load(open(sys.argv[1]))))
            """
        let parsed = try run("/usr/bin/python3", ["-c", script, Self.deploy + "/apply-patch.yml"])
        guard parsed.status == 0 else {
            if parsed.stderr.contains("No module named 'yaml'") { print("DeployExampleTests: no python3-yaml; apply-patch.yml not parsed"); return }
            Issue.record("apply-patch.yml: \(parsed.stderr)"); return
        }
        let tasks = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String: Any]])
        #expect(tasks.first?["ansible.builtin.copy"] != nil, "\(tasks)")
        let apply = try #require(tasks.first { ($0["ansible.builtin.command"] as? String)?.contains("graft apply") == true })
        #expect((apply["ansible.builtin.command"] as? String)?.contains("--json") == true)
        #expect(apply["register"] as? String == "graft_apply" && apply["failed_when"] as? String == "graft_apply.rc != 0", "\(apply)")
    }
}
