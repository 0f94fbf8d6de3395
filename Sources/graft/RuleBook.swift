// The written rules (Specs/*.md), read for `graft explain RULE-ID` and for
// the rule descriptions of `graft check --format sarif`. A rule is a
// Markdown section `### ID Title`, up to the next heading of its level or
// above.

import ArgumentParser
import Foundation

struct Rule: Equatable {
    var id: String
    var title: String
    /// Its text, without the heading.
    var body: String
    /// The Specs file it is in (`patch.md`).
    var file: String

    /// Its first paragraph, on one line.
    var summary: String {
        let para = body.components(separatedBy: "\n\n").first { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? ""
        return para.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

enum RuleBook {
    /// The rules of one Specs file's text.
    static func rules(in text: String, file: String) -> [Rule] {
        var out: [Rule] = []
        var current: (id: String, title: String, lines: [Substring])? = nil
        func close() {
            if let c = current {
                out.append(Rule(id: c.id, title: c.title, body: c.lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines), file: file))
            }
            current = nil
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("### ") {
                close()
                let words = line.dropFirst(4).split(separator: " ", maxSplits: 1)
                if let id = words.first, id.contains("-"), id.last?.isNumber == true {
                    current = (String(id), words.count > 1 ? String(words[1]) : "", [])
                }
            } else if line.hasPrefix("# ") || line.hasPrefix("## ") {
                close()
            } else {
                current?.lines.append(line)
            }
        }
        close()
        return out
    }

    /// Every rule of the Specs folder graft finds (Installation.specs), by file name order.
    static func load() -> [Rule] {
        guard let dir = Installation.specs,
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return files.filter { $0.hasSuffix(".md") }.sorted().flatMap { f in
            (try? String(contentsOfFile: (dir as NSString).appendingPathComponent(f), encoding: .utf8)).map { rules(in: $0, file: f) } ?? []
        }
    }
}

/// `graft explain RULE-ID`: the rule as Specs/ writes it.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print a rule of graft's checker (UPD-2, PATCH-3, DEPLOY-1, …) as Specs/ writes it.",
        discussion: """
            Every diagnostic graft gives ends with the id of the rule that decides it, \
            `[UPD-2]`; `graft explain UPD-2` prints that rule: what it says, why, and what \
            makes a patch admissible under it. Without an id, lists every rule with its title. \
            The rules are read from graft's Specs folder (PREFIX/share/graft/specs when \
            installed, Specs/ in the source tree, or $GRAFT_SPECS_DIR).
            """)

    @Argument(help: ArgumentHelp("A rule id (case does not matter).", valueName: "rule-id"))
    var rule: String?

    func run() throws {
        let rules = RuleBook.load()
        guard !rules.isEmpty else { throw exit("graft: error: cannot find graft's rules (Specs/); set GRAFT_SPECS_DIR") }
        guard let rule else {
            for r in rules { print("\(r.id.padding(toLength: 10, withPad: " ", startingAt: 0)) \(r.title)") }
            return
        }
        guard let r = rules.first(where: { $0.id.caseInsensitiveCompare(rule) == .orderedSame }) else {
            let prefix = rule.uppercased().split(separator: "-").first.map(String.init) ?? rule
            let near = rules.filter { $0.id.hasPrefix(prefix + "-") }.map(\.id)
            throw exit("graft: error: no rule '\(rule)'" + (near.isEmpty ? "; `graft explain` lists them" : " (\(prefix) rules: \(near.joined(separator: ", ")))"))
        }
        print("\(r.id) \(r.title)    (Specs/\(r.file))\n")
        print(r.body)
    }

    private func exit(_ message: String) -> ExitCode {
        Console.error(message + "\n")
        return ExitCode(2)
    }
}
