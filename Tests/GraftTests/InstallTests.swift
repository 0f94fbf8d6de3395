// `make install` (README: Installing): graft installed into a scratch
// prefix, away from the source tree and with GRAFT_RUNTIME_DIR and
// GRAFT_SPECS_DIR unset, builds kvstore with `make CC="graft cc"`, and the
// program it built serves; graft.h is in PREFIX/include for plain cc, the
// man pages in PREFIX/share/man/man1; `make uninstall` removes it all.

import Foundation
import Testing

@Suite("make install: graft from a prefix", .serialized,
       .enabled(if: LiveUpdateTests.graft != nil, "the graft executable is not built"))
struct InstallTests {
    /// Runs `exe` with this process's environment minus `unset`, plus `set`.
    static func runWithout(_ unset: [String], _ exe: String, _ args: [String], cwd: String? = nil,
                           set: [String: String] = [:]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        for k in unset { env.removeValue(forKey: k) }
        env.merge(set) { _, new in new }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = env
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// The variables that would point graft at the source tree.
    static let lookup = ["GRAFT_RUNTIME_DIR", "GRAFT_SPECS_DIR"]

    /// `make TARGET PREFIX=prefix DESTDIR= GRAFT_BIN=<the tests' graft> MAN_BUILD=man` in the source tree.
    static func make(_ target: String, prefix: String, man: String) throws -> ProcessResult {
        try run("/usr/bin/make", ["-s", "-C", LiveUpdateTests.repo, target, "DESTDIR=", "PREFIX=" + prefix,
                                  "GRAFT_BIN=" + LiveUpdateTests.graft!, "MAN_BUILD=" + man])
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test("make install into a scratch prefix: the installed graft builds kvstore v1 from a copy of its sources, and it serves; graft.h and the man pages are installed; make uninstall removes them")
    func installBuildServeUninstall() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = dir + "/prefix", graft = prefix + "/bin/graft"
        let installed = try Self.make("install", prefix: prefix, man: dir + "/man")
        try #require(installed.status == 0, "make install: \(installed.stdout)\(installed.stderr)")
        for f in ["bin/graft", "include/graft.h", "share/graft/runtime/include/graft.h", "share/graft/runtime/include/graft_runtime.h",
                  "share/graft/runtime/runtime.c", "share/graft/specs/patch.md", "share/graft/specs/deploy.md"] {
            #expect(Self.exists(prefix + "/" + f), "not installed: \(f)")
        }
        // The man pages, unless the plugin's tool was never built here (make says so).
        let manSkipped = installed.stdout.contains("man: no man pages")
        if manSkipped { print("InstallTests: \(installed.stdout.trimmingCharacters(in: .whitespacesAndNewlines))") }
        else {
            for page in ["graft.1", "graft.apply.1", "graft.cc.1", "graft.patch.1"] {
                #expect(Self.exists(prefix + "/share/man/man1/" + page), "no man page \(page)")
            }
            let roff = (try? String(contentsOfFile: prefix + "/share/man/man1/graft.apply.1", encoding: .utf8)) ?? ""
            #expect(roff.contains(".Nm \"graft apply\"") && roff.contains("Fl -json"), "\(roff.prefix(400))")
        }

        // Plain cc finds graft.h in PREFIX/include; graft_update_point() is a no-op there.
        try "#include <graft.h>\nint main(void) { graft_update_point(); return 0; }\n".write(toFile: dir + "/plain.c", atomically: true, encoding: .utf8)
        let plain = try run("/usr/bin/cc", ["-I" + prefix + "/include", dir + "/plain.c", "-o", dir + "/plain"])
        #expect(plain.status == 0, "\(plain.stderr)")

        // The installed graft, outside the source tree, with the lookup variables unset.
        let src = dir + "/kvstore"
        try FileManager.default.copyItem(atPath: LiveUpdateTests.repo + "/examples/kvstore/v1", toPath: src)
        let built = try Self.runWithout(Self.lookup, "/usr/bin/make", ["-s", "-C", src, "CC=\(graft) cc"])
        try #require(built.status == 0, "make CC=\"\(graft) cc\": \(built.stdout)\(built.stderr)")
        let manifest = try Self.runWithout(Self.lookup, graft, ["manifest", src + "/kvstore"])
        #expect(manifest.status == 0 && manifest.stdout.contains("main.c:event_loop"), "\(manifest.stdout.prefix(500))\(manifest.stderr)")
        // Its rules, from PREFIX/share/graft/specs.
        let explained = try Self.runWithout(Self.lookup, graft, ["explain", "DEPLOY-6"])
        #expect(explained.status == 0 && explained.stdout.hasPrefix("DEPLOY-6 A patch carries its verdict"), "\(explained.stdout.prefix(300))\(explained.stderr)")
        let port = LiveUpdateTests.freePort()
        let server = try LiveUpdateTests.start(src + "/kvstore", port: port)
        defer { LiveUpdateTests.stop(server) }
        #expect(try LiveUpdateTests.redis(port, "SET", "installed", "yes") == "OK")
        #expect(try LiveUpdateTests.redis(port, "GET", "installed") == "yes")
        let status = try Self.runWithout(Self.lookup, graft, ["status", "--pid", String(server.processIdentifier)])
        #expect(status.status == 0 && status.stdout.contains("updates       none"), "\(status.stdout)\(status.stderr)")

        // The same binary alone in a folder with no share/graft beside it finds no runtime:
        // the build above used PREFIX/share/graft, not the source tree.
        try FileManager.default.createDirectory(atPath: dir + "/alone/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: graft, toPath: dir + "/alone/bin/graft")
        try "int main(void) { return 0; }\n".write(toFile: dir + "/alone.c", atomically: true, encoding: .utf8)
        let alone = try Self.runWithout(Self.lookup, dir + "/alone/bin/graft", ["build", "-o", dir + "/alone/prog", dir + "/alone.c"])
        #expect(alone.status != 0 && alone.stderr.contains("cannot find graft's runtime sources"), "\(alone.stderr)")

        let removed = try Self.make("uninstall", prefix: prefix, man: dir + "/man")
        #expect(removed.status == 0, "make uninstall: \(removed.stderr)")
        let left = FileManager.default.enumerator(atPath: prefix)?.compactMap { $0 as? String }
            .filter { !Self.isDirectory(prefix + "/" + $0) } ?? []
        #expect(left.isEmpty, "left after make uninstall: \(left)")
    }

    static func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }
}
