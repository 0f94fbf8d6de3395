// `graft check` (Specs/deploy.md DEPLOY-6) and `graft explain`: the verdict
// on a real patch for a real build, derived again and compared with the one
// the patch carries, in text, JSON and SARIF 2.1.0 (validated against the
// official schema, fetched from PyPI by Tests/tools/sarif-schema.sh); and
// what it says of a patch for another build, an unsigned or tampered one,
// and bad input.

import Foundation
import Testing

@Suite("graft check: the verdict before deploying (DEPLOY-6), SARIF 2.1.0, graft explain", .serialized,
       .enabled(if: LiveUpdateTests.graft != nil, "the graft executable is not built"))
struct CheckTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Two update points: one in work's loop, where work goes on using struct item (blocked by a
    /// new field in the middle, UPD-2), and one at the top of main's loop, where nothing holds one.
    static let v1 = """
    #include "graft.h"
    struct item { int id; long total; };
    struct item *item_new(void) { static struct item one; return &one; }
    long work(struct item *it, int n) { for (int i = 0; i < n; i++) { it->total += i; graft_update_point(); } return it->total; }
    int main(void) { struct item *it = item_new(); for (;;) { graft_update_point(); if (work(it, 3) > 100000) return 0; } }
    """
    static let v2 = v1.replacingOccurrences(of: "int id; long total;", with: "int id; long weight; long total;")

    static func graft(_ args: [String], in dir: String, env: [String: String] = [:]) throws -> ProcessResult {
        try run(LiveUpdateTests.graft!, args, cwd: dir, env: env)
    }

    /// DIR/v1/prog, DIR/v2/prog and DIR/p.patch (v1 → v2, signed with the run's key).
    static func builds() throws -> String {
        let d = tempDir()
        for (v, source) in [("v1", v1), ("v2", v2)] {
            try FileManager.default.createDirectory(atPath: d + "/" + v, withIntermediateDirectories: true)
            try source.write(toFile: d + "/\(v)/prog.c", atomically: true, encoding: .utf8)
            let r = try graft(["build", "-o", "\(v)/prog", "\(v)/prog.c"], in: d)
            guard r.status == 0 else { throw LiveUpdateTests.Failure("graft build \(v): \(r.stderr)") }
        }
        let p = try graft(["patch", "--from", "v1/prog", "--to", "v2/prog", "-o", "p.patch"], in: d)
        guard p.status == 0 else { throw LiveUpdateTests.Failure("graft patch: \(p.stdout)\(p.stderr)") }
        return d
    }

    /// The official SARIF 2.1.0 schema's path (cached after the first fetch).
    static let schema: String? = {
        guard let r = try? run("/bin/bash", [repo + "/Tests/tools/sarif-schema.sh"]), r.status == 0 else { return nil }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// Validates the SARIF text against the official schema; the violations, empty when it is valid.
    static func sarifViolations(_ sarif: String) throws -> String {
        let schema = try #require(Self.schema, "Tests/tools/sarif-schema.sh could not fetch the SARIF 2.1.0 schema from PyPI")
        let file = tempDir() + "/check.sarif"
        try sarif.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try run("/usr/bin/env", ["python3", repo + "/Tests/tools/validate-sarif.py", schema, file])
        return r.status == 0 ? "" : r.stdout + r.stderr
    }

    /// `graft check` of `patch` on `program` in all three forms: exit 0, SARIF valid, and the
    /// admissible points the ones the patch carries (graft inspect --json). The JSON report.
    @discardableResult
    static func expectAdmitted(program: String, patch: String, in dir: String = FileManager.default.currentDirectoryPath,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let text = try graft(["check", "--program", program, "--patch", patch], in: dir)
        #expect(text.status == 0 && text.stdout.contains("graft check: the patch is valid and admissible at"),
                "\(text.stdout)\(text.stderr)", sourceLocation: sourceLocation)
        let json = try graft(["check", "--program", program, "--patch", patch, "--format", "json"], in: dir)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)\(json.stderr)")
        let inspected = try JSONSerialization.jsonObject(with: Data(try graft(["inspect", patch, "--json"], in: dir).stdout.utf8)) as? [String: Any]
        let carried = ((inspected?["verdicts"] as? [[String: Any]]) ?? []).filter { $0["admissible"] as? Bool == true }.compactMap { $0["point"] as? Int }
        #expect(report["valid"] as? Bool == true && report["admissibleAt"] as? [Int] == carried && !carried.isEmpty,
                "\(json.stdout.prefix(2000))", sourceLocation: sourceLocation)
        let sarif = try graft(["check", "--program", program, "--patch", patch, "--format", "sarif"], in: dir)
        #expect(sarif.status == 0, "\(sarif.stderr)", sourceLocation: sourceLocation)
        #expect(try sarifViolations(sarif.stdout) == "", sourceLocation: sourceLocation)
        return report
    }

    @Test("a patch admissible at one point of two: the blocked point's rule, type, use and stack, in text, JSON and valid SARIF; exit 0")
    func mixedVerdict() throws {
        let d = try Self.builds()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try Self.graft(["check", "--program", "v1/prog", "--patch", "p.patch"], in: d)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("signature: signed by a key built into v1/prog"), "\(r.stdout)")
        // The use that blocks: work's next use of the type after the point (the loop's next round), with the source line and a caret.
        #expect(r.stdout.contains("v1/prog.c:4:67: error: update point 1 (work): struct item is in Δ here: work uses it at v1/prog.c:4 after this point, in its old representation [UPD-2]\nlong work(struct item *it, int n)"), "\(r.stdout)")
        #expect(r.stdout.contains("v1/prog.c:4:83: note: update point 1 is here; on the stack there may be: work ← the loop at v1/prog.c:5 in main ← main"), "\(r.stdout)")
        #expect(r.stdout.contains("v1/prog.c:5:59: note: update point 2 (main): admissible"), "\(r.stdout)")
        #expect(r.stdout.contains("  struct item: field weight added — default transformer"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("graft check: the patch is valid and admissible at 1 of 2 update point(s) (2)\n"), "\(r.stdout)")

        let report = try Self.expectAdmitted(program: "v1/prog", patch: "p.patch", in: d)
        let points = report["points"] as? [[String: Any]] ?? []
        let blocker = (points.first?["blockers"] as? [[String: Any]])?.first
        #expect(blocker?["rule"] as? String == "UPD-2" && blocker?["subject"] as? String == "struct item" && blocker?["user"] as? String == "work"
                && (blocker?["use"] as? [String: Any])?["line"] as? Int == 4, "\(points)")
        #expect(points.first?["stack"] as? [String] == ["work", "the loop at v1/prog.c:5 in main", "main"] && points.last?["admissible"] as? Bool == true, "\(points)")
        #expect(report["schema"] as? String == "graft-check/1" && report["exitCode"] as? Int == 0)

        let sarif = try Self.graft(["check", "--program", "v1/prog", "--patch", "p.patch", "--format", "sarif"], in: d)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let run0 = (log["runs"] as? [[String: Any]])?.first
        let results = run0?["results"] as? [[String: Any]] ?? []
        let failing = results.first { $0["ruleId"] as? String == "UPD-2" }
        #expect(failing?["level"] as? String == "error" && (failing?["stacks"] as? [Any])?.count == 1, "\(results)")
        let region = ((failing?["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any]
        #expect(region?["startLine"] as? Int == 4 && region?["startColumn"] as? Int == 67, "\(String(describing: region))")
        #expect(results.contains { $0["kind"] as? String == "pass" }, "\(results)")
        let rules = ((run0?["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        #expect((rules.first { $0["id"] as? String == "UPD-2" }?["shortDescription"] as? [String: Any])?["text"] as? String == "Types in Δ", "\(rules)")
    }

    @Test("another build, an unsigned patch, a key the build does not hold, a tampered verdict: each said with its rule; bad input exits 2")
    func invalidPatches() throws {
        let d = try Self.builds()
        defer { try? FileManager.default.removeItem(atPath: d) }
        // DEPLOY-4: the patch is for v1, not v2.
        let other = try Self.graft(["check", "--program", "v2/prog", "--patch", "p.patch"], in: d)
        #expect(other.status == 1 && other.stdout.contains("error: the patch is for build ") && other.stdout.contains("[DEPLOY-4]"), "\(other.stdout)\(other.stderr)")

        // The shared object inside the patch: the bytes before the header (PatchFile's layout).
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: d + "/p.patch")))
        let trailer = bytes.count - 8 - 32 - 16
        let soSize = (0..<8).reduce(0) { $0 | Int(bytes[trailer + $1]) << (8 * $1) }
        var so = Array(bytes[0..<soSize])
        let meta = String(decoding: bytes[soSize..<(soSize + 200)], as: UTF8.self)
        func version(_ key: String) -> String {
            meta.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map { String($0.dropFirst(key.count + 1)) } ?? ""
        }
        let (base, target) = (version("base"), version("target"))
        func seal(_ so: [UInt8], _ name: String, sign: [String]) throws {
            try Data(so).write(to: URL(fileURLWithPath: d + "/\(name).so"))
            let r = try Self.graft(["seal-patch", "\(name).so", "-o", name, "--base", base, "--target", target] + sign, in: d,
                                   env: sign.isEmpty ? ["GRAFT_SIGNING_KEY": ""] : [:])
            #expect(r.status == 0, "\(r.stderr)")
        }
        // DEPLOY-1: unsigned, for a build that accepts only signed patches.
        try seal(so, "unsigned.patch", sign: [])
        let unsigned = try Self.graft(["check", "--program", "v1/prog", "--patch", "unsigned.patch"], in: d)
        #expect(unsigned.status == 1 && unsigned.stdout.contains("the patch is unsigned") && unsigned.stdout.contains("[DEPLOY-1]"), "\(unsigned.stdout)")
        // DEPLOY-2: signed by a key the build was not built with: a warning (a root-owned file may trust it), still valid.
        #expect(try Self.graft(["keygen", "-o", "other"], in: d).status == 0)
        try seal(so, "other.patch", sign: ["--sign", "other"])
        let otherKey = try Self.graft(["check", "--program", "v1/prog", "--patch", "other.patch"], in: d)
        #expect(otherKey.status == 0 && otherKey.stdout.contains("warning: key ") && otherKey.stdout.contains("/etc/graft/trusted-keys names it [DEPLOY-2]"), "\(otherKey.stdout)")
        // DEPLOY-6: the NEW it carries is v1's IR, not its target's.
        #expect(try run("/usr/bin/objcopy", ["--dump-section", ".graft_ir=v1.ir", "v1/prog", "v1.copy"], cwd: d).status == 0)
        try Data(so).write(to: URL(fileURLWithPath: d + "/swapped.so"))
        #expect(try run("/usr/bin/objcopy", ["--update-section", ".graft_ir=v1.ir", "swapped.so"], cwd: d).status == 0)
        try seal([UInt8](try Data(contentsOf: URL(fileURLWithPath: d + "/swapped.so"))), "swapped.patch",
                 sign: ["--sign", ProcessInfo.processInfo.environment["GRAFT_SIGNING_KEY"] ?? ""])
        let swapped = try Self.graft(["check", "--program", "v1/prog", "--patch", "swapped.patch"], in: d)
        #expect(swapped.status == 1 && swapped.stdout.contains("and the IR it carries is build \(base) [DEPLOY-6]"), "\(swapped.stdout)")
        // DEPLOY-6: the verdict it carries says update point 1 is in "worq", and the checker finds it in "work".
        let needle = Array("\"place\":\"work\"".utf8)
        let at = try #require((0...(so.count - needle.count)).first { Array(so[$0..<($0 + needle.count)]) == needle }, "the plan in the patch")
        so[at + needle.count - 2] = UInt8(ascii: "q")
        try seal(so, "tampered-signed.patch", sign: ["--sign", ProcessInfo.processInfo.environment["GRAFT_SIGNING_KEY"] ?? ""])
        let tampered = try Self.graft(["check", "--program", "v1/prog", "--patch", "tampered-signed.patch"], in: d)
        #expect(tampered.status == 1 && tampered.stdout.contains("error: the verdict the patch carries is not the checker's: the reasons of its verdicts differ") && tampered.stdout.contains("[DEPLOY-6]"), "\(tampered.stdout)")
        let tamperedJSON = try Self.graft(["check", "--program", "v1/prog", "--patch", "tampered-signed.patch", "--format", "sarif"], in: d)
        #expect(tamperedJSON.status == 1 && tamperedJSON.stdout.contains("\"ruleId\" : \"DEPLOY-6\""), "\(tamperedJSON.stdout)")
        #expect(try Self.sarifViolations(tamperedJSON.stdout) == "")

        // Bad input: exit 2, one line.
        for args in [["--program", "v1/prog", "--patch", "missing.patch"], ["--program", "v1/prog", "--patch", "v1/prog"],
                     ["--program", "v1/prog.c", "--patch", "p.patch"], ["--program", "v1/prog"], ["--program", "v1/prog", "--patch", "p.patch", "--format", "xml"]] {
            let r = try Self.graft(["check"] + args, in: d)
            #expect(r.status == 2 && r.stdout.isEmpty && !r.stderr.isEmpty, "\(args): \(r.status) \(r.stdout)\(r.stderr)")
        }
    }

    @Test("graft explain: a rule as Specs/ writes it; every rule listed; an unknown id exits 2 naming its neighbours")
    func explain() throws {
        let d = tempDir()
        let one = try Self.graft(["explain", "upd-2"], in: d)
        let spec = try String(contentsOfFile: Self.repo + "/Specs/updatability.md", encoding: .utf8)
        #expect(one.status == 0 && one.stdout.hasPrefix("UPD-2 Types in Δ    (Specs/updatability.md)\n"), "\(one.stdout)")
        let body = one.stdout.split(separator: "\n").dropFirst(2).first.map(String.init) ?? "?"
        #expect(spec.contains(body), "\(body)")
        #expect(!one.stdout.contains("### UPD-3"), "\(one.stdout)")
        let all = try Self.graft(["explain"], in: d)
        let headings = try FileManager.default.contentsOfDirectory(atPath: Self.repo + "/Specs").filter { $0.hasSuffix(".md") }.flatMap {
            try String(contentsOfFile: Self.repo + "/Specs/" + $0, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("### ") && $0.contains("-") }
        }
        #expect(all.status == 0 && all.stdout.split(separator: "\n").count == headings.count && all.stdout.contains("DEPLOY-6 "), "\(all.stdout)")
        let unknown = try Self.graft(["explain", "PATCH-99"], in: d)
        #expect(unknown.status == 2 && unknown.stderr.contains("no rule 'PATCH-99' (PATCH rules: PATCH-1, "), "\(unknown.stderr)")
    }
}
