// Adversarial programs built, patched and applied for real (`graft cc`,
// `graft patch`, `graft apply`), one test per rule they try to break:
// each must end either applied and behaving as the new version, or refused
// with the rule and the process running on exactly as it was.

import Foundation
import Testing

@Suite("Adversarial live updates", .serialized)
struct AdversarialLiveTests {
    typealias Live = LiveUpdateTests
    static let fixtures = Live.repo + "/Tests/GraftTests/Fixtures/"

    /// `source` (a fixture path or C text) built by `graft cc -O1` as DIR/NAME/prog.
    static func build(_ name: String, in dir: String, source: String, flags: [String] = []) throws -> String {
        let d = dir + "/" + name
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: source) {
            try FileManager.default.copyItem(atPath: source, toPath: d + "/prog.c")
        } else {
            try source.write(toFile: d + "/prog.c", atomically: true, encoding: .utf8)
        }
        let r = try run(Live.graft!, ["cc", "-O1", "-o", "prog", "prog.c"] + flags, cwd: d)
        guard r.status == 0 else { throw Live.Failure("graft cc failed in \(d): \(r.stderr)") }
        return d + "/prog"
    }

    static func lines(_ out: Pipe) -> [Substring] {
        String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    }

    /// Three versions of one program (`sources`, in the case's folder)
    /// built, v1 → v2 and v2 → v3 patched and applied in turn to a running
    /// v1. Each version prints "vN ok …" per iteration, or a line with BAD
    /// when its own checks fail. `inspect` sees the process before it stops.
    static func chain(_ name: String, _ sources: [String], inspect: (String) throws -> Void = { _ in }) throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let (dir, exe) = try chainPatches(name, sources)
        let (prog, out) = try Live.launch(exe[0])
        defer { Live.stop(prog) }
        usleep(300_000)
        let pid = String(prog.processIdentifier)
        for patch in ["p12", "p23"] {
            let applied = try run(graft, ["apply", "--pid", pid, dir + "/\(patch).patch", "--timeout", "5"])
            #expect(applied.status == 0, "\(name) \(patch): \(applied.stdout) \(applied.stderr)")
            usleep(patch == "p12" ? 400_000 : 800_000)
        }
        try inspect(pid)
        #expect(prog.isRunning, "\(name): the program stopped")
        Live.stop(prog)
        let printed = Self.lines(out)
        #expect(!printed.contains { $0.contains("BAD") }, "\(name): \(printed.filter { $0.contains("BAD") }.prefix(3))")
        for v in ["v1 ok", "v2 ok", "v3 ok"] { #expect(printed.contains { $0.hasPrefix(v) }, "\(name): no \(v) line: \(printed.suffix(3))") }
        #expect(printed.last?.hasPrefix("v3 ok") == true, "\(name): \(printed.suffix(3))")
    }

    @Test("REP-3, REP-4, REP-5: objects freed and re-made across two type changes (same size in place, then grown onto the heap) keep their values; the side table stays bounded")
    func churnAcrossTypeChanges() throws {
        try Self.chain("rep-churn", ["v1.c", "reorder.c", "grow.c"]) { pid in
            let status = try run(Live.graft!, ["status", "--pid", pid, "--json"])
            let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            let item = (json?["types"] as? [[String: Any]])?.first { $0["type"] as? String == "struct item" }
            let conversions = item?["conversions"] as? Int ?? 0, tracked = item?["tracked"] as? Int ?? -1
            #expect(conversions >= 300, "\(status.stdout)")        // every item alive at each patch was converted
            // 300 live items, each with at most its heap value: freed ones leave the table (REP-3).
            #expect(tracked >= 0 && tracked <= 2 * 300 + 10, "\(status.stdout)")
        }
    }

    @Test("[PATCH-3] [VAL-1] a global the first patch defines anew (int → long, carried) is the one the second patch reaches, by its alias, not the executable's: v2's unchanged code and v3's agree")
    func redefinedGlobalInAChain() throws { try Self.chain("alias-redefined-chain", ["v1.c", "v2.c", "v3.c"]) }

    /// The case's three versions built, and the patches p12 and p23 between them, in a new folder.
    static func chainPatches(_ name: String, _ sources: [String]) throws -> (dir: String, exe: [String]) {
        let dir = tempDir(), src = Self.fixtures + "adversarial/live/\(name)/"
        let exe = try zip(["v1", "v2", "v3"], sources).map { try Self.build($0.0, in: dir, source: src + $0.1) }
        for (a, b, patch) in [(exe[0], exe[1], "p12"), (exe[1], exe[2], "p23")] {
            let made = try run(Live.graft!, ["patch", "--from", a, "--to", b, "-o", dir + "/\(patch).patch"])
            #expect(made.status == 0, "\(name) \(patch): \(made.stdout) \(made.stderr)")
        }
        return (dir, exe)
    }

    @Test("[PATCH-3] a table grows in one patch and shrinks back in the next: the second would define it at a representation the executable's has; refused at load, the process runs on at v2")
    func redefinitionBackToAnEarlierType() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let (dir, exe) = try Self.chainPatches("alias-type-returns", ["v1.c", "v2.c", "v3.c"])
        let (prog, out) = try Live.launch(exe[0])
        defer { Live.stop(prog) }
        usleep(300_000)
        let pid = String(prog.processIdentifier)
        let a12 = try run(graft, ["apply", "--pid", pid, dir + "/p12.patch", "--timeout", "5"])
        #expect(a12.status == 0, "p12: \(a12.stdout) \(a12.stderr)")
        usleep(300_000)
        let a23 = try run(graft, ["apply", "--pid", pid, dir + "/p23.patch", "--timeout", "5"])
        #expect(a23.status != 0 && a23.stderr.contains("at a representation an earlier definition in this process already has"), "p23: \(a23.stdout) \(a23.stderr)")
        usleep(300_000)
        #expect(prog.isRunning)
        Live.stop(prog)
        let printed = Self.lines(out)
        #expect(printed.last?.hasPrefix("v2 ok") == true && !printed.contains { $0.contains("BAD") || $0.hasPrefix("v3") }, "\(printed.suffix(3))")
    }

    @Test("[REP-7] [PATCH-6] a struct held by value in another grows in two patches in a row, the holder onto the heap each time: the held one converts from the layout it has (v2's, for what v2 made), every value kept")
    func embeddedChain() throws { try Self.chain("rep7-embedded-chain", ["v1.c", "v2.c", "v3.c"]) }

    @Test("[REP-7] [PATCH-7] a pointer to the struct held inside another, kept in a global while the patch grows both: refused")
    func embeddedPointerKept() throws { try Self.attempt("rep7-embedded-ptr-kept", rules: ["PATCH-7"]) }

    /// The minimal event library of Fixtures/repro/embedded-library-struct
    /// (loop.c, loop.h), built by the plain compiler into an archive: the
    /// `graft cc` flags that include and link it.
    static func eventLibrary() throws -> [String] {
        let src = fixtures + "repro/embedded-library-struct/", dir = tempDir()
        let cc = try run("/usr/bin/cc", ["-c", src + "loop.c", "-o", dir + "/loop.o"])
        guard cc.status == 0 else { throw Live.Failure("cc loop.c: \(cc.stderr)") }
        let ar = try run("/usr/bin/ar", ["rcs", dir + "/libloop.a", dir + "/loop.o"])
        guard ar.status == 0 else { throw Live.Failure("ar: \(ar.stderr)") }
        return ["-I", src, dir + "/libloop.a"]
    }

    @Test("[REP-8] an error-checking mutex in a wrapped struct, handed to the C library by address (pinned), locked across the update point while the patch inserts a field before it: v2 unlocks the mutex v1 locked")
    func mutexHeldAcrossUpdate() throws { try Self.attempt("rep8-mutex-held", rules: [], flags: ["-lpthread"]) }

    @Test("[REP-8] [PATCH-2] NEW's code copies a whole struct whose embedded library struct is pinned: refused (the copy would read the value's stale slot)")
    func pinnedWholeCopy() throws { try Self.attempt("rep8-pinned-whole-copy", rules: ["PATCH-2"], flags: try Self.eventLibrary()) }

    @Test("[REP-7] [PATCH-2] a struct with an anonymous member gains a field: the member is copied whole, applied, every value kept")
    func anonymousMember() throws { try Self.attempt("rep7-anonymous-member", rules: []) }

    @Test("[REP-7] [PATCH-6] a struct held in an array field of another grows: the elements after the first would move, refused")
    func embeddedArrayGrows() throws { try Self.attempt("rep7-embedded-array", rules: ["PATCH-6"]) }

    @Test("[TRANS-6] [PATCH-3] a state transformer carries retyped statics over, naming the running program's by GRAFT_OLD(x) and NEW's by plain externs: applied, every count kept")
    func transformerNamesOldStatics() throws { try Self.attempt("trans6-old-names", rules: []) }

    @Test("[TRANS-6] a state transformer declares NEW's static at the running program's type (int[4] for long[8]): refused at the declaration")
    func transformerNewStaticAtOldType() throws {
        try Self.attempt("trans6-old-names", rules: ["TRANS-6"], transformers: "transformers-new-at-old-type.c")
    }

    @Test("[ALIAS-7] [VAL-2] NEW adds static tables of a running object's field addresses while its struct grows past its room: the patch sets them when it is committed, through the converted object; applied, both ways of reaching the fields agree")
    func newTableOfFieldAddresses() throws { try Self.attempt("alias7-new-table", rules: []) }

    @Test("[ALIAS-7] [PATCH-7] the running program's static table holds field addresses computed at load; NEW grows the struct past its room: refused")
    func runningTableOfFieldAddresses() throws { try Self.attempt("alias7-table-kept", rules: ["PATCH-7"]) }

    /// The outcome of one adversarial case (Fixtures/adversarial/live/CASE):
    /// v1.c and v2.c built by `graft cc`, the patch built from them (with
    /// v2's transformers.c beside NEW, if the case has one) and applied to a
    /// running v1. Each program prints one line per iteration: "v1 …" before
    /// the update, "v2 <n> OK|FAIL …" after it, FAIL when its own checks of
    /// its state do not hold.
    ///
    /// Passes when the case ends EITHER refused — at `graft patch` or at
    /// `graft apply` — naming one of `rules` (at apply: the process keeps
    /// running v1, `graft status --json` lists no update), OR applied with
    /// the program alive, printing v2 lines only from the update on and
    /// none of them FAIL. With no `rules`, the patch must be applied.
    /// `flags`: for both builds, after `-O1` (`-O0` where a bug shows only unoptimized).
    /// `folder`: where under Fixtures the case's v1.c and v2.c are.
    /// `transformers`: the file of the case's folder that is v2's transformers.c.
    static func attempt(_ name: String, rules: [String], flags: [String] = [], folder: String = "adversarial/live/",
                        transformers: String = "transformers.c") throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let src = fixtures + folder + name + "/"
        // v1 and v2 at once: the two builds are most of a case's time.
        final class Built: @unchecked Sendable { var exe = ["", ""]; var errors: [String] = []; let lock = NSLock() }
        let built = Built()
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            do {
                let exe = try build("v\(k + 1)", in: dir, source: src + "v\(k + 1).c", flags: flags)
                built.lock.lock(); built.exe[k] = exe; built.lock.unlock()
            } catch {
                built.lock.lock(); built.errors.append("\(error)"); built.lock.unlock()
            }
        }
        guard built.errors.isEmpty else { throw Live.Failure(built.errors.joined(separator: "\n")) }
        let (v1, v2) = (built.exe[0], built.exe[1])
        if FileManager.default.fileExists(atPath: src + transformers) {
            try FileManager.default.copyItem(atPath: src + transformers, toPath: dir + "/v2/transformers.c")
        }
        let named = { (text: String) in rules.contains { text.contains("[\($0)]") } }
        let made = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"])
        if made.status != 0 {
            #expect(named(made.stdout + made.stderr), "\(name): refused at patch, but not by \(rules): \(made.stdout) \(made.stderr)")
            return
        }
        let (prog, out) = try Live.launch(v1)
        defer { Live.stop(prog) }
        usleep(250_000)
        let pid = String(prog.processIdentifier)
        let applied = try run(graft, ["apply", "--pid", pid, dir + "/p.patch", "--timeout", "5"])
        if applied.status != 0 {
            #expect(named(applied.stdout + applied.stderr), "\(name): refused at apply, but not by \(rules): \(applied.stdout) \(applied.stderr)")
            let status = try run(graft, ["status", "--pid", pid, "--json"])
            let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            #expect((json?["updates"] as? [Any])?.isEmpty == true, "\(name): \(status.stdout)")
            usleep(100_000)
            #expect(prog.isRunning, "\(name): the process died after a refused patch")
            Live.stop(prog)
            let printed = Self.lines(out)
            #expect(printed.count > 5 && printed.allSatisfy { $0.hasPrefix("v1 ") }, "\(name): \(printed.suffix(5))")
            return
        }
        // Applied: the program runs on as v2 and its own checks hold.
        usleep(400_000)
        let alive = prog.isRunning
        Live.stop(prog)
        let printed = Self.lines(out)
        let after = printed.drop { $0.hasPrefix("v1 ") }
        let bad = after.filter { !$0.hasPrefix("v2 ") || $0.contains(" FAIL") }
        #expect(alive, "\(name): applied, then the process died: \(printed.suffix(3)) [status \(prog.terminationStatus)]")
        #expect(after.count > 5 && bad.isEmpty,
                "\(name): applied (\(applied.stdout.trimmingCharacters(in: .whitespacesAndNewlines))), then \(bad.count) of \(after.count) v2 lines fail its own checks, first: \(bad.first ?? "-")")
    }

    // MARK: B1 — pointers into an object kept across the update

    @Test("[PATCH-7] B1: `&c->count` kept in a global while the patch grows the struct (old objects move to the heap)")
    func b1GlobalFieldPointer() throws { try Self.attempt("b1-global-field-ptr", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] B1: `&s->served` in a local of main, on the stack across the update; the patch moves the field")
    func b1MainLocalPointer() throws { try Self.attempt("b1-main-local-ptr", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] B1: a pointer to a struct embedded in another (`&srv->lim`) kept while the outer one grows")
    func b1EmbeddedPointer() throws { try Self.attempt("b1-embedded-ptr", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] B1: a callback registry keeps `&conn->ev` while struct conn grows")
    func b1CallbackRegistry() throws { try Self.attempt("b1-callback-registry", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] [REP-4] B1: `&q->tail` kept while the patch moves `tail` within the same size (conversion in place)")
    func b1FieldMovesInPlace() throws { try Self.attempt("b1-field-moves-in-place", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] B1: a pointer to the first member made through `void *` (no `&`), kept while the struct grows")
    func b1VoidFirstMember() throws { try Self.attempt("b1-void-first-member", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] B1: `&c->misses` taken into a local of a function not on the stack, then stored in a global, while the struct grows")
    func b1FieldPointerViaLocal() throws { try Self.attempt("b1-field-ptr-via-local", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] B1: the address laundered through a `void *` helper and a `void *` global, made `long *` to the first field and by byte arithmetic to the second, while the fields swap in place")
    func b1VoidLaunderedGlobal() throws { try Self.attempt("b1-void-laundered-global", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] [REP-5] B1: NEW's code (not the running program's) makes a `long *` to the first member through `void *`, on an old object that moves to the heap")
    func b1VoidFirstMemberNewCode() throws { try Self.attempt("b1-void-first-member-new-code", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] [REP-4] B1, admitted: a `long *` to the first member made through `void *` and kept, while the patch keeps that field and the size (conversion in place)")
    func b1VoidFirstMemberInPlace() throws { try Self.attempt("b1-void-first-member-in-place", rules: []) }

    @Test("[PATCH-7] B1: a field pointer computed as `(uintptr_t)c + offsetof(struct conn, count)`, kept while the field moves")
    func b1UintptrOffsetof() throws { try Self.attempt("b1-uintptr-offsetof", rules: ["PATCH-7"]) }

    // MARK: B2 — layout knowledge baked into code

    @Test("[PATCH-6] B2: a heap array `malloc(n * sizeof *a)` made by old code, indexed with the new stride after growth")
    func b2HeapArrayStride() throws { try Self.attempt("b2-heap-array-stride", rules: ["PATCH-6"]) }

    @Test("[PATCH-6] B2: a heap array reached only through the program's own `void *` element helper with `sizeof *p`")
    func b2VoidHelperStride() throws { try Self.attempt("b2-void-helper-stride", rules: ["PATCH-6"]) }

    @Test("[PATCH-6] [REP-1] B2: `memset(s, 0, sizeof *s)` (sizeof is the plain size) by new code on an object old code allocated, after growth")
    func b2MemsetNewOnOld() throws { try Self.attempt("b2-memset-new-on-old", rules: ["PATCH-6"]) }

    @Test("[PATCH-6] B2: `memcpy(old_obj, new_obj, sizeof *new_obj)` by new code, after growth")
    func b2MemcpyNewOnOld() throws { try Self.attempt("b2-memcpy-new-on-old", rules: ["PATCH-6"]) }

    @Test("[REP-3] [REP-6] [PATCH-6] B2: a growable array (realloc) of a struct changed at the same size: realloc moves converted elements, and graft_realloc moves what the side table knows of them")
    func b2ReallocArray() throws { try Self.attempt("b2-realloc-array", rules: ["PATCH-6"]) }

    @Test("[REP-6] B2: the growable array is grown through a function pointer to realloc (a static initializer)")
    func b2ReallocFunctionPointer() throws { try Self.attempt("b2-realloc-fnptr", rules: ["PATCH-6"]) }

    @Test("[REP-6] B2: the changed struct is embedded at offset 4 of the realloc'd array's elements: entries inside elements move too")
    func b2ReallocEmbedded() throws { try Self.attempt("b2-realloc-embedded", rules: ["PATCH-6"]) }

    @Test("[REP-6] [REP-5] B2, admitted: one object whose value moved to the heap after growth is realloc'd by new code, and moves")
    func b2ReallocHeapValue() throws { try Self.attempt("b2-realloc-heap-value", rules: []) }

    @Test("[REP-6] B2: b2-realloc-array ten times over (it was intermittent: realloc does not always move)")
    func b2ReallocArrayRepeated() throws { for _ in 0..<10 { try Self.attempt("b2-realloc-array", rules: []) } }

    // MARK: B3 — whole-object copies

    @Test("[REP-2] [REP-5] [PATCH-6] B3: `struct acct copy = *a` after a's value moved to the heap; the copy is not the object; `*a = copy` writes back")
    func b3CopyAfterHeap() throws { try Self.attempt("b3-copy-after-heap", rules: ["PATCH-6"]) }

    @Test("[REP-2] [REP-4] B3: a whole copy is new code's first access to an old object, the struct changed at the same size")
    func b3CopySameSize() throws { try Self.attempt("b3-copy-same-size", rules: ["PATCH-6"]) }

    @Test("[REP-3] [PATCH-6] B3: a struct passed and returned by value between functions of new code, after growth")
    func b3ByValueParam() throws { try Self.attempt("b3-byvalue-param", rules: ["PATCH-6"]) }

    @Test("[REP-3] B3: a struct passed by value between functions of new code, changed at the same size")
    func b3ByValueSameSize() throws { try Self.attempt("b3-byvalue-same-size", rules: ["PATCH-6"]) }

    @Test("[REP-3] B3: new code initializes a struct embedding the changed one, and an array of it (same size)")
    func b3EmbeddedInit() throws { try Self.attempt("b3-embedded-init", rules: ["PATCH-6"]) }

    // MARK: UPD-1 and UPD-2 — structs by value and whole objects in old code still on the stack

    @Test("[UPD-1] old code on the stack passes a struct by value to a changed function while the struct gains a field at its end")
    func upd1ByValueArgument() throws { try Self.attempt("upd1-byvalue-arg", rules: ["UPD-1"]) }

    @Test("[UPD-1] old code on the stack takes a struct back by value from a changed function while the struct gains a field")
    func upd1ByValueResult() throws { try Self.attempt("upd1-byvalue-result", rules: ["UPD-1"]) }

    @Test("[UPD-1] [UPD-3] the same by-value result with the update point first in the loop: extracted, admitted, and right")
    func upd1ByValueResultExtracted() throws { try Self.attempt("upd1-byvalue-result-extracted", rules: []) }

    @Test("[UPD-2] old code on the stack copies a whole struct into a local while the patch puts a field in front")
    func upd2WholeRead() throws { try Self.attempt("upd2-whole-read", rules: ["UPD-2"]) }

    @Test("[UPD-2] old code on the stack copies one heap struct onto another (`*r = *spare`) while the patch swaps its fields")
    func upd2WholeWrite() throws { try Self.attempt("upd2-whole-write", rules: ["UPD-2"]) }

    // MARK: UPD-8 — the code after a call into the stack

    @Test("[UPD-8] [UPD-2] the code after the accept loop has a label, so it stays in main: a field inserted before the one it writes is refused")
    func upd8ContinuationGoto() throws { try Self.attempt("upd8-cont-goto", rules: ["UPD-2"]) }

    @Test("[UPD-8] v2 adds a call into the stack before the accept loop: the running main goes on with the code after the accept loop, not the new call's")
    func upd8ContinuationAddedCall() throws { try Self.attempt("upd8-cont-added-call", rules: []) }

    @Test("[UPD-8] [UPD-1] v2's code after the accept loop uses a variable of main v1's does not: refused")
    func upd8ContinuationNewVariable() throws { try Self.attempt("upd8-cont-new-variable", rules: ["UPD-1"]) }

    @Test("[UPD-8] vsftpd's shape: the accept loop called in an `if`, the session served after it; a field inserted, applied")
    func upd8ContinuationInBranch() throws { try Self.attempt("upd8-cont-if", rules: []) }

    // MARK: B6 — old code graft does not see on the stack

    @Test("[UPD-1] [UPD-2] B6: an update point in qsort's comparison function, with main (old code that reads the items) below qsort")
    func b6QsortCallback() throws { try Self.attempt("b6-qsort-callback", rules: ["UPD-2"]) }

    @Test("[UPD-1] [UPD-2] B6: a longjmp back to main's setjmp, before where main stands, runs old code that reads the state")
    func b6Longjmp() throws { try Self.attempt("b6-longjmp", rules: ["UPD-2"]) }

    @Test("[UPD-7] B6: the only update point runs in a signal handler, while main's step() holds a pointer to the field the patch moves")
    func b6SignalPoint() throws { try Self.attempt("b6-signal-point", rules: ["UPD-7"]) }

    @Test("[UPD-7] B6, admitted: the same with a point in main's loop too; applied there, never in the handler, with the timer firing")
    func b6SignalPointMain() throws { try Self.attempt("b6-signal-point-main", rules: []) }

    // MARK: B7, B8 — pointers to a function whose signature changes

    @Test("[PATCH-9] B7: a signal handler's signature changes (SA_SIGINFO) while the kernel keeps the old registration")
    func b7SignalHandler() throws { try Self.attempt("b7-signal-handler", rules: ["PATCH-9"]) }

    @Test("[PATCH-9] B8: new code takes the address of a function whose signature changes (the old trampoline's prototype; at -O0)")
    func b8AddressNewCode() throws { try Self.attempt("b8-address-new-code", rules: ["PATCH-9"], flags: ["-O0"]) }

    @Test("[PATCH-9] B8, admitted: the new signature under a name of its own, the old function kept (at -O0)")
    func b8AddressNewName() throws { try Self.attempt("b8-address-new-name", rules: [], flags: ["-O0"]) }

    // MARK: B9 — a table defined anew

    @Test("[PATCH-3] B9: a const table grows while the running program keeps a pointer into it in a global")
    func b9TablePointerKept() throws { try Self.attempt("b9-table-pointer-kept", rules: ["PATCH-3"]) }

    @Test("[PATCH-3] B9, admitted: a command table grows; the running program only looks entries up")
    func b9TableLookup() throws { try Self.attempt("b9-table-lookup", rules: []) }

    // MARK: B10 — hand-written transformers

    @Test("[TRANS-5] B10: a transformer copies a pointer into the old value into the new one with memcpy")
    func b10MemcpyOldPointer() throws { try Self.attempt("b10-memcpy-old-pointer", rules: ["TRANS-5"]) }

    @Test("[TRANS-5] B10: a transformer copies the whole old value into a local with memcpy and keeps a pointer into that copy in the new value")
    func b10CopyOfOld() throws { try Self.attempt("b10-copy-of-old", rules: ["TRANS-5"]) }

    @Test("[TRANS-5] B10, admitted: a transformer copies scalars through memcpy (old value → local → new value) and reads a whole copy of the old value")
    func b10MemcpyScalar() throws { try Self.attempt("b10-memcpy-scalar", rules: []) }

    @Test("[TRANS-5] B10: a transformer keeps `old` itself in the new value, as an integer")
    func b10KeepOld() throws { try Self.attempt("b10-keep-old", rules: ["TRANS-5", "TRANS-2"]) }

    // MARK: REP-5 — first member and container_of on old objects after growth

    @Test("[PATCH-7] [REP-5] container_of (uintptr_t, void *) by new code on an event embedded in an old connection that grew")
    func rep5ContainerOf() throws { try Self.attempt("rep5-container-of", rules: ["PATCH-7"]) }

    @Test("[PATCH-7] [REP-5] the first-member idiom through `void *` (no `&`) by new code on old objects that grew")
    func rep5FirstMemberVoid() throws { try Self.attempt("rep5-first-member-void", rules: ["PATCH-7"]) }

    // MARK: REP-4, REP-5 — where a converted value goes

    @Test("[REP-4] `&c->count` kept in a global while the struct changes at the same size and count keeps its place: converted in place, the kept pointer and new code count together")
    func rep4KeptFieldPointer() throws { try Self.attempt("rep4-kept-field-pointer", rules: []) }

    @Test("[REP-5] objects packed end to end in the program's own arena grow: each old value moves to the heap, and no object's bytes run into the next")
    func rep5PackedArena() throws { try Self.attempt("rep5-packed-arena", rules: []) }

    @Test("UPD-5: a patch for a program with a second thread is refused and changes nothing; the same program on one thread is patched")
    func secondThreadRefused() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.build("v1", in: dir, source: Self.fixtures + "threads/v1.c", flags: ["-pthread"])
        let v2 = try Self.build("v2", in: dir, source: Self.fixtures + "threads/v2.c", flags: ["-pthread"])
        let made = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"])
        #expect(made.status == 0, "\(made.stdout) \(made.stderr)")

        // Two threads: refused, with the rule; the program keeps printing v1 lines.
        let (prog, out) = try Live.launch(v1)
        defer { Live.stop(prog) }
        usleep(200_000)
        let refused = try run(graft, ["apply", "--pid", String(prog.processIdentifier), dir + "/p.patch", "--timeout", "5"])
        #expect(refused.status != 0)
        #expect((refused.stdout + refused.stderr).contains("[UPD-5]"), "\(refused.stdout) \(refused.stderr)")
        #expect((refused.stdout + refused.stderr).contains("2 threads"), "\(refused.stdout) \(refused.stderr)")
        let status = try run(graft, ["status", "--pid", String(prog.processIdentifier), "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect((json?["updates"] as? [Any])?.isEmpty == true, "\(status.stdout)")
        usleep(100_000)
        Live.stop(prog)
        let printed = Self.lines(out)
        #expect(printed.count > 5 && printed.allSatisfy { $0.hasPrefix("v1 ") }, "\(printed.suffix(5))")

        // One thread: the control threads of the runtime do not count.
        let (single, sout) = try Live.launch(v1, ["single"])
        defer { Live.stop(single) }
        usleep(200_000)
        _ = try run(graft, ["status", "--pid", String(single.processIdentifier)])   // a control thread comes and goes
        let applied = try run(graft, ["apply", "--pid", String(single.processIdentifier), dir + "/p.patch", "--timeout", "5"])
        #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        usleep(200_000)
        Live.stop(single)
        let after = Self.lines(sout)
        #expect(after.first?.hasPrefix("v1 ") == true && after.last?.hasPrefix("v2 ") == true, "\(after.prefix(3)) … \(after.suffix(3))")
    }

    @Test("UPD-5: a second thread started while the patch waits for an update point is seen at the point, and the patch is refused there; one alive when the patch arrives refuses it at once, though the program reaches no update point")
    func threadCountedTwice() throws {
        guard let graft = Live.graft else { Issue.record("build graft first"); return }
        let dir = tempDir()
        let v1 = try Self.build("v1", in: dir, source: Self.fixtures + "threads/v1.c", flags: ["-pthread"])
        let v2 = try Self.build("v2", in: dir, source: Self.fixtures + "threads/v2.c", flags: ["-pthread"])
        let made = try run(graft, ["patch", "--from", v1, "--to", v2, "-o", dir + "/p.patch"])
        #expect(made.status == 0, "\(made.stdout) \(made.stderr)")
        func updates(_ pid: String) throws -> (pending: Bool, updates: Int) {
            let status = try run(graft, ["status", "--pid", pid, "--json"])
            let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            return (json?["pending"] as? Bool ?? false, (json?["updates"] as? [Any])?.count ?? -1)
        }

        // Alone when the patch arrives; a worker starts while the patch waits (no update point until then).
        let go = dir + "/go"
        let (late, lout) = try Live.launch(v1, ["late", go])
        defer { Live.stop(late) }
        usleep(200_000)
        let pid = String(late.processIdentifier)
        let apply = Process(), out = Pipe(), err = Pipe()
        apply.executableURL = URL(fileURLWithPath: graft)
        apply.arguments = ["apply", "--pid", pid, dir + "/p.patch", "--timeout", "10"]
        apply.standardOutput = out; apply.standardError = err
        try apply.run()
        var waiting = false
        for _ in 0..<250 where !waiting {
            usleep(20_000)
            waiting = try updates(pid).pending
        }
        #expect(waiting, "the patch was never pending")
        FileManager.default.createFile(atPath: go, contents: nil)
        let said = String(decoding: out.fileHandleForReading.readDataToEndOfFile() + err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        apply.waitUntilExit()
        #expect(apply.terminationStatus != 0 && said.contains("at update point") && said.contains("[UPD-5]") && said.contains("2 threads"), "\(said)")
        #expect(try updates(pid).updates == 0)
        usleep(200_000)
        #expect(late.isRunning, "the process died after a refused patch")
        Live.stop(late)
        let printed = Self.lines(lout)
        #expect(printed.count > 3 && printed.allSatisfy { $0.hasPrefix("v1 ") }, "\(printed.suffix(5))")

        // A worker alive when the patch arrives, and no update point reached: refused on arrival, not timed out.
        let (idle, _) = try Live.launch(v1, ["idle", dir + "/never"])
        defer { Live.stop(idle) }
        usleep(200_000)
        let started = Date()
        let refused = try run(graft, ["apply", "--pid", String(idle.processIdentifier), dir + "/p.patch", "--timeout", "3"])
        let text = refused.stdout + refused.stderr
        #expect(refused.status != 0 && text.contains("[UPD-5]") && !text.contains("timed out"), "\(text)")
        #expect(Date().timeIntervalSince(started) < 2.5, "refused only after \(Date().timeIntervalSince(started)) s: \(text)")
        let after = try updates(String(idle.processIdentifier))
        #expect(!after.pending && after.updates == 0, "\(after)")
    }
}
