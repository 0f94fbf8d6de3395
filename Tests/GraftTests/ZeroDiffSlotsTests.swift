// Issue 7 item 8, the function-indirection causes of bench/zero-diff-failures.md
// (1-5 and 13): an updatable build (`graft cc`) behaves like the plain one
// (`GRAFT_UPDATABLE=0 graft cc`). Where a slot or a trampoline could change
// what the program does, the function stays direct — no slot, called by name
// — and a patch that changes it is refused (PATCH-4) with the reason.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen

/// A program the two builds must agree on: a reduced program of bench/zero-diff, or a source of its own.
struct SlotsCase: Sendable, CustomTestStringConvertible {
    let name: String
    var source: String? = nil
    var flags: [String] = []
    var testDescription: String { name }
}

enum SlotsZeroDiff {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var graft: String? {
        if let p = graftFromEnvironment { return p }
        for p in [".build/debug/graft", ".build/release/graft"] {
            let path = repo + "/" + p
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `exe args` in `dir` with `env` added to the environment.
    static func run(_ exe: String, _ args: [String], in dir: String, env: [String: String] = [:]) throws -> ProcessResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ProcessInfo.processInfo.environment.merging(env) { _, b in b }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let pid = p.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        watchdog.cancel()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return ProcessResult(status: status, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// `graft cc -O1 -w FLAGS prog.c -lm`, plain or updatable, as DIR/EXE.
    static func build(_ graft: String, _ c: String, _ flags: [String], _ exe: String, plain: Bool, in dir: String) throws {
        let r = try run(graft, ["cc", "-O1", "-w"] + flags + [c, "-lm", "-o", exe], in: dir, env: plain ? ["GRAFT_UPDATABLE": "0"] : [:])
        guard r.status == 0 else {
            throw Failure(description: "\(plain ? "GRAFT_UPDATABLE=0 " : "")graft cc \(c) failed (\(r.status)):\n\(r.stderr)")
        }
    }
}

@Suite("Zero-diff: function indirection keeps the plain build's meaning (issue 7 item 8, PATCH-4)")
struct ZeroDiffSlotsTests {
    static let cases: [SlotsCase] = [
        SlotsCase(name: "alias-to-static"),
        SlotsCase(name: "c99-inline-definition"),
        SlotsCase(name: "unused-static-inline"),
        SlotsCase(name: "redefined-builtin"),
        SlotsCase(name: "label-address-inline"),
        SlotsCase(name: "return-address"),
        SlotsCase(name: "instrument-functions", flags: ["-finstrument-functions"]),
        // An alias of a static function, which the updatable build renames.
        SlotsCase(name: "alias-to-static-function", source: """
            static int seven(void) { return 7; }
            int also_seven(void) __attribute__((alias("seven")));
            int main(void) { return also_seven() != 7; }
            """),
        // A builtin name with a slot: the call by name still folds (here: floor narrowed to floorf).
        SlotsCase(name: "redefined-floor", source: """
            void abort(void);
            __attribute__((weak)) double floor(double x) { abort(); }
            float f = 2.5f;
            int main(void) { return floor(f) != 2.0; }
            """),
        // __builtin_frame_address one and two levels up (with frame pointers): a function entered
        // through a pointer, and the caller two levels up of one that looks that far, stay direct.
        SlotsCase(name: "frame-address-up", source: """
            __attribute__((noinline)) void *fa1(void) { return __builtin_frame_address(1); }
            __attribute__((noinline)) void *fa2(void) { return __builtin_frame_address(2); }
            void *(*volatile p1)(void) = fa1;
            __attribute__((noinline)) void *mid(void) { void *r = fa2(); __asm__ volatile("" ::: "memory"); return r; }
            void *(*volatile pm)(void) = mid;
            __attribute__((noinline)) int one(void) { return p1() == __builtin_frame_address(0); }
            __attribute__((noinline)) int two(void) { return pm() == __builtin_frame_address(0); }
            int main(void) { return one() && two() ? 0 : 1; }
            """, flags: ["-fno-omit-frame-pointer"]),
        // An interpreter-style function that takes label addresses, called from two places.
        SlotsCase(name: "label-address-extern", source: """
            #include <stdlib.h>
            static void *p1, *p2;
            void doit(void **pp) { here: *pp = &&here; }
            __attribute__((noinline)) static void f(void) { doit(&p1); }
            __attribute__((noinline)) static void g(void) { doit(&p2); }
            int printf(const char *, ...);
            int main(void) { f(); g(); printf("%d\\n", p1 == p2); return 0; }
            """),
    ]

    @Test("the updatable build exits and prints as the plain one", arguments: cases)
    func sameBehaviour(_ c: SlotsCase) throws {
        guard let graft = SlotsZeroDiff.graft else { Issue.record("build graft first (swift build)"); return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file: String
        if let src = c.source {
            file = dir + "/\(c.name).c"
            try src.write(toFile: file, atomically: true, encoding: .utf8)
        } else {
            file = SlotsZeroDiff.repo + "/bench/zero-diff/\(c.name).c"
        }
        try SlotsZeroDiff.build(graft, file, c.flags, "plain", plain: true, in: dir)
        let plain = try SlotsZeroDiff.run(dir + "/plain", [], in: dir)
        #expect(plain.status == 0, "\(c.name): the plain build fails its own check (\(plain.status))")
        try SlotsZeroDiff.build(graft, file, c.flags, "upd", plain: false, in: dir)
        let upd = try SlotsZeroDiff.run(dir + "/upd", [], in: dir)
        #expect(upd.status == plain.status, "\(c.name): updatable \(upd.status), plain \(plain.status); \(upd.stderr.prefix(300))")
        #expect(upd.stdout == plain.stdout, "\(c.name): stdout differs")
    }

    static let program = """
    void abort(void);
    long long llabs(long long v) { return v < 0 ? -v : v; }
    static inline int helper(int x) { return x * 3; }
    static inline int unused(void) { extern int nowhere; return nowhere; }
    static inline int pointed(int x) { return x + 1; }
    int (*hook)(int) = pointed;
    __attribute__((noinline)) void *ra(void) { return __builtin_return_address(0); }
    __attribute__((noinline)) void *ra1(void) { return __builtin_return_address(1); }
    __attribute__((noinline)) void *caller(void) { return ra1(); }
    static void *a, *b;
    static void take(void **p) { l: *p = &&l; }
    inline int c99(int x) { return x - 1; }
    int work(int x) { take(&a); take(&b); return helper(x) + hook(x) + (int)llabs(x) + c99(x) + (ra() != 0) + (caller() != 0); }
    int main(void) { return work(1) == 0; }
    """

    @Test("static inline, return-address, label-address and inline-only functions stay direct; builtin names are called by name; the manifest says why")
    func direct() throws {
        let (p, _) = try lower(Self.program)
        let (q, manifest) = Updatable.instrument(p)
        func slot(_ name: String) -> Bool { manifest.slots.keys.contains { $0 == name || $0.hasSuffix(":" + name) } }
        #expect(slot("work") && slot("main") && slot("llabs") && slot("pointed"))
        for name in ["helper", "unused", "ra", "ra1", "caller", "take", "c99"] { #expect(!slot(name), "\(name) has a slot") }
        let reasons = Dictionary(uniqueKeysWithValues: Slots.directReasons(p).map { (p[$0.key].sourceName, $0.value) })
        #expect(reasons["helper"]?.contains("static inline") == true)
        #expect(reasons["ra"]?.contains("__builtin_return_address(0)") == true)
        #expect(reasons["caller"]?.contains("'ra1'") == true)
        #expect(reasons["take"]?.contains("&&label") == true)
        #expect(reasons["pointed"] == nil && reasons["work"] == nil)
        // helper and the C99 inline definition are emitted static inline, under their own names.
        let c = CEmitter(program: q).emit()
        #expect(c.contains("static inline int helper(int x)") && c.contains("static inline int c99(int x)"), "\(c)")
        #expect(!c.contains("#graft"))
        // work calls llabs by name (its trampoline), helper directly, pointed through the hook.
        let impl = try #require(q.functions.first { $0.name == Updatable.implPrefix + "work" })
        var direct: [String] = [], indirect = 0
        _ = Walk.mapInstructions(impl.body!) { i in
            if case .call(_, .direct(let g), _, _) = i { direct.append(q[g].name) }
            if case .call(_, .indirect, _, _) = i { indirect += 1 }
            return i
        }
        #expect(Set(direct).isSuperset(of: ["llabs", "helper", "c99", "ra", "caller", Updatable.staticPrefix + "take"]), "\(direct)")
        // The version manifest lists the functions without slots and why.
        let m = VersionManifest.of(p)
        #expect(m.direct.keys.contains { $0.hasSuffix(":helper") } && m.direct["ra"] != nil && m.direct["c99"] != nil)
        #expect(m.text.contains("functions without slots") && m.text.contains("PATCH-4"))
        // With -finstrument-functions every call goes to the trampoline, and the bodies are not instrumented.
        let (r, _) = Updatable.instrument(p, options: Updatable.Options(compilerFlags: ["-O1", "-finstrument-functions"]))
        let main = try #require(r.functions.first { $0.name == Updatable.implPrefix + "main" })
        #expect(main.attributes.contains { $0.name == "no_instrument_function" })
        var mainCalls: [String] = []
        _ = Walk.mapInstructions(main.body!) { i in
            if case .call(_, .direct(let g), _, _) = i { mainCalls.append(r[g].name) }
            return i
        }
        #expect(mainCalls == ["work"], "\(mainCalls)")
    }

    @Test("a patch that changes a function left direct is refused with the reason [PATCH-4]")
    func refused() throws {
        let (old, _) = try lower(Self.program)
        for (from, to, name, why) in [("x * 3", "x * 4", "helper", "static inline function"),
                                      ("__builtin_return_address(0); }", "__builtin_return_address(0) + 1; }", "ra", "reads a return address"),
                                      ("l: *p = &&l;", "l: *p = &&l; *p = *p;", "take", "&&label")] {
            let (new, _) = try lower(Self.program.replacingOccurrences(of: from, with: to))
            let plan = PatchBuilder.plan(old: old, new: new)
            #expect(plan.refusals.contains { $0.rule == "PATCH-4" && $0.message.contains("'\(name)'") && $0.message.contains(why) }, "\(plan.refusals)")
        }
        // A change to a function that calls one is admissible.
        let (new, _) = try lower(Self.program.replacingOccurrences(of: "return work(1) == 0;", with: "return work(1) == 1;"))
        #expect(PatchBuilder.plan(old: old, new: new).refusals.isEmpty)
    }

    static let live = """
    #include <stdio.h>
    #include <unistd.h>
    #ifdef __GRAFT__
    void graft_update_point(void);
    #else
    #define graft_update_point() ((void)0)
    #endif
    static inline int scale(int x) { return x * 10; }
    static void report(int i) { printf("v1 %d\\n", scale(i)); }
    int main(void) {
        setvbuf(stdout, 0, _IOLBF, 0);
        for (int i = 0;; i++) { graft_update_point(); report(i); usleep(10000); }
    }
    """

    @Test("a patch to a caller of a direct static inline function carries its own copy and applies live; one to the function is refused [PATCH-4]")
    func patchedLive() throws {
        guard let graft = SlotsZeroDiff.graft else { Issue.record("build graft first (swift build)"); return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let v1 = try LiveUpdateTests.buildProgram("v1", Self.live, in: dir)
        let v2 = try LiveUpdateTests.buildProgram("v2", Self.live.replacingOccurrences(of: "\"v1 %d\\n\"", with: "\"v2 %d\\n\""), in: dir)
        let v3 = try LiveUpdateTests.buildProgram("v3", Self.live.replacingOccurrences(of: "x * 10", with: "x * 100"), in: dir)
        let manifest = try run(graft, ["manifest", v1])
        #expect(manifest.stdout.contains("prog.c:scale: it is a static inline function"), "\(manifest.stdout)")
        let refused = try run(graft, ["patch", "--from", v1, "--to", v3, "-o", dir + "/p13.patch"])
        #expect(refused.status != 0 && refused.stderr.contains("'scale'") && refused.stderr.contains("static inline") && refused.stderr.contains("PATCH-4"), "\(refused.stderr)")
        let made = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p12.patch"])
        #expect(made.status == 0, "\(made.stderr)")
        guard made.status == 0 else { return }
        let (prog, out) = try LiveUpdateTests.launch(v1)
        defer { LiveUpdateTests.stop(prog) }
        usleep(200_000)
        let r = try run(graft, ["apply", "--pid", String(prog.processIdentifier), dir + "/p12.patch", "--timeout", "5"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        usleep(200_000)
        LiveUpdateTests.stop(prog)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(printed.first?.hasPrefix("v1 ") == true && printed.last?.hasPrefix("v2 ") == true, "\(printed.suffix(4))")
        // scale's copy in the patch computes as the program's did.
        if let last = printed.last, let n = Int(last.dropFirst(3)) { #expect(n % 10 == 0) }
    }
}
