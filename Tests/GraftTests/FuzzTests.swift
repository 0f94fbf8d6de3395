// A fixed-seed mutation fuzz of the front end: C programs (about 30 from the
// gcc torture corpus when it is present, plus a few embedded here) get
// token edits (literals, operators, type keywords, lines) or random byte
// flips, insertions and deletions, and the built `graft emit-c` runs on
// each mutant. Whatever the input, graft must exit (0, or 1 with a
// diagnostic), never die by a signal, print a Swift crash report, or hang.
//
// Everything is deterministic: mutant `n` is made by a SplitMix64 seeded
// with `FuzzCorpus.seed &+ n`. A failing mutant is kept on disk; the
// failure names its path, its seed and the program it came from.

import Foundation
import Testing

/// The `graft` executable built next to this test bundle, else the newest one
/// in this checkout's build directories (as CLITests finds it).
private let graftBinary: URL? = {
    let fm = FileManager.default
    if let p = graftFromEnvironment { return URL(fileURLWithPath: p) }
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("graft")
    if fm.isExecutableFile(atPath: beside.path) { return beside }
    let dirs = (try? fm.contentsOfDirectory(atPath: FuzzCorpus.repoRoot.path))?.filter { $0.hasPrefix(".build") } ?? []
    let found = dirs.flatMap { d in
        ["debug", "release"].map { FuzzCorpus.repoRoot.appendingPathComponent(d).appendingPathComponent($0).appendingPathComponent("graft") }
    }.filter { fm.isExecutableFile(atPath: $0.path) }
    func mtime(_ u: URL) -> Date { ((try? fm.attributesOfItem(atPath: u.path))?[.modificationDate] as? Date) ?? .distantPast }
    return found.max { mtime($0) < mtime($1) }
}()

/// SplitMix64: small, fast, and the same sequence everywhere.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum FuzzCorpus {
    static let seed: UInt64 = 0x6772_6166_7446_757A  // "graftFuz"
    static let mutantCount = 300
    static let shards = 4
    static let timeLimit: TimeInterval = 10

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tortureDir = repoRoot.appendingPathComponent(".cache/torture/execute")
    static var hasTorture: Bool { FileManager.default.fileExists(atPath: tortureDir.path) }

    /// Programs that are always fuzzed, whether or not the torture corpus is there.
    static let embedded: [(name: String, source: String)] = [
        ("embedded-structs.c", #"""
        struct point { int x, y; };
        union u { int i; float f; struct { char a, b; }; };
        struct bf { unsigned a : 3; int : 0; signed b : 5; };
        typedef struct node { int v; struct node *next; } node;
        static struct point pts[] = { [1] = { .y = 2 }, { 3, 4 }, [5 ... 6] = { 7 } };
        static const char *names[] = { "a", "b\n\"c\"", 0 };
        int sum(node *n) { int s = 0; for (; n; n = n->next) s += n->v; return s; }
        int main(void) {
            node c = { 3, 0 }, b = { 2, &c }, a = { 1, &b };
            union u x = { .f = 1.0f };
            struct bf f = { 5, -3 };
            f.a += pts[2].x;
            return sum(&a) == 6 && x.i != 0 && f.b == -3 && names[2] == 0 ? 0 : 1;
        }
        """#),
        ("embedded-control.c", #"""
        int printf(const char *, ...);
        static int table(int k) {
            static void *labels[] = { &&one, &&two };
            switch (k) {
            case 0: k += 10;
            case 1 ... 3: return k;
            default: break;
            }
            goto *labels[k & 1];
        one: return 100;
        two: return ({ int t = k * 2; t > 10 ? t : -t; });
        }
        int main(void) {
            int i = 0, s = 0;
        again:
            s += table(i++) ?: 7;
            if (i < 6) goto again;
            do { s -= i--; } while (i > 0 && (s & 1 || s > 3));
            printf("%d\n", s);
            return 0;
        }
        """#),
        ("embedded-functions.c", #"""
        #include <stdarg.h>
        typedef int (*op)(int, int);
        static int add(int a, int b) { return a + b; }
        static int mul(int a, int b) { return a * b; }
        static op ops[] = { add, mul };
        int kr(a, c) int a; char c; { return a + c; }
        static double avg(int n, ...) {
            va_list ap; va_start(ap, n);
            double s = 0;
            for (int i = 0; i < n; i++) s += va_arg(ap, double);
            va_end(ap);
            return n ? s / n : 0;
        }
        int main(void) {
            int n = 4, vla[n];
            for (int i = 0; i < n; i++) vla[i] = ops[i & 1](i, 3);
            __int128 big = (__int128)vla[3] << 70;
            long double ld = 1.1L * avg(2, 1.0, 3.0);
            _Bool b = ld > 2;
            return (int)(big >> 70) + kr(1, 'a') + b + (int)sizeof vla - 9 - 98 - 1 - 16 == 0 ? 0 : 1;
        }
        """#),
        ("embedded-exprs.c", #"""
        #define MAX(a, b) ((a) > (b) ? (a) : (b))
        enum e { A = -1, B = 1u << 31, C };
        struct s { int a[3]; char *p; } g = { { 1, 2, 3 }, "xyz" };
        int main(void) {
            int i = 0, j = 1, a[4] = { 0 };
            unsigned u = (unsigned)-1 >> 3;
            a[i++] += j++ * ++j;
            a[3] = (i, j) << 2 | (u & 7) ^ ~j;
            char c = g.p[MAX(i, 2)];
            double d = (double)u / 3 + (float)c;
            long long x = __builtin_popcount(u) + __builtin_expect(a[0], 0);
            i = j = (int)x % 7;
            return (c == 'z' && d > 0 && sizeof(enum e) >= 4 && A < 0 && C != 0) ? 0 : 1;
        }
        """#),
    ]

    /// About 30 small programs from the torture corpus, spread over it: every
    /// k-th file (by name) under 3 KB.
    static func tortureSample() -> [(name: String, source: String)] {
        guard hasTorture, let names = try? FileManager.default.contentsOfDirectory(atPath: tortureDir.path) else { return [] }
        let small = names.filter { $0.hasSuffix(".c") }.sorted().filter { name in
            let size = (try? FileManager.default.attributesOfItem(atPath: tortureDir.appendingPathComponent(name).path))?[.size] as? Int ?? .max
            return size < 3000
        }
        guard !small.isEmpty else { return [] }
        let step = max(1, small.count / 30)
        return stride(from: 0, to: small.count, by: step).prefix(30).compactMap { i in
            guard let data = FileManager.default.contents(atPath: tortureDir.appendingPathComponent(small[i]).path) else { return nil }
            return (small[i], String(decoding: data, as: UTF8.self))
        }
    }

    static let programs: [(name: String, source: String)] = embedded + tortureSample()

    /// Fragments inserted by the mutator: C punctuation and keywords that
    /// tend to reach unusual paths, plus raw bytes.
    static let fragments: [String] = [
        "{", "}", "(", ")", "[", "]", ";", ",", "*", "&", "&&", "||", "?", ":", "...", "->", ".", "=", "+=", "<<=",
        "\"", "'", "\\", "#", "##", "/*", "//", "\n#define X (\n", "\n#if 1\n", "\n#endif\n", "\n#include \"nosuch.h\"\n",
        "struct", "union", "enum", "typedef", "static", "extern", "_Thread_local", "register", "volatile", "_Atomic",
        "const", "__attribute__((", "aligned(", "asm(", "__asm__ volatile(\"\" ::: \"memory\")", "goto", "&&l", "goto *",
        "sizeof", "_Alignof", "_Generic(", "_Static_assert(", "__builtin_choose_expr(", "__builtin_offsetof(", "({", "})",
        "case 1 ... 2:", "default:", "switch (0)", "break;", "continue;", "return", "int", "long double", "_Complex",
        "__int128", "_Bool", "char", "unsigned", "float", "[0]", "[]", "[n]", "(void)", "(int)", "0x", "1e", "1.5L",
        "L\"", "u8\"", "U'", "\\x", "\\777", "\u{0}", "\u{7f}", "\u{e9}", "\u{1F600}", "9999999999999999999999",
        "-2147483648", "<<", ">>", "%", "/0", "!", "~", "++", "--",
    ]

    /// One mutant of `source`. Most mutants get token-level edits that tend
    /// to keep the program valid C (so that lowering, not just clang's
    /// parser, is exercised); the rest get one to four raw byte edits.
    static func mutate(_ source: String, rng: inout SplitMix64) -> [UInt8] {
        var bytes = Array(source.utf8)
        if Int.random(in: 0..<10, using: &rng) < 6 {
            for _ in 0..<Int.random(in: 1...3, using: &rng) { tokenEdit(&bytes, rng: &rng) }
        } else {
            for _ in 0..<Int.random(in: 1...4, using: &rng) { byteEdit(&bytes, rng: &rng) }
        }
        return bytes
    }

    static let literals = ["0", "1", "-1", "2", "7", "31", "32", "63", "64", "127", "128", "255", "0x7fffffff", "2147483648",
                           "4294967295u", "0x80000000", "9223372036854775807LL", "0xffffffffffffffffULL", "1.5", "0.0", "1e308"]
    static let operators: [UInt8] = Array("+-*/%&|^<>".utf8)
    static let typeWords = ["int", "long", "short", "char", "unsigned", "signed", "double", "float", "_Bool", "void", "const", "volatile"]

    static func isIdent(_ b: UInt8) -> Bool { b == UInt8(ascii: "_") || (b >= 48 && b <= 57) || ((b | 0x20) >= 97 && (b | 0x20) <= 122) }

    /// Positions `(start, end)` of the whole words `words` in `bytes`.
    static func wordRanges(_ bytes: [UInt8], _ words: [String]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            guard isIdent(bytes[i]) else { i += 1; continue }
            var j = i
            while j < bytes.count, isIdent(bytes[j]) { j += 1 }
            if words.contains(String(decoding: bytes[i..<j], as: UTF8.self)) { out.append(i..<j) }
            i = j
        }
        return out
    }

    static func tokenEdit(_ bytes: inout [UInt8], rng: inout SplitMix64) {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:  // replace an integer literal
            var runs: [Range<Int>] = []
            var i = 0
            while i < bytes.count {
                if bytes[i] >= 48 && bytes[i] <= 57 && (i == 0 || !isIdent(bytes[i - 1])) {
                    var j = i
                    while j < bytes.count, isIdent(bytes[j]) { j += 1 }
                    runs.append(i..<j); i = j
                } else { i += 1 }
            }
            if let r = runs.randomElement(using: &rng) { bytes.replaceSubrange(r, with: Array(literals.randomElement(using: &rng)!.utf8)) }
        case 1:  // swap a binary operator character
            let at = bytes.indices.filter { operators.contains(bytes[$0]) }
            if let i = at.randomElement(using: &rng) { bytes[i] = operators.randomElement(using: &rng)! }
        case 2:  // replace a type keyword
            if let r = wordRanges(bytes, typeWords).randomElement(using: &rng) {
                bytes.replaceSubrange(r, with: Array(typeWords.randomElement(using: &rng)!.utf8))
            }
        default:  // duplicate, delete or swap lines
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            guard lines.count > 2 else { return }
            let a = Int.random(in: 0..<lines.count, using: &rng), b = Int.random(in: 0..<lines.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: lines.insert(lines[a], at: b)
            case 1: lines.remove(at: a)
            default: lines.swapAt(a, b)
            }
            bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        }
    }

    static func byteEdit(_ bytes: inout [UInt8], rng: inout SplitMix64) {
        let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0 where !bytes.isEmpty:  // flip one bit
            bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
        case 1 where !bytes.isEmpty:  // replace with a random byte
            bytes[at] = UInt8.random(in: 0...255, using: &rng)
        case 2, 3:                    // insert a fragment
            bytes.insert(contentsOf: Array(fragments.randomElement(using: &rng)!.utf8), at: at)
        case 4 where !bytes.isEmpty:  // delete a short range
            let n = Int.random(in: 1...min(16, bytes.count - at), using: &rng)
            bytes.removeSubrange(at..<(at + n))
        case 5 where bytes.count > 1: // duplicate a range elsewhere
            let from = Int.random(in: 0..<bytes.count, using: &rng)
            let n = Int.random(in: 1...min(40, bytes.count - from), using: &rng)
            let chunk = Array(bytes[from..<(from + n)])
            bytes.insert(contentsOf: chunk, at: at)
        default:
            bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
        }
    }
}

private struct Outcome {
    var reason: Process.TerminationReason
    var status: Int32
    var stderr: String
    var timedOut: Bool
    var seconds: TimeInterval
}

/// Runs graft with stdout and stderr to files (no pipe can fill up), killing
/// it after `limit` seconds.
private func runGraft(_ args: [String], in dir: URL, limit: TimeInterval) throws -> Outcome {
    let p = Process()
    p.executableURL = try #require(graftBinary)
    p.arguments = args
    p.currentDirectoryURL = dir
    let errURL = dir.appendingPathComponent("stderr.txt")
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let errFile = try FileHandle(forWritingTo: errURL)
    defer { try? errFile.close() }
    p.standardOutput = FileHandle.nullDevice
    p.standardError = errFile
    p.standardInput = FileHandle.nullDevice
    let done = DispatchSemaphore(value: 0)
    p.terminationHandler = { _ in done.signal() }
    let start = Date()
    try p.run()
    var timedOut = false
    if done.wait(timeout: .now() + limit) == .timedOut {
        timedOut = true
        kill(p.processIdentifier, SIGKILL)
        done.wait()
    }
    let seconds = Date().timeIntervalSince(start)
    let err = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
    return Outcome(reason: p.terminationReason, status: p.terminationStatus, stderr: err, timedOut: timedOut, seconds: seconds)
}

private let diagnosticLine = try! NSRegularExpression(pattern: #":\d+:\d+: error:|error:"#)
private let crashMarkers = ["Fatal error", "Stack dump", "Backtrace", "Current stack trace", "Segmentation fault", "Illegal instruction"]

@Suite("Frontend fuzz", .enabled(if: graftBinary != nil, "the graft executable is not built"))
struct FuzzTests {
    /// Mutants are split over a few shards so that they run in parallel.
    @Test(arguments: 0..<FuzzCorpus.shards)
    func mutantsNeverCrashTheFrontEnd(shard: Int) throws {
        let programs = FuzzCorpus.programs
        try #require(!programs.isEmpty)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-fuzz-\(shard)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var kept = false
        defer { if !kept { try? FileManager.default.removeItem(at: dir) } }

        for n in stride(from: shard, to: FuzzCorpus.mutantCount, by: FuzzCorpus.shards) {
            let seed = FuzzCorpus.seed &+ UInt64(n)
            var rng = SplitMix64(seed: seed)
            let (name, source) = programs[n % programs.count]
            let mutant = FuzzCorpus.mutate(source, rng: &rng)
            let path = dir.appendingPathComponent("mutant-\(n).c")
            try Data(mutant).write(to: path)
            let out = try runGraft(["emit-c", path.lastPathComponent, "-o", "out-\(n).c"], in: dir, limit: FuzzCorpus.timeLimit)
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("out-\(n).c"))

            let what = "mutant \(n) of \(name) (seed 0x\(String(seed, radix: 16))), kept at \(path.path)"
            var problems: [String] = []
            if out.timedOut {
                problems.append("did not finish in \(Int(FuzzCorpus.timeLimit)) s")
            } else if out.reason == .uncaughtSignal {
                problems.append("killed by signal \(out.status)")
            } else if out.status != 0 && out.status != 1 {
                problems.append("exit status \(out.status)")
            }
            if out.status != 0 || out.reason != .exit {
                let range = NSRange(out.stderr.startIndex..., in: out.stderr)
                if diagnosticLine.firstMatch(in: out.stderr, range: range) == nil { problems.append("no diagnostic on stderr") }
            }
            if let marker = crashMarkers.first(where: { out.stderr.contains($0) }) { problems.append("crash output (\(marker))") }
            if problems.isEmpty {
                try? FileManager.default.removeItem(at: path)
            } else {
                kept = true
                Issue.record("\(what): \(problems.joined(separator: "; ")); stderr:\n\(out.stderr.prefix(2000))")
            }
        }
    }

    /// Records which corpus the fuzz ran on (the torture programs are optional).
    @Test(.enabled(if: FuzzCorpus.hasTorture, "no torture corpus at .cache/torture/execute: only the embedded programs are fuzzed"))
    func tortureCorpusIsSampled() {
        #expect(FuzzCorpus.programs.count >= FuzzCorpus.embedded.count + 20)
    }
}
