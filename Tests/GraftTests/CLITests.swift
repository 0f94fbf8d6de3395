// The `graft` command line on bad input: a clear one-line message, a
// non-zero exit, never a stack trace. Runs the built binary.

import Foundation
import Testing

/// The `graft` executable built next to this test bundle, else the newest one
/// in this checkout's build directories.
private let graftBinary: URL? = {
    let fm = FileManager.default
    if let p = graftFromEnvironment { return URL(fileURLWithPath: p) }
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("graft")
    if fm.isExecutableFile(atPath: beside.path) { return beside }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dirs = (try? fm.contentsOfDirectory(atPath: root.path))?.filter { $0.hasPrefix(".build") } ?? []
    let found = dirs.flatMap { d in ["debug", "release"].map { root.appendingPathComponent(d).appendingPathComponent($0).appendingPathComponent("graft") } }
        .filter { fm.isExecutableFile(atPath: $0.path) }
    func mtime(_ u: URL) -> Date { ((try? fm.attributesOfItem(atPath: u.path))?[.modificationDate] as? Date) ?? .distantPast }
    return found.max { mtime($0) < mtime($1) }
}()

private struct Run { var status: Int32; var stdout: String; var stderr: String }

private func graft(_ args: [String], in dir: URL? = nil) throws -> Run {
    let p = Process()
    p.executableURL = try #require(graftBinary)
    p.arguments = args
    if let dir { p.currentDirectoryURL = dir }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// A failure a person can read: non-zero, a message, no crash output.
private func expectCleanFailure(_ r: Run, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status != 0, sourceLocation: sourceLocation)
    #expect(r.stderr.contains(text), "stderr was: \(r.stderr)", sourceLocation: sourceLocation)
    for crash in ["Fatal error", "Stack dump", "Backtrace", "Current stack trace", "Segmentation fault"] {
        #expect(!r.stderr.contains(crash), "stderr was: \(r.stderr)", sourceLocation: sourceLocation)
    }
}

private func scratchDirectory() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cli-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

@Suite(.enabled(if: graftBinary != nil, "the graft executable is not built"))
struct CLITests {
    @Test func missingFile() throws {
        expectCleanFailure(try graft(["ir", "nosuch.c"]), mentioning: "graft: error: no such file: nosuch.c")
        expectCleanFailure(try graft(["emit-c", "-pthread", "-Iinc", "-o", "/dev/null", "nosuch.c"]),
                           mentioning: "graft: error: no such file: nosuch.c")
        expectCleanFailure(try graft(["cc", "-O2", "-c", "nosuch.c", "-o", "nosuch.o"]), mentioning: "no such file: nosuch.c")
    }

    @Test func missingObjectAtLink() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        expectCleanFailure(try graft(["cc", "gone.o", "-o", "prog"], in: dir), mentioning: "gone.o")
    }

    @Test func missingCompileCommands() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        expectCleanFailure(try graft(["ir", "-p", dir.path]), mentioning: "no such file: \(dir.path)/compile_commands.json")
    }

    @Test func invalidCompileCommands() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("compile_commands.json")
        try Data("[{\"directory\": \"/tmp\",".utf8).write(to: path)
        expectCleanFailure(try graft(["ir", "-p", dir.path]), mentioning: "\(path.path): not valid JSON")
        try Data("{\"file\": \"a.c\"}".utf8).write(to: path)
        expectCleanFailure(try graft(["ir", "-p", dir.path]), mentioning: "expected a JSON array")
        try Data("[{\"directory\": \"/tmp\", \"file\": \"a.c\"}]".utf8).write(to: path)
        expectCleanFailure(try graft(["emit-c", "-p", dir.path]), mentioning: "entry 1 has neither \"arguments\"")
    }

    @Test func unknownSubcommand() throws {
        expectCleanFailure(try graft(["frobnicate", "x.c"]), mentioning: "unknown subcommand 'frobnicate'")
    }

    @Test func noInput() throws {
        expectCleanFailure(try graft(["ir"]), mentioning: "no input files")
    }

    @Test func versionAndHelp() throws {
        let v = try graft(["--version"])
        #expect(v.status == 0 && v.stdout.hasPrefix("graft "))
        for sub in ["ir", "emit-c", "cc"] {
            let h = try graft([sub, "--help"])
            #expect(h.status == 0 && h.stdout.contains("OVERVIEW:") && h.stdout.contains("graft"), "\(sub) --help: \(h.stdout)")
        }
    }

    @Test("graft build --explain-types says which structs are wrapped and why the others are not [ALIAS-1] [REP-8]")
    func explainTypes() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let v5 = repo.appendingPathComponent("examples/kvstore/v5")
        let files = ["main.c", "resp.c", "db.c", "commands.c"]
        let r = try graft(["build", "--explain-types", "-I."] + files, in: v5)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("kvstore.h:108:8): wrapped"), "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("struct entry (") && $0.hasSuffix(": wrapped") })
        // A flexible array member no longer excludes its struct (REP-8).
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("struct sds_value (") && $0.hasSuffix(": wrapped") }, "\(r.stdout)")
        #expect(r.stdout.contains("representation tags:"))
        expectCleanFailure(try graft(["build", "-I.", "main.c"], in: v5), mentioning: "nothing to do")
    }

    @Test("graft build -p DIR -o OUT builds the units of compile_commands.json into an updatable executable")
    func buildFromCompileCommands() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = try scratchDirectory()
        let files = ["main.c", "resp.c", "db.c", "commands.c"]
        for f in files + ["kvstore.h"] {
            try FileManager.default.copyItem(at: repo.appendingPathComponent("examples/kvstore/v1/" + f), to: dir.appendingPathComponent(f))
        }
        let commands = files.map { ["directory": dir.path, "file": $0, "arguments": ["cc", "-O2", "-c", $0]] as [String: Any] }
        try JSONSerialization.data(withJSONObject: commands).write(to: dir.appendingPathComponent("compile_commands.json"))
        let r = try graft(["build", "-p", ".", "-o", "kv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let m = try graft(["manifest", "kv", "--json"], in: dir)
        let json = try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [String: Any]
        // graft.h was found (as under graft cc): the event loop's update point is there.
        #expect((json?["points"] as? [Any])?.count == 1, "\(m.stdout.prefix(500)) \(m.stderr)")
        #expect((json?["wrapped"] as? [[String: Any]])?.contains { $0["type"] as? String == "struct entry" } == true)
    }
}

/// `graft patch` between two tiny programs, each built with `graft build` in its own folder
/// (DIR/v1/prog, DIR/v2/prog): what it prints when it refuses.
@Suite(.enabled(if: graftBinary != nil, "the graft executable is not built"))
struct PatchRefusalCLITests {
    fileprivate static func patch(_ v1: String, _ v2: String, transformers: String? = nil) throws -> Run {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (v, source) in [("v1", v1), ("v2", v2)] {
            let d = dir.appendingPathComponent(v)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try source.write(to: d.appendingPathComponent("prog.c"), atomically: true, encoding: .utf8)
            let b = try graft(["build", "-o", "prog", "prog.c"], in: d)
            #expect(b.status == 0, "graft build \(v): \(b.stderr)")
        }
        var extra: [String] = []
        if let transformers {
            try transformers.write(to: dir.appendingPathComponent("st.c"), atomically: true, encoding: .utf8)
            extra = ["--transformers", "st.c"]
        }
        return try graft(["patch", "--from", "v1/prog", "--to", "v2/prog", "-o", "p.patch"] + extra, in: dir)
    }

    /// Names the updatable build gives that a refusal must not show.
    static func expectNoInternalNames(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for bad in ["__graft", "#loop", "graft_impl", "graft_slot", "graft_s_", "graft_loop", "graft_ret", "p_limit"] {
            #expect(!text.contains(bad), "\(bad) in: \(text)", sourceLocation: sourceLocation)
        }
    }

    static let work = """
    #include "graft.h"
    struct item { int id; long total; };
    struct item *item_new(void) { static struct item one; return &one; }
    long work(struct item *it, int n) { for (int i = 0; i < n; i++) { it->total += i; graft_update_point(); } return it->total; }
    int main(void) { struct item *it = item_new(); for (;;) { if (work(it, 3) > 100000) return 0; } }
    """

    @Test("blocked at every point by a type in Δ: each point's use with [UPD-2], a checked note on where a point would do, and the refusal tagged [UPD-2], not [UPD-1]")
    func typeInDeltaEverywhere() throws {
        let r = try Self.patch(Self.work, Self.work.replacingOccurrences(of: "int id; long total;", with: "int id; long weight; long total;"))
        expectCleanFailure(r, mentioning: "patch refused: it is admissible at no update point [UPD-2]")
        #expect(!r.stderr.contains("[UPD-1]"), "\(r.stderr)")
        #expect(r.stderr.contains("prog.c:4:83: error: update point 1 in work: struct item is in Δ here: work uses it at prog.c:4 after this point, in its old representation [UPD-2]"), "\(r.stderr)")
        #expect(r.stderr.contains("prog.c:4:83: note: graft_update_point() as the first statement of the loop at prog.c:5 in main would make the patch admissible there (UPD-3)"), "\(r.stderr)")
        Self.expectNoInternalNames(r.stderr)
    }

    static let loop = """
    #include <stdio.h>
    #include "graft.h"
    int main(void) {
      int total = 0, limit = 5;
      for (int i = 0; i < 600; i++) {
        graft_update_point();
        total += i;
        printf("%d\\n", total);
      }
      return limit;
    }
    """

    @Test("a loop body that reads another of main's variables: refused as the loop at prog.c:5 in main, naming 'limit', with what would help [UPD-1]")
    func loopReadsMore() throws {
        let r = try Self.patch(Self.loop, Self.loop.replacingOccurrences(of: "total += i;", with: "total += i; if (total > limit) total = 0;"))
        expectCleanFailure(r, mentioning: "patch refused: it is admissible at no update point [UPD-1]")
        #expect(r.stderr.contains("error: update point 1 in main: the loop at prog.c:5 in main now uses main's variable 'limit', which the running main does not pass to it [UPD-1]"), "\(r.stderr)")
        #expect(r.stderr.contains("note: keeping what the new loop body needs in a global, or in a `static` variable declared in the loop body, would make it admissible"), "\(r.stderr)")
        Self.expectNoInternalNames(r.stderr)
        // The same change with the limit in a static of the body: built, and the summary names the loop.
        let ok = try Self.patch(Self.loop, Self.loop.replacingOccurrences(of: "total += i;", with: "static int cap = 5; total += i; if (total > cap) total = 0;"))
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("1 changed function(s): the loop at prog.c:5 in main"), "\(ok.stdout)")
        Self.expectNoInternalNames(ok.stdout)
    }

    static let counter = """
    #include <stdio.h>
    #include "graft.h"
    static int n_children;
    int main(void) { for (int i = 0; i < 600; i++) { graft_update_point(); n_children++; printf("%d\\n", n_children); } return 0; }
    """

    @Test("a writable global that changes type: widened, carried over; narrowed, refused with the state transformer to write [PATCH-3]; with one, built")
    func stateTransformerNamed() throws {
        let wide = try Self.patch(Self.counter, Self.counter.replacingOccurrences(of: "static int n_children;", with: "static long n_children;"))
        #expect(wide.status == 0, "\(wide.stderr)")
        let base = Self.counter.replacingOccurrences(of: "static int n_children;", with: "static long n_children;")
        let v2 = Self.counter.replacingOccurrences(of: "static int n_children;", with: "static short n_children;")
        let r = try Self.patch(base, v2)
        expectCleanFailure(r, mentioning: "global 'n_children' changed type and is writable")
        #expect(r.stderr.contains("write `void graft_state_transform(void)` in NEW's transformers.c to carry it over [PATCH-3]"), "\(r.stderr)")
        let ok = try Self.patch(base, v2, transformers: "void graft_state_transform(void) { }\n")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("state transformer graft_state_transform"), "\(ok.stdout)")
    }
}
