// Diagnostics as a compiler prints them:
//   file:line:col: error: message [RULE-ID]
//     the source line
//     ^
// and as JSON for machines. Every pass reports through this one type.

import Foundation

public struct Diagnostic: Error, Hashable, Codable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Codable, Sendable { case error, warning, note }
    public var severity: Severity
    public var loc: SourceLoc
    public var message: String
    /// The rule in Specs/ this diagnostic applies (`IR-3`), if any.
    public var rule: String?
    public init(_ severity: Severity = .error, _ loc: SourceLoc, _ message: String, rule: String? = nil) {
        self.severity = severity; self.loc = loc; self.message = message; self.rule = rule
    }

    /// `file:line:col: error: message [RULE]`, without the source excerpt.
    public var description: String {
        var s = loc.line > 0 ? "\(loc.file):\(loc.line):\(loc.column): " : (loc.file.isEmpty ? "" : "\(loc.file): ")
        s += "\(severity.rawValue): \(message)"
        if let rule { s += " [\(rule)]" }
        return s
    }

    /// The header line, then the source line and a caret when the file is readable.
    public func rendered() -> String {
        var out = description
        if loc.line > 0, let text = try? String(contentsOfFile: loc.file, encoding: .utf8) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if loc.line <= lines.count {
                let line = String(lines[loc.line - 1])
                out += "\n" + line + "\n"
                let pad = line.prefix(max(0, loc.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
                out += pad + "^"
            }
        }
        return out
    }
}

/// Several diagnostics from one run (a pass reports all it finds).
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]
    public init(_ items: [Diagnostic]) { self.items = items }
    public var description: String { items.map(\.description).joined(separator: "\n") }
}
