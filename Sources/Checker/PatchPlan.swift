// A patch's plan: what it changes and its verdict at every update point
// of the running program (Specs/patch.md, Specs/updatability.md).
// PatchRules.plan derives it; PatchValidation derives its content again
// with its own code; the generator (Sources/Codegen/Patch.swift) makes the
// patch's code from it; the patch file carries it.

import IR

/// One thing that keeps a patch from an update point, with the rule that decides it.
public struct Blocker: Hashable, Codable, Sendable {
    public var rule: String
    public var message: String
    /// What the rule is about: a type (`struct entry`), a function or a global, by the name the programmer knows.
    public var subject: String?
    /// The code that still uses it: the function (as the programmer knows it) and where, in the part still to run.
    public var user: String?
    public var use: SourceLoc?
    public init(_ rule: String, _ message: String, subject: String? = nil, user: String? = nil, use: SourceLoc? = nil) {
        self.rule = rule; self.message = message; self.subject = subject; self.user = user; self.use = use
    }
}

public struct PointVerdict: Hashable, Codable, Sendable {
    public var point: Int
    /// The identity of the function the point is in.
    public var function: String
    /// That function as the programmer knows it: its identity, or "the loop at prog.c:12 in main".
    public var place: String
    public var loc: SourceLoc
    public var admissible: Bool
    /// Why not: each use that blocks, with its rule.
    public var blockers: [Blocker]
    /// What would make the patch admissible here, checked (computed only when it is admissible nowhere).
    public var hints: [String] = []
    /// The functions whose activations may be on the stack at the point, the point's own first, then its callers.
    public var stack: [String]?
    /// "UPD-1: the signature of 'db_lookup' changed, and …".
    public var reasons: [String] { blockers.map { "\($0.rule): \($0.message)" } }
    public init(point: Int, function: String, place: String, loc: SourceLoc, admissible: Bool, blockers: [Blocker], hints: [String] = [],
                stack: [String]? = nil) {
        self.point = point; self.function = function; self.place = place; self.loc = loc
        self.admissible = admissible; self.blockers = blockers; self.hints = hints; self.stack = stack
    }
}

/// A wrapped type changing representation (Specs/patch.md PATCH-2).
public struct TypeChange: Hashable, Codable, Sendable {
    public var type: String
    public var fromTag: UInt32
    public var toTag: UInt32
    /// Every old field keeps its name, place and type (UPD-2).
    public var extends: Bool
    /// New fields the default transformer fills from the same-named old field.
    public var defaulted: [String]
    /// The programmer's `graft_transform_<tag>`, if NEW provides one.
    public var transformer: String?
    public var change: String
    /// New fields the default transformer sets to the constant NEW's code gives them (PATCH-2), instead of zero.
    public var initial: [Initial] = []
    public struct Initial: Hashable, Codable, Sendable {
        public var field: String
        public var value: Constant
        /// The constant's (arithmetic) type.
        public var type: CType
        /// Where NEW's code sets it, and in which function.
        public var loc: SourceLoc
        public var function: String?
        public init(field: String, value: Constant, type: CType, loc: SourceLoc, function: String?) {
            self.field = field; self.value = value; self.type = type; self.loc = loc; self.function = function
        }
        /// "window = 4096 (as NEW's 'setup' sets it, prog.c:9)".
        public var description: String {
            "\(field) = \(Self.spelled(value)) (as NEW's \(function.map { "'\($0)'" } ?? "initializer") sets it, \(loc.file):\(loc.line))"
        }
        public static func spelled(_ c: Constant) -> String {
            switch c {
            case .int(let x): return "\(x)"
            case .float(let d, let sp): return sp ?? "\(d)"
            default: return "?"
            }
        }
    }
    /// "struct entry: field ttl added — default transformer; it sets ttl = 60 (…)", as graft patch and graft check print it.
    public var conversion: String {
        let how = transformer.map { "default transformer, then \($0)" }
            ?? (extends ? "default transformer; the old layout is a prefix of the new (UPD-2)" : "default transformer")
        return "\(type): \(change) — \(how)" + (initial.isEmpty ? "" : "; it sets " + initial.map(\.description).joined(separator: ", "))
    }

    public init(type: String, fromTag: UInt32, toTag: UInt32, extends: Bool, defaulted: [String], transformer: String?, change: String) {
        self.type = type; self.fromTag = fromTag; self.toTag = toTag; self.extends = extends
        self.defaulted = defaulted; self.transformer = transformer; self.change = change
    }
}

public struct PatchPlan: Hashable, Codable, Sendable {
    public var baseVersion: String
    public var targetVersion: String
    public var changedFunctions: [String] = []
    /// Of the changed functions, those whose text did not change: recompiled
    /// because a type, global or signature they depend on did (with the reason).
    public var recompiled: [String: String] = [:]
    public var newFunctions: [String] = []
    /// Functions OLD defines and NEW does not: they stay in the process, unused by new code.
    public var deletedFunctions: [String] = []
    /// Of the new functions, those a system header defines (static inline helpers): not listed.
    public var fromSystemHeaders: Set<String> = []
    public var newGlobals: [String] = []
    /// Globals whose type changed: the patch defines them anew (PATCH-3).
    public var replacedGlobals: [String] = []
    /// Globals whose type changed to one of the same representation (`int` → `unsigned`): kept in place (PATCH-3).
    public var retypedInPlace: [String] = []
    /// Globals defined anew (PATCH-3) that the running program writes and
    /// whose value C's conversion keeps (`int` → `long`, `float` →
    /// `double`): the patch sets NEW's from the running one when it is
    /// applied, before the state transformer runs.
    public var carriedGlobals: [String] = []
    public var signatureChanges: [String] = []
    public var typeChanges: [TypeChange] = []
    /// NEW's `graft_state_transform`, run once when the patch is applied.
    public var stateTransformer: String?
    public var refusals: [Diagnostic] = []
    public var verdicts: [PointVerdict] = []
    /// Extracted loop bodies (UPD-3) by identity (`main#loop1`) → how the programmer knows them.
    public var loops: [String: String] = [:]
    /// Statics matched across files (PATCH-1): NEW's identity → the running program's.
    public var moved: [String: String] = [:]
    public init(baseVersion: String, targetVersion: String) { self.baseVersion = baseVersion; self.targetVersion = targetVersion }
    public var admissiblePoints: [Int] { verdicts.filter(\.admissible).map(\.point) }
    /// A function of the plan by the name the programmer knows: its identity, or "the loop at prog.c:12 in main".
    public func displayName(_ identity: String) -> String { loops[identity] ?? identity }

    /// When the patch is admissible at no update point (UPD-1): an error for
    /// each use that blocks each point, with the rule that decides it, and a
    /// note for each change that would make it admissible. Empty otherwise.
    public var blockedEverywhere: [Diagnostic] {
        guard !verdicts.isEmpty, admissiblePoints.isEmpty else { return [] }
        var out: [Diagnostic] = []
        var noted: Set<String> = []
        for v in verdicts {
            for b in v.blockers { out.append(Diagnostic(.error, v.loc, "update point \(v.point) in \(v.place): \(b.message)", rule: b.rule)) }
            for h in v.hints where noted.insert(h).inserted { out.append(Diagnostic(.note, v.loc, h)) }
        }
        return out
    }

    /// The rules that keep the patch from every update point, in order of first appearance.
    public var decidingRules: [String] {
        var seen: [String] = []
        for v in verdicts { for b in v.blockers where !seen.contains(b.rule) { seen.append(b.rule) } }
        return seen
    }

    public var summary: String {
        var parts: [String] = []
        if !typeChanges.isEmpty { parts.append("\(typeChanges.count) type(s) converted: " + typeChanges.map { "\($0.type) (\($0.change))" }.joined(separator: ", ")) }
        let edited = changedFunctions.filter { recompiled[$0] == nil }
        if !edited.isEmpty { parts.append("\(edited.count) changed function(s): \(edited.map(displayName).joined(separator: ", "))") }
        if !recompiled.isEmpty { parts.append("\(recompiled.count) recompiled") }
        let listed = newFunctions.filter { !fromSystemHeaders.contains($0) }
        if !listed.isEmpty { parts.append("\(listed.count) new function(s): \(listed.map(displayName).joined(separator: ", "))") }
        if !newGlobals.isEmpty { parts.append("\(newGlobals.count) new global(s): \(newGlobals.joined(separator: ", "))") }
        if !replacedGlobals.isEmpty { parts.append("\(replacedGlobals.count) global(s) redefined: \(replacedGlobals.joined(separator: ", "))") }
        if !retypedInPlace.isEmpty { parts.append("\(retypedInPlace.count) global(s) retyped in place: \(retypedInPlace.joined(separator: ", "))") }
        if !deletedFunctions.isEmpty { parts.append("\(deletedFunctions.count) deleted function(s): \(deletedFunctions.map(displayName).joined(separator: ", "))") }
        if !moved.isEmpty { parts.append("\(moved.count) static(s) matched across files: " + moved.sorted { $0.key < $1.key }.map { "\($0.key) is \($0.value)" }.joined(separator: ", ")) }
        if let st = stateTransformer { parts.append("state transformer \(st)") }
        return parts.isEmpty ? "no code changes" : parts.joined(separator: "; ")
    }
}
