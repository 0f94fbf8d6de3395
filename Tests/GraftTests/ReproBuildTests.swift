// The "Building" reproducers of issue 8 (Fixtures/repro/, one folder each,
// listed in its README.md): programs `cc` builds and runs that graft did
// not. Each test runs the real graft binary the way the reproducer does and
// asserts what a C compiler's user expects: the program links and prints
// what the plain `cc` build prints, or a patch between two builds is
// admitted (and applied to the running program where that is the point).

import Foundation
import Testing

@Suite("Reproducers: building", .serialized, .enabled(if: LiveUpdateTests.graft != nil, "the graft executable is not built"))
struct ReproBuildTests {
    static let fixtures = LiveUpdateTests.repo + "/Tests/GraftTests/Fixtures/repro/"

    /// A fresh folder holding a copy of Fixtures/repro/NAME.
    static func copy(_ name: String) throws -> String {
        let dir = tempDir() + "/" + name
        try FileManager.default.copyItem(atPath: fixtures + name, toPath: dir)
        return dir
    }

    /// `graft ARGS` in `cwd`; fails the test (and throws) when it does not exit 0.
    @discardableResult
    static func graft(_ args: [String], in cwd: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let r = try run(LiveUpdateTests.graft!, args, cwd: cwd)
        #expect(r.status == 0, "graft \(args.joined(separator: " ")): \(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
        guard r.status == 0 else { throw LiveUpdateTests.Failure("graft \(args.joined(separator: " ")) failed") }
        return r
    }

    /// `cc ARGS` in `cwd`, which must succeed.
    static func cc(_ args: [String], in cwd: String) throws {
        let r = try run("/usr/bin/gcc", args, cwd: cwd)
        guard r.status == 0 else { throw LiveUpdateTests.Failure("gcc \(args.joined(separator: " ")): \(r.stderr)") }
    }

    /// Runs `exe` to completion.
    static func exec(_ exe: String, in cwd: String) throws -> ProcessResult { try run(exe, [], cwd: cwd) }

    /// The plain `cc` build and the `graft cc` build of the same program end alike.
    static func expectSameRun(_ plain: String, _ grafted: String, in dir: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let p = try exec(dir + "/" + plain, in: dir), g = try exec(dir + "/" + grafted, in: dir)
        #expect(g.status == p.status, "exit \(g.status), cc's build exits \(p.status): \(g.stderr)", sourceLocation: sourceLocation)
        #expect(g.stdout == p.stdout, "printed \(g.stdout.debugDescription), cc's build \(p.stdout.debugDescription)", sourceLocation: sourceLocation)
    }

    // MARK: 1. field-macro

    @Test("LINK-1: a header's struct whose fields one unit renames by macro is one struct; the program links and runs as cc's")
    func fieldMacro() throws {
        let d = try Self.copy("field-macro")
        try Self.cc(["-o", "plain", "lib.c", "main.c"], in: d)
        try Self.graft(["cc", "-c", "lib.c"], in: d)
        try Self.graft(["cc", "-c", "main.c"], in: d)
        try Self.graft(["cc", "-o", "prog", "lib.o", "main.o"], in: d)
        try Self.expectSameRun("plain", "prog", in: d)
        // One record, in either unit order, spelled the same way.
        for order in [["lib.c", "main.c"], ["main.c", "lib.c"]] {
            let ir = try Self.graft(["ir"] + order, in: d).stdout
            let records = ir.split(separator: "\n").filter { $0.hasPrefix("struct buf") }
            #expect(records.count == 1, "\(records)")
            #expect(ir.contains("field OPAQUE_p: char* offset 0"), "\(ir)")
        }
    }

    // MARK: 2. feature-macros

    @Test("LINK-1: fd_set and struct tm seen with and without _GNU_SOURCE are one type: a body-only patch is admitted (no PATCH-2), struct tm * passes between the units")
    func featureMacros() throws {
        let d = try Self.copy("feature-macros")
        for v in ["v1", "v2"] {
            try FileManager.default.createDirectory(atPath: d + "/" + v, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: d + "/a.c", toPath: d + "/\(v)/a.c")
            try FileManager.default.copyItem(atPath: d + "/b-\(v).c", toPath: d + "/\(v)/b.c")
            try Self.graft(["cc", "-std=c99", "-c", "a.c"], in: d + "/" + v)
            try Self.graft(["cc", "-std=c99", "-c", "b.c"], in: d + "/" + v)
            try Self.graft(["cc", "-o", "prog", "a.o", "b.o"], in: d + "/" + v)
        }
        let v1 = try Self.exec(d + "/v1/prog", in: d)
        #expect(v1.status == 0 && v1.stdout.split(separator: "\n").count == 3, "\(v1.stdout)\(v1.stderr)")
        let patch = try run(LiveUpdateTests.graft!, ["patch", "--from", "v1/prog", "--to", "v2/prog", "-o", "p.patch"], cwd: d)
        #expect(patch.status == 0, "\(patch.stdout)\(patch.stderr)")
        #expect(!(patch.stdout + patch.stderr).contains("PATCH-2"), "\(patch.stdout)\(patch.stderr)")
        #expect(patch.stdout.contains("1 changed function(s)"), "\(patch.stdout)")

        try Self.cc(["-std=c99", "-o", "plain", "tm-lib.c", "tm-main.c"], in: d)
        try Self.graft(["cc", "-std=c99", "-c", "tm-lib.c"], in: d)
        try Self.graft(["cc", "-std=c99", "-c", "tm-main.c"], in: d)
        try Self.graft(["cc", "-o", "tm", "tm-lib.o", "tm-main.o"], in: d)
        try Self.expectSameRun("plain", "tm", in: d)
    }
}
