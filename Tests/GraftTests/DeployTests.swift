// Deploying patches (Specs/deploy.md): what a running program accepts as a
// patch, checked against real builds, real patch files and a real process.
// Every refusal leaves the process running v1, and a good patch still
// applies after it.

import Foundation
import Testing

@Suite("Deploy: signed patches, trusted keys, the patch file (DEPLOY-*)", .serialized,
       .enabled(if: LiveUpdateTests.graft != nil, "the graft executable is not built"))
struct DeployTests {
    static let v1 = """
        #include <stdio.h>
        #include <unistd.h>
        #include "graft.h"
        static int word(void) { return 1; }
        int main(void) {
            setvbuf(stdout, 0, _IOLBF, 0);
            for (int i = 0; i < 600; i++) { graft_update_point(); printf("%d\\n", word()); usleep(20000); }
            return 0;
        }
        """

    /// A folder with v1/prog and v2/prog built with `env` added to the environment of the builds.
    struct Builds {
        let dir: String
        func path(_ name: String) -> String { dir + "/" + name }
    }

    static func graft(_ args: [String], in dir: String, env: [String: String] = [:]) throws -> ProcessResult {
        try run(LiveUpdateTests.graft!, args, cwd: dir, env: env)
    }

    static func builds(env: [String: String] = [:]) throws -> Builds {
        let d = tempDir()
        for (v, source) in [("v1", v1), ("v2", v1.replacingOccurrences(of: "return 1;", with: "return 2;"))] {
            try FileManager.default.createDirectory(atPath: d + "/" + v, withIntermediateDirectories: true)
            try source.write(toFile: d + "/\(v)/prog.c", atomically: true, encoding: .utf8)
            let r = try graft(["build", "-o", "\(v)/prog", "\(v)/prog.c"], in: d, env: env)
            guard r.status == 0 else { throw LiveUpdateTests.Failure("graft build \(v): \(r.stderr)") }
        }
        return Builds(dir: d)
    }

    /// `graft patch` v1 → v2 into `name`, signed as `env` says (the run's key by default).
    static func patch(_ b: Builds, _ name: String, env: [String: String] = [:]) throws -> String {
        let r = try graft(["patch", "--from", "v1/prog", "--to", "v2/prog", "-o", name], in: b.dir, env: env)
        guard r.status == 0 else { throw LiveUpdateTests.Failure("graft patch: \(r.stdout)\(r.stderr)") }
        return b.path(name)
    }

    /// Runs v1 and hands it to `body`; then checks that it printed only 1s before the last apply that
    /// succeeded and only 2s after (or only 1s when none did).
    static func withProgram(_ b: Builds, _ body: (Int32) throws -> Void) throws {
        let (p, out) = try LiveUpdateTests.launch(b.path("v1/prog"))
        defer { LiveUpdateTests.stop(p) }
        usleep(300_000)
        try body(p.processIdentifier)
        usleep(200_000)
        LiveUpdateTests.stop(p)
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "1", "\(lines.prefix(3))")
        #expect(lines.drop { $0 == "1" }.allSatisfy { $0 == "2" }, "v1 and v2 interleaved: \(lines)")
    }

    static func apply(_ pid: Int32, _ patch: String) throws -> ProcessResult {
        try run(LiveUpdateTests.graft!, ["apply", "--pid", String(pid), patch, "--timeout", "5"])
    }

    static func expectRefused(_ r: ProcessResult, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 1, "applied: \(r.stdout)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(text), "\(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test("DEPLOY-1/2: a default build refuses an unsigned patch and one signed by a key it does not trust, and applies one signed by the key it was built with")
    func signatures() throws {
        let b = try Self.builds()
        let unsigned = try Self.patch(b, "unsigned.patch", env: ["GRAFT_SIGNING_KEY": ""])
        #expect(try Self.graft(["keygen", "-o", "other"], in: b.dir).status == 0)
        let other = try Self.patch(b, "other.patch", env: ["GRAFT_SIGNING_KEY": b.path("other")])
        let signed = try Self.patch(b, "signed.patch")
        let inspect = try Self.graft(["inspect", signed], in: b.dir)
        #expect(inspect.stdout.contains("seal ok; signed by key "), "\(inspect.stdout)")
        #expect(try Self.graft(["inspect", unsigned], in: b.dir).stdout.contains("seal ok; unsigned"))
        try Self.withProgram(b) { pid in
            Self.expectRefused(try Self.apply(pid, unsigned), "the patch is not signed, and this program accepts only patches signed by a key it trusts")
            Self.expectRefused(try Self.apply(pid, unsigned), "[DEPLOY-1]")
            Self.expectRefused(try Self.apply(pid, other), "which this program does not trust")
            Self.expectRefused(try Self.apply(pid, other), "[DEPLOY-2]")
            // `graft sign` with the trusted key makes the unsigned patch acceptable.
            #expect(try Self.graft(["sign", "--key", ProcessInfo.processInfo.environment["GRAFT_SIGNING_KEY"]!, unsigned, "-o", "resigned.patch"], in: b.dir).status == 0)
            let status = try Self.graft(["status", "--pid", String(pid)], in: b.dir)
            #expect(status.stdout.contains("trusted keys  1 built in") && !status.stdout.contains("UNSIGNED"), "\(status.stdout)")
            let ok = try Self.apply(pid, b.path("resigned.patch"))
            #expect(ok.status == 0, "\(ok.stderr)")
            // DEPLOY-4: the same patch again names both versions, before anything is loaded.
            Self.expectRefused(try Self.apply(pid, signed), "wrong base version: the patch updates version ")
        }
    }

    @Test("DEPLOY-1: a patch altered after it was signed, then resealed, is refused: the signature does not verify")
    func alteredAfterSigning() throws {
        let b = try Self.builds()
        let signed = try Self.patch(b, "signed.patch")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: signed)))
        bytes[bytes.count / 3] ^= 0x01
        // Reseal: the SHA-256 of everything before the last 40 bytes, as anyone could compute it.
        let body = b.path("body")
        try Data(bytes.prefix(bytes.count - 40)).write(to: URL(fileURLWithPath: body))
        let sum = try run("/usr/bin/sha256sum", [body]).stdout.prefix(64)
        let digest = stride(from: 0, to: 64, by: 2).map { UInt8(sum.dropFirst($0).prefix(2), radix: 16)! }
        try Data(bytes.prefix(bytes.count - 40) + digest + Array("GRAFTPT2".utf8)).write(to: URL(fileURLWithPath: b.path("altered.patch")))
        let inspect = try Self.graft(["inspect", "altered.patch"], in: b.dir)
        #expect(inspect.status == 1 && inspect.stderr.contains("the signature does not verify"), "\(inspect.stderr)")
        try Self.withProgram(b) { pid in
            Self.expectRefused(try Self.apply(pid, b.path("altered.patch")), "the patch's signature does not verify: the patch was altered after it was signed [DEPLOY-1]")
            #expect(try Self.apply(pid, signed).status == 0)
        }
    }

    @Test("DEPLOY-1: a build linked with GRAFT_ACCEPT_UNSIGNED=1 takes an unsigned patch, and graft status warns about it")
    func developmentBuild() throws {
        let b = try Self.builds(env: ["GRAFT_ACCEPT_UNSIGNED": "1", "GRAFT_TRUST_KEYS": ""])
        let unsigned = try Self.patch(b, "unsigned.patch", env: ["GRAFT_SIGNING_KEY": ""])
        try Self.withProgram(b) { pid in
            let status = try Self.graft(["status", "--pid", String(pid)], in: b.dir)
            #expect(status.stdout.contains("WARNING       accepts UNSIGNED patches"), "\(status.stdout)")
            let json = try Self.graft(["status", "--pid", String(pid), "--json"], in: b.dir)
            #expect(json.stdout.contains("\"accepts_unsigned\":true"), "\(json.stdout)")
            let r = try Self.apply(pid, unsigned)
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    @Test("DEPLOY-2: a key listed in /etc/graft/trusted-keys is trusted while that file and folder are root's alone",
          .enabled(if: getuid() == 0, "needs root to write /etc/graft"))
    func trustedKeysFile() throws {
        let b = try Self.builds()
        #expect(try Self.graft(["keygen", "-o", "ops"], in: b.dir).status == 0)
        let ops = try Self.patch(b, "ops.patch", env: ["GRAFT_SIGNING_KEY": b.path("ops")])
        let file = "/etc/graft/trusted-keys"
        guard !FileManager.default.fileExists(atPath: file) else { Issue.record("\(file) exists on this machine: not touched"); return }
        try FileManager.default.createDirectory(atPath: "/etc/graft", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: file) }
        try FileManager.default.copyItem(atPath: b.path("ops.pub"), toPath: file)
        try Self.withProgram(b) { pid in
            chmod(file, 0o666)
            Self.expectRefused(try Self.apply(pid, ops), "which this program does not trust")
            chmod(file, 0o644)
            let r = try Self.apply(pid, ops)
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    @Test("DEPLOY-3: a FIFO, a world-writable file, a file in a group-writable folder and another user's file are refused without blocking; a good patch applies after them")
    func theFile() throws {
        let b = try Self.builds()
        let signed = try Self.patch(b, "signed.patch")
        let fifo = b.path("fifo.patch")
        #expect(mkfifo(fifo, 0o600) == 0)
        let open = b.path("open.patch")
        try FileManager.default.copyItem(atPath: signed, toPath: open)
        chmod(open, 0o666)
        try FileManager.default.createDirectory(atPath: b.path("shared"), withIntermediateDirectories: true)
        chmod(b.path("shared"), 0o775)
        try FileManager.default.copyItem(atPath: signed, toPath: b.path("shared/in.patch"))
        try Self.withProgram(b) { pid in
            let start = Date()
            let r = try Self.apply(pid, fifo)
            #expect(r.status != 0 && r.stderr.contains("is not a regular file"), "\(r.stderr)")
            #expect(Date().timeIntervalSince(start) < 3, "graft apply blocked on a FIFO")
            Self.expectRefused(try Self.apply(pid, open), "is writable by everyone")
            Self.expectRefused(try Self.apply(pid, b.path("shared/in.patch")), "is writable by its group")
            if getuid() == 0 {
                let theirs = b.path("theirs.patch")
                try FileManager.default.copyItem(atPath: signed, toPath: theirs)
                chown(theirs, 65534, 65534)
                Self.expectRefused(try Self.apply(pid, theirs), "is owned by uid 65534, neither root nor this process's user")
            }
            let ok = try Self.apply(pid, signed)
            #expect(ok.status == 0, "\(ok.stderr)")
        }
    }

    @Test("DEPLOY-5: a shared object with a constructor, sealed and signed with the trusted key, is refused before it is loaded: its constructor never runs; graft's own patches have no initializers")
    func nothingRunsAtLoad() throws {
        let b = try Self.builds()
        let signed = try Self.patch(b, "signed.patch")
        let marker = b.path("constructor-ran")
        try """
            #include <stdio.h>
            __attribute__((constructor)) static void evil(void) { FILE *f = fopen("\(marker)", "w"); if (f) fclose(f); }
            """.write(toFile: b.path("evil.c"), atomically: true, encoding: .utf8)
        let cc = try run("/usr/bin/gcc", ["-shared", "-fPIC", b.path("evil.c"), "-o", b.path("evil.so")])
        #expect(cc.status == 0, "\(cc.stderr)")
        // graft's patch: no DT_INIT / DT_FINI and no init or fini array in its dynamic section.
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: signed)))
        let n = (0..<8).reduce(0) { $0 | Int(file[file.count - 56 + $1]) << (8 * $1) }
        try Data(file.prefix(n)).write(to: URL(fileURLWithPath: b.path("signed.so")))
        let own = try run("/usr/bin/readelf", ["-d", b.path("signed.so")]).stdout
        #expect(own.contains("(SONAME)") || own.contains("(NEEDED)") || own.contains("(SYMTAB)"), "\(own)")
        for tag in ["(INIT)", "(FINI)", "(INIT_ARRAY)", "(FINI_ARRAY)", "(PREINIT_ARRAY)"] { #expect(!own.contains(tag), "graft's patch has \(tag): \(own)") }
        try Self.withProgram(b) { pid in
            let status = try Self.graft(["status", "--pid", String(pid), "--json"], in: b.dir).stdout
            let version = try #require(status.firstMatch(of: /"version":"([0-9a-f]+)"/)?.1)
            #expect(try Self.graft(["seal-patch", "evil.so", "-o", "evil.patch", "--base", String(version), "--target", "x"], in: b.dir).status == 0)
            Self.expectRefused(try Self.apply(pid, b.path("evil.patch")), "that graft did not generate, which the loader would run in this process")
            Self.expectRefused(try Self.apply(pid, b.path("evil.patch")), "[DEPLOY-5]")
            #expect(!FileManager.default.fileExists(atPath: marker), "the constructor ran in the process")
            let ok = try Self.apply(pid, signed)
            #expect(ok.status == 0, "\(ok.stderr)")
        }
        let dyn = try run("/usr/bin/readelf", ["-d", b.path("evil.so")]).stdout
        #expect(dyn.contains("(INIT_ARRAY)"), "the test's shared object has no constructor: \(dyn)")
    }
}
