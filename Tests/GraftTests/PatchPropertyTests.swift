// Issue 7 item 5: property tests of the checker against the reference
// interpreter, over generated OLD/NEW pairs (PatchGen.swift), with
// x-sheep/swift-property-based (deterministic per seed; a failing case is
// shrunk and printed with `.fixedSeed(…)` to reproduce it).
//
// (i) Soundness: where the checker (PatchBuilder.plan) admits the patch at
//     an update point, the interpreter applying it there (PatchOracle) hits
//     no stale access and ends normally; at the event loop's point, what it
//     prints after the update is what NEW prints when it runs from the
//     transformed state (the program `GenVersion.c(resume:)`, which starts
//     from the values OLD printed, as the default transformer carries them).
// (ii) Not trivially conservative: the fraction of generated triples the
//     checker admits stays above a floor (see `admittedFloor`).
// (iii) Zero-diff: OLD built updatable by `graft cc` prints what the plain
//     build prints.
// (iv) Back-end agreement: the interpreter and the C back end (the emitted
//     C compiled by gcc) print the same, for OLD and for NEW resumed.
//
// GRAFT_PROPERTY_PAIRS sets how many pairs each of the two shards generates
// (bench/property.sh runs more); by default they make at least 10,000 triples.

import Foundation
import Testing
import PropertyBased
import IR
import Instrument
import Checker
import Codegen

/// What a shard saw.
final class TripleCounts: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var triples = 0, admitted = 0, resumed = 0, validated = 0
    /// Of `resumed`: at a point in code moved after a call (UPD-8); with a plan that carries globals (PATCH-3).
    private(set) var resumedMoved = 0, resumedCarried = 0
    func add(triples t: Int, admitted a: Int, resumed r: Int, validated v: Int = 0, moved m: Int = 0, carried c: Int = 0) {
        lock.lock(); triples += t; admitted += a; resumed += r; validated += v; resumedMoved += m; resumedCarried += c; lock.unlock()
    }
}

@Suite("Patch properties: the checker against the interpreter")
struct PatchPropertyTests {
    static let pairsOverride = ProcessInfo.processInfo.environment["GRAFT_PROPERTY_PAIRS"].flatMap(Int.init)
    /// Each pair gives 2.3 triples (its admissible and refused update points) on average.
    static var pairsPerShard: Int { pairsOverride ?? 2_300 }
    /// The generator changes what a release changes; many changes are
    /// admissible by design (bodies, new fields and globals, handlers,
    /// the loop body), some never are (a writable global retyped, an enum
    /// renumbered under stored values). A checker that refused everything
    /// it could not trivially prove would fall below this.
    static let admittedFloor = 0.25

    static let choices = Gen.int(in: 0...999).array(of: 64...64)

    @Test("(i) soundness and (ii) admitted fraction", arguments: [0, 1])
    func soundness(shard: Int) async throws {
        let counts = TripleCounts()
        await propertyCheck(count: Self.pairsPerShard, input: Self.choices) { raw in
            await Self.recording(raw) { try Self.check(GenPair.make(raw), counts) }
        }
        let fraction = Double(counts.admitted) / Double(max(1, counts.triples))
        print("patch properties, shard \(shard): \(counts.triples) triples, \(counts.admitted) admitted (\(Int(fraction * 100))%), \(counts.resumed) compared with NEW resumed (\(counts.resumedMoved) in code moved after a call, UPD-8; \(counts.resumedCarried) carrying globals, PATCH-3), \(counts.validated) admitted patches validated (VAL-*) with 0 findings")
        // CI: at least 10,000 triples over the two shards.
        #expect(counts.triples >= (Self.pairsOverride == nil ? 5_000 : Self.pairsPerShard))
        #expect(fraction >= Self.admittedFloor, "admitted \(counts.admitted) of \(counts.triples)")
    }

    @Test("(iii) zero-diff: the updatable build of a generated program prints what the plain build prints")
    func zeroDiff() async throws {
        guard let graft = LiveUpdateTests.graft else { Issue.record("build graft first"); return }
        await propertyCheck(count: 12, input: Self.choices) { raw in await Self.recording(raw) {
            let pair = GenPair.make(raw)
            let dir = tempDir()
            try pair.v1.c(iterations: pair.iterations).write(toFile: dir + "/prog.c", atomically: true, encoding: .utf8)
            // graft_update_point for the plain build: a no-op, as GRAFT_UPDATABLE=0 makes it.
            try "void graft_update_point(void) {}\n".write(toFile: dir + "/noop.c", atomically: true, encoding: .utf8)
            let plain = try run("/usr/bin/gcc", ["-O1", "-w", dir + "/prog.c", dir + "/noop.c", "-o", dir + "/plain"])
            let updatable = try run(graft, ["cc", "-O1", "-w", "-o", dir + "/upd", dir + "/prog.c"])
            #expect(plain.status == 0 && updatable.status == 0, "\(plain.stderr) \(updatable.stderr)")
            guard plain.status == 0 && updatable.status == 0 else { return }
            let a = try run(dir + "/plain", []), b = try run(dir + "/upd", [])
            #expect(a.status == b.status && a.stdout == b.stdout, "plain:\n\(a.stdout)updatable:\n\(b.stdout)\(pair)")
        } }
    }

    @Test("(iv) back-end agreement: the interpreter and the C back end print the same, for OLD and for NEW resumed")
    func backEndAgreement() async throws {
        await propertyCheck(count: 30, input: Self.choices) { raw in await Self.recording(raw) {
            let pair = GenPair.make(raw)
            let resumed = pair.v2.c(iterations: pair.iterations, resume: Resume(iteration: pair.updateAt, acc: 7, objects: ["h0": ["a": 5, "b": 9], "h1": ["a": 2]], total: 40, calls: 3))
            for source in [pair.v1.c(iterations: pair.iterations), resumed] {
                let program = try lower(source).0
                let interpreted = Interpreter.run(program: program, fuel: 2_000_000)
                let compiled = try roundTrip("void graft_update_point(void) {}\n" + source.replacingOccurrences(of: "void graft_update_point(void);\n", with: ""))
                #expect(interpreted.error == nil, "\(String(describing: interpreted.error))")
                #expect(interpreted.stdoutText == compiled.stdout && interpreted.exitStatus == compiled.status,
                        "interpreter:\n\(interpreted.stdoutText)C back end:\n\(compiled.stdout)\(source)")
            }
        } }
    }

    /// The pairs of two seeds whose points were once skipped: step's static local retyped int → long, carried
    /// (PATCH-3), with the update at dump's point and at the loop's top in main's continuation (UPD-8). Before
    /// the resumed NEW carried the local they mismatched (`calls=5` after the update, `calls=1` resumed).
    @Test("pinned pairs: a carried static local, compared with NEW resumed at dump and in main's continuation", arguments: [
        // .fixedSeed("0MIDemd2p8ztJedOSuJ92LdFPmJApUOJ3DvxZS4jGiM="): weigh by value; the static local retyped to long.
        [964, 172, 348, 501, 876, 752, 706, 550, 879, 523, 31, 735, 783, 657, 996, 588, 716, 282, 261, 960, 580, 158, 958, 388, 319, 863, 95, 755, 148, 997, 358, 371,
         277, 629, 148, 197, 748, 714, 432, 471, 924, 366, 32, 674, 900, 519, 67, 117, 705, 927, 824, 378, 218, 983, 82, 442, 237, 861, 420, 941, 992, 910, 828, 182],
        // .fixedSeed("2FtRJ7i7yPySA53AkkpVUJGuxcPeGTyzHGDcrVgkUq8="): struct item gains d; the static local retyped to long.
        [730, 797, 581, 281, 992, 85, 364, 808, 840, 92, 963, 985, 805, 841, 554, 158, 353, 100, 435, 616, 608, 482, 6, 902, 141, 590, 891, 158, 550, 741, 754, 490,
         111, 590, 386, 908, 141, 857, 646, 935, 982, 656, 288, 228, 548, 798, 152, 247, 260, 447, 34, 150, 729, 219, 759, 412, 578, 431, 41, 914, 830, 129, 61, 775],
    ])
    func pinnedCarriedPairs(raw: [Int]) throws {
        let counts = TripleCounts()
        try Self.check(GenPair.make(raw), counts)
        #expect(counts.admitted == 2 && counts.resumed == 2 && counts.resumedMoved == 1 && counts.resumedCarried == 2,
                "\(counts.admitted) admitted, \(counts.resumed) compared, \(counts.resumedMoved) UPD-8, \(counts.resumedCarried) PATCH-3")
    }

    /// Runs a property's body, recording what it throws as an issue with the pair: propertyCheck
    /// drops an error its body throws (its `try?`), and the case with it, without a word.
    static func recording(_ raw: [Int], _ body: () async throws -> Void) async {
        do { try await body() } catch { Issue.record(error, "\(GenPair.make(raw))") }
    }

    static func check(_ pair: GenPair, _ counts: TripleCounts) throws {
        let old = try lower(pair.v1.c(iterations: pair.iterations)).0
        let new = try lower(pair.v2.c(iterations: pair.iterations)).0
        let plan = PatchBuilder.plan(old: old, new: new)
        let valid = plan.refusals.allSatisfy { $0.severity != .error }
        var triples = 0, admitted = 0, resumed = 0, validated = 0, moved = 0, carried = 0
        // (v) Translation validation (Specs/validation.md): every patch the generator admits somewhere, the checker confirms.
        if valid && !plan.admissiblePoints.isEmpty {
            let findings = PatchValidationTests.validate(old: old, new: new, plan: plan)
            #expect(findings.isEmpty, "VAL: the checker does not confirm a generated patch: \(findings.map { $0.rendered() }.joined(separator: "\n"))\n\(plan.summary)\n\(pair)")
            if findings.isEmpty { validated += 1 }
        }
        for point in plan.verdicts {
            triples += 1
            guard valid && point.admissible else { continue }
            admitted += 1
            let run = PatchOracle.run(old: old, new: new, plan: plan, at: point, occurrence: pair.updateAt)
            let where_ = "at \(point.place) \(point.loc), \(plan.summary)\n\(pair)"
            #expect(run.result.error == nil, "the interpreter: \(run.result.error.map(String.init(describing:)) ?? "") \(where_)")
            #expect(run.result.exitStatus == 0 && run.result.patched, "\(where_)")
            // NEW from the transformed state, where OLD's whole state has just been printed (the
            // loop's top, the end of `dump`): the next iteration is the one after the last line.
            // That includes a point in code moved after a call (UPD-8: the loop runs in main's continuation after
            // `dump(-1, acc)`) and a plan that carries globals over (PATCH-3: the resumed state holds OLD's value
            // converted, `GenPair.resume`).
            guard run.result.error == nil, run.result.patched, point.place.contains("main") || point.place.contains("dump") else { continue }
            let lines = run.beforeText.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count >= 2, lines.last == "" else { continue }
            let state = pair.resume(from: String(lines[lines.count - 2]), iteration: lines.count - 2)
            let resumedProgram = try lower(pair.v2.c(iterations: pair.iterations, resume: state)).0
            let expected = Interpreter.run(program: resumedProgram, fuel: 2_000_000)
            #expect(expected.error == nil, "NEW resumed: \(String(describing: expected.error))")
            #expect(run.after == expected.stdoutText, "after the update:\n\(run.after)NEW resumed:\n\(expected.stdoutText)\(where_)")
            resumed += 1
            if point.place.contains("the code after") { moved += 1 }
            if !plan.carriedGlobals.isEmpty { carried += 1 }
        }
        counts.add(triples: triples, admitted: admitted, resumed: resumed, validated: validated, moved: moved, carried: carried)
    }
}

/// Not a test: a tool to look at a failing case. `GRAFT_PAIR=0,50,0,… swift
/// test --filter printPair` prints the pair of those choices (the shrunk
/// input a failure reports) and the checker's verdict at each point;
/// `GRAFT_SEED=<base64>` (the seed of a failure's `.fixedSeed("…")` hint)
/// does the same for the choices that seed generates, and runs the
/// soundness check on them. Off unless one is set, so CI never runs it.
@Test("print the pair of GRAFT_PAIR's choices (or GRAFT_SEED's) and its verdicts",
      .enabled(if: ProcessInfo.processInfo.environment["GRAFT_PAIR"] != nil || ProcessInfo.processInfo.environment["GRAFT_SEED"] != nil))
func printPair() throws {
    let env = ProcessInfo.processInfo.environment
    let raw: [Int]
    if let seed = env["GRAFT_SEED"] {
        guard var rng = Xoshiro(seed: seed) else { Issue.record("GRAFT_SEED: not a seed"); return }
        raw = PatchPropertyTests.choices.run(using: &rng)
        print("GRAFT_PAIR=" + raw.map(String.init).joined(separator: ","))
    } else {
        raw = env["GRAFT_PAIR"]!.split(separator: ",").compactMap { Int($0) }
    }
    let pair = GenPair.make(raw)
    print(pair)
    let plan = PatchBuilder.plan(old: try lower(pair.v1.c(iterations: pair.iterations)).0, new: try lower(pair.v2.c(iterations: pair.iterations)).0)
    for v in plan.verdicts { print("point", v.place, v.loc.line, v.admissible, v.reasons) }
    print(plan.summary)
    print(plan.refusals)
    let counts = TripleCounts()
    try PatchPropertyTests.check(pair, counts)
    print("\(counts.triples) triples, \(counts.admitted) admitted, \(counts.resumed) compared with NEW resumed (\(counts.resumedMoved) UPD-8, \(counts.resumedCarried) PATCH-3)")
}
