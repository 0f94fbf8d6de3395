// `graft check --program BUILD --patch P.patch`: before deploying, the
// checker's verdict on a patch for one build, derived again (DEPLOY-6):
// the patch's file, signature and trust as the program will see them; the
// plan and the verdict at every update point from the IR of BUILD and the
// inputs the patch carries, by the checker `graft patch` ran
// (PatchCheck); and that verdict compared with the one the patch carries.
// The report is one value (CheckReport); text, JSON and SARIF are three
// renderings of it.

import ArgumentParser
import Checker
import Foundation
import IR
import Instrument

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a patch against the build it is for, before deploying it.",
        discussion: """
            For every update point of BUILD: admissible, or the rule that blocks it, the \
            type, function or global it is about, and the code that still uses it (the \
            function and file:line in the part still to run, and the callers that may be on \
            the stack). Also every transformer's verdict, what the plan changes, the \
            signature and whether BUILD trusts its key.

            The verdict is derived again, by the checker `graft patch` runs, from BUILD's IR \
            and the inputs the patch carries (NEW's IR and transformers), and compared with \
            the verdict the patch carries (Specs/deploy.md, DEPLOY-6).

            Exit status: 0 when the patch is valid and admissible at one update point at \
            least; 1 when it is invalid (another base, an untrusted or missing signature, a \
            verdict that differs, a refused change) or admissible nowhere; 2 for bad input \
            (a file that is missing, not a patch, corrupt, or a build without graft's IR).

            --format json prints the report as one JSON object (its schema is in the README: \
            "graft check --format json"); --format sarif as SARIF 2.1.0.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sarif }

    @Option(help: ArgumentHelp("The running build: an executable made by graft cc.", valueName: "build"))
    var program: String

    @Option(help: ArgumentHelp("The patch file (made by graft patch).", valueName: "patch"))
    var patch: String

    @Option(help: "text, json or sarif.")
    var format: Format = .text

    func run() throws {
        let report: CheckReport
        do { report = try CheckReport.make(program: program, patch: patch) }
        catch {
            _ = Console.report(error)
            throw ExitCode(2)
        }
        switch format {
        case .text: print(report.text, terminator: "")
        case .json: print(String(decoding: try report.json(), as: UTF8.self))
        case .sarif: print(String(decoding: try report.sarif(rules: RuleBook.load()), as: UTF8.self))
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// Usage errors exit with 2 (bad input), as the command's help says.
    static func mainExitingTwoOnBadUsage(_ arguments: [String]) -> Never {
        do {
            var command = try Graft.parseAsRoot(["check"] + arguments)
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if Graft.exitCode(for: error) == .success { Graft.exit(withError: error) }  // --help
            Console.error(Graft.fullMessage(for: error) + "\n")
            Foundation.exit(2)
        }
    }
}

/// What `graft check` found.
struct CheckReport: Encodable {
    var schema = "graft-check/1"
    var patch: String
    var program: String
    /// The build BUILD is (its version id) and the versions the patch moves between.
    var programVersion: String
    var base: String
    var target: String
    /// The signing key (base64), nil when unsigned.
    var signer: String?
    /// How BUILD's runtime will judge the signature (DEPLOY-1, DEPLOY-2).
    var trust: String
    /// No error: the patch is for BUILD, signed as BUILD accepts, its changes admitted and its verdict the checker's.
    var valid: Bool
    /// The update points where it is admissible.
    var admissibleAt: [Int]
    var points: [Point]
    var changes: Changes?
    var transformers: [TransformerVerdict]
    /// Errors that make it invalid, and warnings.
    var diagnostics: [Diagnostic]
    var exitCode: Int32

    struct Point: Encodable {
        var point: Int
        /// The function the point is in, as the programmer knows it.
        var place: String
        var loc: SourceLoc
        var admissible: Bool
        var blockers: [Blocker]
        /// The functions that may be on the stack there, the point's own first.
        var stack: [String]
        /// What would make the patch admissible (when it is admissible nowhere).
        var hints: [String]
    }

    struct Changes: Encodable {
        var summary: String
        var types: [TypeChange]
        var changedFunctions: [String]
        var recompiled: [String: String]
        var newFunctions: [String]
        var deletedFunctions: [String]
        var newGlobals: [String]
        var replacedGlobals: [String]
        var retypedInPlace: [String]
        var carriedGlobals: [String]
    }

    struct TransformerVerdict: Encodable {
        var name: String
        /// The type it converts, or "state" for graft_state_transform.
        var converts: String
        var admitted: Bool
        /// The rules it was checked by, or the ones it breaks.
        var rules: [String]
    }

    // MARK: Deriving the report

    static func make(program: String, patch: String) throws -> CheckReport {
        let file = try PatchFile.read(patch)
        let so = Data(file.so)
        let carried = try file.plan(path: patch)
        let old = try PatchCommand.program(of: program)
        let record = FileManager.default.contents(atPath: program).flatMap { BuildRecord.of(elf: $0) }
        let version = Updatable.versionID(of: old)
        var report = CheckReport(patch: patch, program: program, programVersion: version, base: file.base, target: file.target,
                                 signer: file.key.map(SigningKey.describe), trust: "", valid: true, admissibleAt: [], points: [],
                                 changes: nil, transformers: [], diagnostics: [], exitCode: 0)
        let at = SourceLoc(file: patch, line: 0, column: 0)
        func error(_ message: String, _ rule: String) { report.diagnostics.append(Diagnostic(.error, at, message, rule: rule)) }

        // DEPLOY-1, DEPLOY-2: the signature, as the program's runtime will judge it.
        let trust = record?.trust
        switch (report.signer, trust) {
        case (nil, let t?) where t.acceptUnsigned:
            report.trust = "unsigned; accepted: \(program) is a development build (GRAFT_ACCEPT_UNSIGNED)"
        case (nil, _):
            report.trust = "unsigned; refused"
            error("the patch is unsigned, and \(program) accepts only signed patches: sign it with `graft sign --key K \(patch)`", "DEPLOY-1")
        case (let k?, let t?) where t.keys.contains(k):
            report.trust = "signed by a key built into \(program)"
        case (let k?, _):
            report.trust = "signed by a key not built into \(program)"
            report.diagnostics.append(Diagnostic(.warning, at,
                "key \(k) is not built into \(program)" + (trust == nil ? " (its trusted keys are not recorded: built by an older graft)" : "")
                + ": the program accepts the patch only where /etc/graft/trusted-keys names it", rule: "DEPLOY-2"))
        }
        // DEPLOY-4: the patch is for this build.
        guard file.base == version else {
            error("the patch is for build \(file.base), and \(program) is build \(version): it would be refused before loading; build the patch from the sources \(program) was built from", "DEPLOY-4")
            return report.finished()
        }
        // DEPLOY-6: the verdict, derived again from the inputs the patch carries.
        guard let inputs = try PatchInputs.carried(by: so, old: old, origin: patch) else {
            throw Failure("\(patch) does not carry what it was derived from (built by an older graft): build it again with graft patch")
        }
        let newVersion = Updatable.versionID(of: inputs.new)
        if newVersion != file.target || carried.baseVersion != file.base || carried.targetVersion != file.target {
            error("the patch says it moves \(file.base) → \(file.target), its plan \(carried.baseVersion) → \(carried.targetVersion), and the IR it carries is build \(newVersion)", "DEPLOY-6")
            return report.finished()
        }
        let outcome = try PatchCheck.run(inputs)
        if let refusal = outcome.refusal {
            switch refusal {
            case .blockedEverywhere: break  // the points say it
            default: report.diagnostics += refusal.diagnostics
            }
        }
        if let plan = outcome.plan {
            report.describe(plan)
            if plan != carried {
                error("the verdict the patch carries is not the checker's: \(Self.difference(carried: carried, derived: plan)); do not deploy it, and build it again with graft patch", "DEPLOY-6")
            }
        }
        return report.finished()
    }

    /// The points, changes and transformer verdicts of the checker's plan.
    mutating func describe(_ plan: PatchPlan) {
        points = plan.verdicts.map {
            Point(point: $0.point, place: $0.place, loc: $0.loc, admissible: $0.admissible, blockers: $0.blockers,
                  stack: $0.stack ?? [], hints: $0.hints)
        }
        admissibleAt = plan.admissiblePoints
        let shown = { (fs: [String]) in fs.map(plan.displayName) }
        changes = Changes(summary: plan.summary, types: plan.typeChanges, changedFunctions: shown(plan.changedFunctions),
                          recompiled: Dictionary(plan.recompiled.map { (plan.displayName($0.key), $0.value) }, uniquingKeysWith: { a, _ in a }),
                          newFunctions: shown(plan.newFunctions.filter { !plan.fromSystemHeaders.contains($0) }),
                          deletedFunctions: shown(plan.deletedFunctions), newGlobals: plan.newGlobals, replacedGlobals: plan.replacedGlobals,
                          retypedInPlace: plan.retypedInPlace, carriedGlobals: plan.carriedGlobals)
        let transRefusals = plan.refusals.filter { $0.rule?.hasPrefix("TRANS-") ?? false }
        func verdict(_ name: String, _ converts: String) -> TransformerVerdict {
            let broken = transRefusals.filter { $0.message.contains(name) }.compactMap(\.rule)
            return TransformerVerdict(name: name, converts: converts, admitted: broken.isEmpty,
                                      rules: broken.isEmpty ? ["TRANS-1", "TRANS-2", "TRANS-3", "TRANS-4", "TRANS-5", "TRANS-6"] : Array(Set(broken)).sorted())
        }
        transformers = plan.typeChanges.compactMap { t in t.transformer.map { verdict($0, t.type) } }
            + (plan.stateTransformer.map { [verdict($0, "state")] } ?? [])
    }

    /// Errors decide: invalid (1); valid and admissible nowhere (1); else 0.
    func finished() -> CheckReport {
        var r = self
        r.valid = !diagnostics.contains { $0.severity == .error }
        r.exitCode = r.valid && !admissibleAt.isEmpty ? 0 : 1
        return r
    }

    /// The first way two plans differ, in words.
    static func difference(carried: PatchPlan, derived: PatchPlan) -> String {
        for (a, b) in zip(carried.verdicts, derived.verdicts) where a.admissible != b.admissible || a.point != b.point {
            return "it says update point \(a.point) is \(a.admissible ? "admissible" : "blocked"), the checker finds point \(b.point) \(b.admissible ? "admissible" : "blocked")"
        }
        if carried.verdicts.count != derived.verdicts.count { return "it has \(carried.verdicts.count) update point verdicts, the checker \(derived.verdicts.count)" }
        if carried.typeChanges != derived.typeChanges { return "its type conversions differ" }
        if Set(carried.changedFunctions) != Set(derived.changedFunctions) || Set(carried.newFunctions) != Set(derived.newFunctions) { return "the functions it replaces differ" }
        if carried.newGlobals != derived.newGlobals || carried.replacedGlobals != derived.replacedGlobals { return "the globals it defines differ" }
        if carried.verdicts != derived.verdicts { return "the reasons of its verdicts differ" }
        // Any other field, by name.
        var fields: [String] = []
        func compare<T: Equatable>(_ name: String, _ k: KeyPath<PatchPlan, T>) { if carried[keyPath: k] != derived[keyPath: k] { fields.append(name) } }
        compare("recompiled", \.recompiled); compare("deletedFunctions", \.deletedFunctions)
        compare("fromSystemHeaders", \.fromSystemHeaders); compare("retypedInPlace", \.retypedInPlace)
        compare("carriedGlobals", \.carriedGlobals); compare("signatureChanges", \.signatureChanges)
        compare("stateTransformer", \.stateTransformer); compare("refusals", \.refusals); compare("loops", \.loops)
        compare("moved", \.moved); compare("changedFunctions", \.changedFunctions); compare("newFunctions", \.newFunctions)
        return "its plans differ (\(fields.isEmpty ? "?" : fields.joined(separator: ", ")))"
    }

    // MARK: Renderings

    /// Compiler-style: a line for the patch, each finding with its source line, each point, the plan, the verdict.
    var text: String {
        var out = "graft check: \(patch) (\(base) → \(target)) on \(program)\n"
        out += "  signature: \(trust)\n"
        for d in diagnostics { out += d.rendered() + "\n" }
        for p in points {
            if p.admissible {
                out += Diagnostic(.note, p.loc, "update point \(p.point) (\(p.place)): admissible").description + "\n"
                continue
            }
            for b in p.blockers {
                out += Diagnostic(.error, b.use ?? p.loc, "update point \(p.point) (\(p.place)): \(b.message)", rule: b.rule).rendered() + "\n"
            }
            if !p.stack.isEmpty {
                out += Diagnostic(.note, p.loc, "update point \(p.point) is here; on the stack there may be: \(p.stack.joined(separator: " ← "))").description + "\n"
            }
            for h in p.hints { out += Diagnostic(.note, p.loc, h).description + "\n" }
        }
        if let c = changes {
            out += "plan: \(c.summary)\n"
            for t in c.types { out += "  \(t.conversion)\n" }
            for t in transformers {
                out += "  transformer \(t.name) (\(t.converts == "state" ? "the state" : t.converts)): " + (t.admitted ? "checked" : "refused") + " [\(t.rules.joined(separator: ", "))]\n"
            }
        }
        let n = points.count
        if !valid {
            out += "graft check: the patch is invalid for \(program) (errors above)\n"
        } else if admissibleAt.isEmpty {
            var rules: [String] = []
            for b in points.flatMap(\.blockers) where !rules.contains(b.rule) { rules.append(b.rule) }
            out += "graft check: the patch is valid but admissible at none of the \(n) update point(s) [\(rules.joined(separator: ", "))]\n"
        } else {
            out += "graft check: the patch is valid and admissible at \(admissibleAt.count) of \(n) update point(s) (\(admissibleAt.map(String.init).joined(separator: ", ")))\n"
        }
        return out
    }

    func json() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(self)
    }

    /// SARIF 2.1.0: one run; a result per finding and per blocked use (level error), and per admissible point (kind pass).
    func sarif(rules book: [Rule]) throws -> Data {
        var results: [[String: Any]] = []
        var used: [String] = []
        func ruleIndex(_ id: String?) -> Int? {
            guard let id else { return nil }
            if let i = used.firstIndex(of: id) { return i }
            used.append(id)
            return used.count - 1
        }
        func location(_ l: SourceLoc, _ message: String? = nil, id: Int? = nil) -> [String: Any] {
            var physical: [String: Any] = ["artifactLocation": ["uri": Self.uri(l.file.isEmpty ? patch : l.file)]]
            if l.line > 0 { physical["region"] = ["startLine": l.line, "startColumn": max(1, l.column)] }
            var loc: [String: Any] = ["physicalLocation": physical]
            if let message { loc["message"] = ["text": message] }
            if let id { loc["id"] = id }
            return loc
        }
        func result(rule: String?, level: String, kind: String = "fail", _ message: String, at l: SourceLoc,
                    related: [[String: Any]] = [], stack: [String] = [], properties: [String: Any] = [:]) -> [String: Any] {
            var r: [String: Any] = ["level": level, "kind": kind, "message": ["text": message], "locations": [location(l)]]
            if let rule, let i = ruleIndex(rule) { r["ruleId"] = rule; r["ruleIndex"] = i }
            if !related.isEmpty { r["relatedLocations"] = related }
            if !stack.isEmpty {
                r["stacks"] = [["message": ["text": "the activations that may be on the stack at the update point, innermost first"],
                                "frames": stack.map { ["location": ["message": ["text": $0]]] }]]
            }
            if !properties.isEmpty { r["properties"] = properties }
            return r
        }
        for d in diagnostics {
            results.append(result(rule: d.rule, level: d.severity.rawValue, d.message, at: d.loc))
        }
        for p in points {
            let props: [String: Any] = ["updatePoint": p.point, "place": p.place]
            if p.admissible {
                results.append(result(rule: nil, level: "none", kind: "pass", "update point \(p.point) (\(p.place)): admissible", at: p.loc, properties: props))
                continue
            }
            for b in p.blockers {
                var bp = props
                if let s = b.subject { bp["subject"] = s }
                if let u = b.user { bp["usedBy"] = u }
                results.append(result(rule: b.rule, level: "error", "update point \(p.point) (\(p.place)): \(b.message)", at: b.use ?? p.loc,
                                      related: [location(p.loc, "update point \(p.point)", id: 1)], stack: p.stack, properties: bp))
            }
        }
        let driverRules: [[String: Any]] = used.map { id in
            guard let r = book.first(where: { $0.id == id }) else { return ["id": id] }
            return ["id": id, "name": Self.ruleName(r.title), "shortDescription": ["text": r.title],
                    "fullDescription": ["text": r.summary.isEmpty ? r.title : r.summary],
                    "help": ["text": "graft explain \(id) (Specs/\(r.file))"]]
        }
        let run: [String: Any] = [
            "tool": ["driver": ["name": "graft", "version": Graft.version, "semanticVersion": Graft.version, "rules": driverRules]],
            "invocations": [["executionSuccessful": true, "exitCode": Int(exitCode),
                             "commandLine": "graft check --program \(program) --patch \(patch) --format sarif"]],
            "results": results,
            "properties": ["valid": valid, "admissibleAt": admissibleAt, "base": base, "target": target, "programVersion": programVersion,
                           "trust": trust],
        ]
        let log: [String: Any] = ["$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]]
        return try JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// A file path as an absolute `file://` URI.
    static func uri(_ path: String) -> String {
        let abs = (path as NSString).isAbsolutePath ? path
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return URL(fileURLWithPath: (abs as NSString).standardizingPath).absoluteString
    }

    /// "A global keeps its type, or NEW defines it anew" → "AGlobalKeepsItsTypeOrNewDefinesItAnew".
    static func ruleName(_ title: String) -> String {
        title.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
    }
}
