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

    /// Removes the folder `copy` made.
    static func cleanup(_ dir: String) { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }

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
        defer { Self.cleanup(d) }
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
        defer { Self.cleanup(d) }
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

    // MARK: 5. same-name-statics

    /// Starts `exe` (one number a line, every 100 ms), applies `patch` to it
    /// and returns the numbers it printed until shortly after.
    static func applyLive(_ exe: String, _ patch: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Int] {
        let (prog, out) = try LiveUpdateTests.launch(exe)
        defer { LiveUpdateTests.stop(prog) }
        usleep(500_000)
        let applied = try run(LiveUpdateTests.graft!, ["apply", "--pid", String(prog.processIdentifier), patch, "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)", sourceLocation: sourceLocation)
        usleep(700_000)
        #expect(prog.isRunning, "the program stopped", sourceLocation: sourceLocation)
        LiveUpdateTests.stop(prog)
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
    }

    /// The iteration at which `printed` switches from v1's outputs to v2's
    /// (`model(u)` is what the program prints when updated before iteration u);
    /// nil when no switch after at least one v1 and before at least two v2 lines explains it.
    static func updateIteration(_ printed: [Int], _ model: (Int) -> [Int]) -> Int? {
        guard printed.count >= 4 else { return nil }
        return (1...(printed.count - 2)).first { u in Array(model(u).prefix(printed.count)) == printed }
    }

    @Test("LINK-2: two block-scope statics of one name in a function are two entities: the patch builds (no IR-4), applies, and each keeps its own value")
    func sameNameStaticLocals() throws {
        let d = try Self.copy("same-name-statics")
        defer { Self.cleanup(d) }
        for v in ["v1", "v2"] {
            try FileManager.default.createDirectory(atPath: d + "/statics/" + v, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: d + "/statics-\(v).c", toPath: d + "/statics/\(v)/prog.c")
            try Self.graft(["build", "-o", "prog", "prog.c"], in: d + "/statics/" + v)
        }
        try Self.graft(["patch", "--from", "statics/v1/prog", "--to", "statics/v2/prog", "-o", "p1.patch"], in: d)
        let printed = try Self.applyLive(d + "/statics/v1/prog", d + "/p1.patch")
        // step(i): odd i adds i to the first s_tmp; the second grows by 2 (v1) or 3 (v2) each call.
        func model(_ u: Int) -> [Int] {
            var s1 = 0, s2 = 0
            return (0..<printed.count).map { i in
                var r = 0
                if i & 1 == 1 { s1 += i; r += s1 }
                s2 += i < u ? 2 : 3
                return r + s2
            }
        }
        #expect(Self.updateIteration(printed, model) != nil, "not v1 then v2 with both statics kept: \(printed)")
        // A third s_tmp added before the two: they are told apart by order, so the patch is refused.
        let w = d + "/statics/v3"
        try FileManager.default.createDirectory(atPath: w, withIntermediateDirectories: true)
        let v3 = try String(contentsOfFile: d + "/statics-v1.c", encoding: .utf8)
            .replacingOccurrences(of: "  int r = 0;\n", with: "  int r = 0;\n  { static int s_tmp; s_tmp += 100; r += s_tmp; }\n")
        try v3.write(toFile: w + "/prog.c", atomically: true, encoding: .utf8)
        try Self.graft(["build", "-o", "prog", "prog.c"], in: w)
        let refused = try run(LiveUpdateTests.graft!, ["patch", "--from", "statics/v1/prog", "--to", "statics/v3/prog", "-o", "p3.patch"], cwd: d)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("prog.c:6:16: error: 'step' has 3 static locals named 's_tmp' in NEW and 2 in the running program"), "\(refused.stderr)")
        #expect(refused.stderr.contains("[PATCH-1]"), "\(refused.stderr)")
    }

    @Test("LINK-2: one .c compiled twice with different -D: its statics are two sets of entities; the patch builds (no IR-4) and applies")
    func fileCompiledTwice() throws {
        let d = try Self.copy("same-name-statics")
        defer { Self.cleanup(d) }
        for v in ["v1", "v2"] {
            let w = d + "/twice/" + v
            try FileManager.default.createDirectory(atPath: w, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: d + "/twice-lib.c", toPath: w + "/lib.c")
            try FileManager.default.copyItem(atPath: d + "/twice-\(v).c", toPath: w + "/main.c")
            try Self.graft(["cc", "-c", "lib.c", "-o", "a.o"], in: w)
            try Self.graft(["cc", "-DSECOND", "-c", "lib.c", "-o", "b.o"], in: w)
            try Self.graft(["cc", "-c", "main.c"], in: w)
            try Self.graft(["cc", "-o", "prog", "main.o", "a.o", "b.o"], in: w)
        }
        let made = try Self.graft(["patch", "--from", "twice/v1/prog", "--to", "twice/v2/prog", "-o", "p2.patch"], in: d)
        #expect(made.stdout.contains("1 changed function(s): main.c:step"), "\(made.stdout)")
        let printed = try Self.applyLive(d + "/twice/v1/prog", d + "/p2.patch")
        let tab = [1, 2, 3, 4]
        func model(_ u: Int) -> [Int] { (0..<printed.count).map { i in 3 * tab[i & 3] + (i < u ? 0 : 1) } }
        #expect(Self.updateIteration(printed, model) != nil, "not v1 then v2: \(printed)")
    }

    // MARK: 7. fn-typedef-param

    @Test("a parameter declared with a function typedef is a pointer to the function: compiles (no IR-22/IR-26) and runs as cc's build")
    func functionTypedefParameter() throws {
        let d = try Self.copy("fn-typedef-param")
        defer { Self.cleanup(d) }
        try Self.cc(["-o", "plain", "prog.c"], in: d)
        try Self.graft(["cc", "-c", "prog.c"], in: d)
        try Self.graft(["cc", "-o", "prog", "prog.o"], in: d)
        try Self.expectSameRun("plain", "prog", in: d)
        #expect(try Self.exec(d + "/prog", in: d).status == 0)
    }

    // MARK: 8. implicit-decl

    @Test("LINK-3: a call through an implicit declaration with ABI-compatible arguments links (no IR-26) and runs as cc's build")
    func implicitDeclaration() throws {
        let d = try Self.copy("implicit-decl")
        defer { Self.cleanup(d) }
        try Self.cc(["-std=gnu89", "-w", "-c", "caller.c", "-o", "plain-caller.o"], in: d)
        try Self.cc(["-o", "plain", "plain-caller.o", "callee.c"], in: d)
        try Self.graft(["cc", "-std=gnu89", "-w", "-c", "caller.c"], in: d)
        try Self.graft(["cc", "-c", "callee.c"], in: d)
        try Self.graft(["cc", "-o", "prog", "caller.o", "callee.o"], in: d)
        try Self.expectSameRun("plain", "prog", in: d)
        #expect(try Self.exec(d + "/prog", in: d).status == 0)
        // A call passing a double where the definition reads an int is refused at the call, with the rule.
        try "int half(int x) { return x / 2; }\n".write(toFile: d + "/half.c", atomically: true, encoding: .utf8)
        try "int main(void) { return half(3.0); }\n".write(toFile: d + "/main.c", atomically: true, encoding: .utf8)
        try Self.graft(["cc", "-std=gnu89", "-w", "-c", "main.c"], in: d)
        try Self.graft(["cc", "-c", "half.c"], in: d)
        let r = try run(LiveUpdateTests.graft!, ["cc", "-o", "bad", "main.o", "half.o"], cwd: d)
        #expect(r.status != 0)
        #expect(r.stderr.contains("main.c:1:25: error: call to 'half' without a prototype in scope passes argument 1 as 'double'"), "\(r.stderr)")
        #expect(r.stderr.contains("[LINK-3]") && !r.stderr.contains("bug in graft"), "\(r.stderr)")
    }

    // MARK: 3. typedef-fingerprint

    @Test("PATCH-1/PATCH-2: a struct with an anonymous union holding a typedef'd field is unchanged when v2 adds a typedef elsewhere (plain and wrapped); tail[0] → tail[] is no change and names no field")
    func typedefFingerprint() throws {
        let d = try Self.copy("typedef-fingerprint")
        defer { Self.cleanup(d) }
        for c in ["union", "wrapped", "end0"] {
            for v in ["v1", "v2"] {
                let w = d + "/\(c)/\(v)"
                try FileManager.default.createDirectory(atPath: w, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: d + "/\(c)-\(v).c", toPath: w + "/prog.c")
                try Self.graft(["build", "-o", "prog", "prog.c"], in: w)
            }
            let r = try Self.graft(["patch", "--from", "\(c)/v1/prog", "--to", "\(c)/v2/prog", "-o", "\(c).patch"], in: d)
            #expect(r.stdout.contains("no code changes"), "\(c): \(r.stdout)")
            for word in ["PATCH-2", "converted", "changed type", "retyped", "type(s)"] {
                #expect(!r.stdout.contains(word) && !r.stderr.contains(word), "\(c): \(r.stdout)\(r.stderr)")
            }
        }
        // The wrapped one applied to the running program: it goes on.
        let (prog, _) = try LiveUpdateTests.launch(d + "/wrapped/v1/prog")
        defer { LiveUpdateTests.stop(prog) }
        usleep(300_000)
        let applied = try run(LiveUpdateTests.graft!, ["apply", "--pid", String(prog.processIdentifier), d + "/wrapped.patch", "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        usleep(300_000)
        #expect(prog.isRunning)
    }

    // MARK: 4. typedef-ptr-field

    @Test("PATCH-2: an unchanged `chunk_t *` field is copied by the default transformer when another field is added, as `struct chunk *` is; the patch applies")
    func typedefPointerField() throws {
        let d = try Self.copy("typedef-ptr-field")
        defer { Self.cleanup(d) }
        for (name, spelled) in [("typedef", "chunk_t *inbuf;"), ("plain", "struct chunk *inbuf;")] {
            for v in ["v1", "v2"] {
                let w = d + "/\(name)/\(v)"
                try FileManager.default.createDirectory(atPath: w, withIntermediateDirectories: true)
                let text = try String(contentsOfFile: d + "/\(v).c", encoding: .utf8).replacingOccurrences(of: "chunk_t *inbuf;", with: spelled)
                try text.write(toFile: w + "/prog.c", atomically: true, encoding: .utf8)
                try Self.graft(["build", "-o", "prog", "prog.c"], in: w)
            }
            let r = try Self.graft(["patch", "--from", "\(name)/v1/prog", "--to", "\(name)/v2/prog", "-o", "\(name).patch"], in: d)
            #expect(r.stdout.contains("struct session: field extra added — default transformer"), "\(name): \(r.stdout)")
            #expect(!r.stdout.contains("inbuf") && !r.stderr.contains("PATCH-2"), "\(name): \(r.stdout)\(r.stderr)")
        }
        let (prog, _) = try LiveUpdateTests.launch(d + "/typedef/v1/prog")
        defer { LiveUpdateTests.stop(prog) }
        usleep(300_000)
        let applied = try run(LiveUpdateTests.graft!, ["apply", "--pid", String(prog.processIdentifier), d + "/typedef.patch", "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        usleep(300_000)
        #expect(prog.isRunning)
    }

    // MARK: 6. asm-macro

    @Test("inline asm written through a macro from a header compiles and runs as cc's build; one whose template a macro argument supplies is refused with what to write")
    func asmThroughHeaderMacro() throws {
        let d = try Self.copy("asm-macro")
        defer { Self.cleanup(d) }
        try Self.cc(["-O2", "-o", "plain", "a.c"], in: d)
        try Self.graft(["cc", "-O2", "-o", "prog", "a.c"], in: d)
        try Self.expectSameRun("plain", "prog", in: d)
        #expect(try Self.exec(d + "/prog", in: d).status == 0)
        try Self.graft(["cc", "-O2", "-o", "same", "same-file.c"], in: d)
        #expect(try Self.exec(d + "/same", in: d).status == 0)
        // A macro that is only the keywords (`#define ASM __asm__ __volatile__`): the rest is written at the use.
        try "#define ASM __asm__ __volatile__\n".write(toFile: d + "/kw.h", atomically: true, encoding: .utf8)
        try "#include \"kw.h\"\nint main(void) { unsigned x = 5; ASM (\"movl $0, %0\" : \"=r\"(x)); return (int)x; }\n"
            .write(toFile: d + "/kw.c", atomically: true, encoding: .utf8)
        try Self.graft(["cc", "-O2", "-o", "kw", "kw.c"], in: d)
        #expect(try Self.exec(d + "/kw", in: d).status == 0)
        // The template is the macro's argument: its body does not spell it.
        try "#define ASMT(t, x) asm volatile (t : \"=r\"(x))\n".write(toFile: d + "/t.h", atomically: true, encoding: .utf8)
        try "#include \"t.h\"\nint main(void) { unsigned x; ASMT(\"movl $0, %0\", x); return (int)x; }\n"
            .write(toFile: d + "/t.c", atomically: true, encoding: .utf8)
        let r = try run(LiveUpdateTests.graft!, ["cc", "-o", "t", "t.c"], cwd: d)
        #expect(r.status != 0)
        #expect(r.stderr.contains("t.c:2:30: error: unsupported: inline assembly whose template, constraints or clobbers a macro builds"), "\(r.stderr)")
        #expect(r.stderr.contains("write them as string literals in the macro's body"), "\(r.stderr)")
    }

    // MARK: 9. archive-member

    @Test("LINK-4: an archive member is pulled in for a symbol code uses, not for one only declared: the program links and runs as cc's build")
    func archiveMemberForDeclaration() throws {
        let d = try Self.copy("archive-member")
        defer { Self.cleanup(d) }
        try Self.cc(["-c", "lib.c", "-o", "plain-lib.o"], in: d)
        _ = try run("/usr/bin/ar", ["rcs", "libplain.a", "plain-lib.o"], cwd: d)
        try Self.cc(["-o", "plain", "main.c", "libplain.a"], in: d)
        try Self.graft(["cc", "-c", "lib.c", "-o", "lib.o"], in: d)
        // A second member, used only through a function pointer in an initializer: it must join.
        try "int used_fn(void) { return 7; }\n".write(toFile: d + "/used.c", atomically: true, encoding: .utf8)
        try Self.graft(["cc", "-c", "used.c", "-o", "used.o"], in: d)
        #expect(try run("/usr/bin/ar", ["rcs", "libx.a", "lib.o", "used.o"], cwd: d).status == 0)
        try Self.graft(["cc", "-c", "main.c", "-o", "main.o"], in: d)
        try Self.graft(["cc", "-o", "prog", "main.o", "libx.a"], in: d)
        try Self.expectSameRun("plain", "prog", in: d)
        try "int used_fn(void);\nint (*fp)(void) = used_fn;\nint main(void) { return fp() - 7; }\n"
            .write(toFile: d + "/main2.c", atomically: true, encoding: .utf8)
        try Self.graft(["cc", "-c", "main2.c", "-o", "main2.o"], in: d)
        try Self.graft(["cc", "-o", "prog2", "main2.o", "libx.a"], in: d)
        #expect(try Self.exec(d + "/prog2", in: d).status == 0)
    }

    // MARK: 10. path-identity

    @Test("PATCH-1: v1/prog.c and v2/prog.c built from their parent folder: next_id is changed, not deleted + new, and its static local keeps counting after the update")
    func pathIdentity() throws {
        let d = try Self.copy("path-identity")
        defer { Self.cleanup(d) }
        for v in ["v1", "v2"] {
            try FileManager.default.createDirectory(atPath: d + "/" + v, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: d + "/\(v).c", toPath: d + "/\(v)/prog.c")
            try Self.graft(["build", "-o", "\(v)/prog", "\(v)/prog.c"], in: d)
        }
        let made = try Self.graft(["patch", "--from", "v1/prog", "--to", "v2/prog", "-o", "p.patch"], in: d)
        #expect(made.stdout.contains("1 changed function(s): v1/prog.c:next_id"), "\(made.stdout)")
        #expect(!made.stdout.contains("new function") && !made.stdout.contains("deleted"), "\(made.stdout)")
        // 300 ms a line: a longer window than applyLive's for a few lines either side.
        let (prog, out) = try LiveUpdateTests.launch(d + "/v1/prog")
        defer { LiveUpdateTests.stop(prog) }
        usleep(1_000_000)
        let applied = try run(LiveUpdateTests.graft!, ["apply", "--pid", String(prog.processIdentifier), d + "/p.patch", "--timeout", "10"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        usleep(1_000_000)
        LiveUpdateTests.stop(prog)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        func model(_ u: Int) -> [Int] { (0..<printed.count).map { i in i < u ? i + 1 : 10 * (i + 1) } }
        #expect(Self.updateIteration(printed, model) != nil, "the counter did not go on ×10 after the update: \(printed)")
    }

    // MARK: Reduced from OpenSSH 9.2p1 (item 17's search)

    /// The folders of Fixtures/repro/openssh: each is a program whose units `graft cc` compiles one by one
    /// with the flags in its `CFLAGS` file (none when absent) and links, as `make` does; a unit in a
    /// subfolder is compiled in that folder with `-I..` (as OpenSSH's openbsd-compat/ is).
    static let openssh: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: fixtures + "openssh")) ?? []).sorted()

    @Test("OpenSSH's constructs, reduced: each program compiles unit by unit, links and runs as cc's build", arguments: openssh)
    func opensshConstruct(_ name: String) throws {
        let d = try Self.copy("openssh/" + name)
        defer { Self.cleanup(d) }
        let flags = ((try? String(contentsOfFile: d + "/CFLAGS", encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        let units = (FileManager.default.subpaths(atPath: d) ?? []).filter { $0.hasSuffix(".c") }.sorted()
        #expect(!units.isEmpty)
        /// Compiles every unit with `compile(folder, flags, source, object)`; the objects, relative to `d`.
        func build(_ prefix: String, _ compile: (String, [String], String, String) throws -> Void) throws -> [String] {
            try units.map { u in
                let folder = (u as NSString).deletingLastPathComponent, file = (u as NSString).lastPathComponent
                let object = prefix + file.dropLast(2) + ".o"
                try compile(folder.isEmpty ? d : d + "/" + folder, flags + (folder.isEmpty ? [] : ["-I.."]), file, object)
                return folder.isEmpty ? object : folder + "/" + object
            }
        }
        let plain = try build("plain-") { dir, fl, file, o in try Self.cc(fl + ["-c", file, "-o", o], in: dir) }
        try Self.cc(["-o", "plain"] + plain, in: d)
        let grafted = try build("") { dir, fl, file, o in try Self.graft(["cc"] + fl + ["-c", file, "-o", o], in: dir) }
        try Self.graft(["cc"] + flags + ["-o", "prog"] + grafted, in: d)
        try Self.expectSameRun("plain", "prog", in: d)
        #expect(try Self.exec(d + "/prog", in: d).status == 0)
        // graft cc's objects are objects cc links too (OpenSSH links with $(LD), which configure sets to cc).
        try Self.cc(["-o", "cc-linked"] + grafted, in: d)
        try Self.expectSameRun("plain", "cc-linked", in: d)
    }
}
