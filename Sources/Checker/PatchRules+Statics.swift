// Statics across files (Specs/patch.md PATCH-1): a static function, a
// file-scope static or a static local is known by its file (`prog.c:name`,
// `prog.c:f:name`). That identity is stable while the entity moves within
// its file, but not when the file is named otherwise (built from another
// folder: `v1/prog.c`, `v2/prog.c`) or when the entity moves to another
// file. Left alone, the patch would see "deleted + new": a static local
// would restart from its initializer, and a static function's slot would
// never be rebound. This pass matches NEW's statics to OLD's when the match
// is unambiguous, and refuses, with the names, when a static that holds
// state moved and cannot be matched:
//
//  1. A file renamed: a file of OLD none of NEW's statics come from, and a
//     file of NEW none of OLD's come from, with the same file name and no
//     other such pair: every static of the NEW file takes the OLD file in
//     its identity (whatever else changed: it is the same file).
//  2. A static moved to another file: the one static of its kind and name
//     (for a static local: of its function's name) that OLD has and NEW has
//     not, and the one that NEW has and OLD has not. A function matches
//     when its type is the same (its body may change: then it is a changed
//     function, and its slot is rebound); a variable when its type is the
//     same (seen through typedefs) and, for a static local, its function is
//     matched too.
//  3. A static variable that moved and does not match (retyped, its
//     function not matched, or several candidates) is refused, unless NEW's
//     transformers provide `graft_state_transform`: its state would restart.

import IR

extension PatchRules {
    /// A static of a program, by where its identity says it lives.
    struct StaticEntity {
        enum Kind { case function, variable }
        var kind: Kind
        var index: Int
        var identity: String
        var sourceName: String
        /// The file part of the identity.
        var unit: String
        /// For a static local: the source name of its function, and that function's identity.
        var function: String?
        var owner: String?
        /// What a move keeps: the name, and for a static local its function's.
        var key: String { (function.map { $0 + ":" } ?? "") + sourceName }
        var isLocal: Bool { function != nil }
    }

    static func statics(of p: Program) -> [StaticEntity] {
        var out: [StaticEntity] = []
        var bySourceName: [String: [Function]] = [:]
        for f in p.functions where f.isDefinition { bySourceName[f.sourceName, default: []].append(f) }
        for (i, f) in p.functions.enumerated() where f.isDefinition && f.storage == .static {
            guard f.identity.hasSuffix(":" + f.sourceName), f.identity.count > f.sourceName.count + 1 else { continue }
            out.append(StaticEntity(kind: .function, index: i, identity: f.identity, sourceName: f.sourceName,
                                    unit: String(f.identity.dropLast(f.sourceName.count + 1))))
        }
        for (i, g) in p.globals.enumerated() where g.storage == .static {
            guard let name = nameInIdentity(g.identity, g.sourceName) else { continue }
            let rest = String(g.identity.dropLast(name.count + 1))
            // `file:function:name` for a static local of a function the program defines.
            if let colon = rest.lastIndex(of: ":"), colon != rest.startIndex {
                let fname = String(rest[rest.index(after: colon)...])
                if let candidates = bySourceName[fname] {
                    let unit = String(rest[..<colon])
                    let owner = candidates.first { Uses.of($0, in: p).globals.contains(g.id) } ?? candidates[0]
                    out.append(StaticEntity(kind: .variable, index: i, identity: g.identity, sourceName: name,
                                            unit: unit, function: fname, owner: owner.identity))
                    continue
                }
            }
            out.append(StaticEntity(kind: .variable, index: i, identity: g.identity, sourceName: name, unit: rest))
        }
        return out
    }

    /// The name part of a static's identity: its source name, or for a
    /// function's second static local of that name `name#2` (Specs/link.md
    /// LINK-2); nil when the identity does not end in it.
    static func nameInIdentity(_ identity: String, _ sourceName: String) -> String? {
        guard let colon = identity.lastIndex(of: ":"), colon != identity.startIndex else { return nil }
        let name = String(identity[identity.index(after: colon)...])
        if name == sourceName { return name }
        guard name.hasPrefix(sourceName + "#"), Int(name.dropFirst(sourceName.count + 1)) != nil else { return nil }
        return name
    }

    /// The result of matching NEW's statics to OLD's.
    public struct StaticMatch {
        /// NEW with the identities of matched statics replaced by OLD's.
        public var program: Program
        /// NEW's identity → OLD's, for every static matched across files.
        var moved: [String: String] = [:]
        var refusals: [Diagnostic] = []
    }

    /// PATCH-1: NEW's statics matched to OLD's across renamed files and
    /// moves between files (see the top of this file).
    public static func matchStatics(old: Program, new: Program, stateTransformer: Bool = false) -> StaticMatch {
        let os = statics(of: old)
        var ns = statics(of: new)
        var result = StaticMatch(program: new)
        guard !ns.isEmpty, !os.isEmpty else { return result }
        func base(_ unit: String) -> String { unit.split(separator: "/").last.map(String.init) ?? unit }

        // 1. Files renamed.
        let oldUnits = Set(os.map(\.unit)), newUnits = Set(ns.map(\.unit))
        let gone = oldUnits.subtracting(newUnits), arrived = newUnits.subtracting(oldUnits)
        var renamed: [String: String] = [:]
        for v in arrived.sorted() {
            let from = gone.filter { base($0) == base(v) }
            let rivals = arrived.filter { base($0) == base(v) }
            if from.count == 1, rivals.count == 1 { renamed[v] = from.first! }
        }
        func rename(_ identity: String, _ unit: String, to newUnit: String) -> String {
            newUnit + identity.dropFirst(unit.count)
        }
        var functionIdentity: [String: String] = [:]   // NEW's → OLD's, for owners of static locals
        for k in ns.indices {
            guard let to = renamed[ns[k].unit] else { continue }
            let id = rename(ns[k].identity, ns[k].unit, to: to)
            if ns[k].kind == .function { functionIdentity[ns[k].identity] = id }
            result.moved[ns[k].identity] = id
            ns[k].identity = id
            ns[k].unit = to
        }
        for k in ns.indices { if let o = ns[k].owner, let m = functionIdentity[o] { ns[k].owner = m } }
        if !stateTransformer && Rules.enforced("PATCH-1", site: "same-name") {
            result.refusals += sameNameRefusals(old: os, new: ns, in: new)
        }

        // 2. Statics moved to another file.
        let oldFunctionIDs = Set(old.functions.filter(\.isDefinition).map(\.identity))
        let oldGlobalIDs = Set(old.globals.map(\.identity))
        let newFunctionIDs = Set(new.functions.filter(\.isDefinition).map { functionIdentity[$0.identity] ?? $0.identity })
        let newGlobalIDs = Set(new.globals.map { result.moved[$0.identity] ?? $0.identity })
        func present(_ e: StaticEntity, in functions: Set<String>, _ globals: Set<String>) -> Bool {
            e.kind == .function ? functions.contains(e.identity) : globals.contains(e.identity)
        }
        let lostOld = os.filter { !present($0, in: newFunctionIDs, newGlobalIDs) }
        for kind in [StaticEntity.Kind.function, .variable] {
            let lost = Dictionary(grouping: lostOld.filter { $0.kind == kind }, by: \.key)
            let found = Dictionary(grouping: ns.indices.filter { ns[$0].kind == kind && !present(ns[$0], in: oldFunctionIDs, oldGlobalIDs) },
                                   by: { ns[$0].key })
            for (key, newOnes) in found.sorted(by: { $0.key < $1.key }) {
                guard let oldOnes = lost[key] else { continue }
                if oldOnes.count == 1, newOnes.count == 1 {
                    let o = oldOnes[0], k = newOnes[0], n = ns[k]
                    var why: String? = nil
                    switch kind {
                    case .function:
                        let ot = old.functions[o.index].type, nt = new.functions[n.index].type
                        if fingerprintType(.function(ot), in: old) != fingerprintType(.function(nt), in: new) { continue }
                    case .variable:
                        if fingerprintType(old.globals[o.index].type, in: old) != fingerprintType(new.globals[n.index].type, in: new) {
                            why = "its type changed"
                        } else if n.isLocal, o.owner != n.owner {
                            why = "its function '\(n.function!)' is not the running one (it is new, or its type changed)"
                        }
                    }
                    if let why {
                        if !stateTransformer && Rules.enforced("PATCH-1", site: "unmatched") {
                            result.refusals.append(movedRefusal(o, n, new.globals[n.index].loc, why))
                        }
                        continue
                    }
                    if kind == .function { functionIdentity[n.identity] = o.identity }
                    result.moved[new.identity(of: kind, n.index)] = o.identity
                    ns[k].identity = o.identity
                    if kind == .function {
                        for j in ns.indices where ns[j].owner == n.identity { ns[j].owner = o.identity }
                    }
                } else if kind == .variable && !stateTransformer && Rules.enforced("PATCH-1", site: "ambiguous") {
                    // Several statics of one name moved: which is which cannot be told.
                    for k in newOnes {
                        let n = ns[k]
                        let from = oldOnes.map { "'\($0.unit)'" }.joined(separator: ", ")
                        result.refusals.append(Diagnostic(.error, new.globals[n.index].loc,
                            "\(describe(n)) is new in \(n.unit), and the running program has \(oldOnes.count) of that name that NEW has not (in \(from)): which one it continues cannot be told, so its state would restart; keep it in its file, or carry it over in `void \(TransformerCheck.stateTransformerName)(void)` in NEW's transformers.c",
                            rule: "PATCH-1"))
                    }
                }
            }
        }

        // NEW's identities replaced.
        for i in result.program.functions.indices {
            if let m = result.moved[result.program.functions[i].identity] {
                result.program.functions[i].identity = m
            }
        }
        for i in result.program.globals.indices {
            if let m = result.moved[result.program.globals[i].identity] { result.program.globals[i].identity = m }
        }
        return result
    }

    /// A function's static locals of one name are told apart by their order
    /// (`n`, `n#2`, … Specs/link.md LINK-2). When OLD and NEW have a
    /// different number of them, which one continues which cannot be told
    /// (one added before the others shifts them all): refused, unless NEW
    /// carries the state over itself.
    static func sameNameRefusals(old os: [StaticEntity], new ns: [StaticEntity], in new: Program) -> [Diagnostic] {
        func groups(_ es: [StaticEntity]) -> [String: [StaticEntity]] {
            Dictionary(grouping: es.filter(\.isLocal)) { e in
                "\(e.unit):\(e.function!):" + (e.sourceName.split(separator: "#").first.map(String.init) ?? e.sourceName)
            }
        }
        let o = groups(os), n = groups(ns)
        var out: [Diagnostic] = []
        for (key, newOnes) in n.sorted(by: { $0.key < $1.key }) {
            let oldCount = o[key]?.count ?? 0
            guard oldCount > 0, oldCount != newOnes.count, max(oldCount, newOnes.count) > 1, let first = newOnes.first else { continue }
            let name = first.sourceName.split(separator: "#").first.map(String.init) ?? first.sourceName
            out.append(Diagnostic(.error, new.globals[first.index].loc,
                "'\(first.function!)' has \(newOnes.count) static locals named '\(name)' in NEW and \(oldCount) in the running program; they are told apart by their order, so which one continues which cannot be told and state could pass to the wrong one: give the new one another name, or carry the state over in `void \(TransformerCheck.stateTransformerName)(void)` in NEW's transformers.c",
                rule: "PATCH-1"))
        }
        return out
    }

    static func describe(_ e: StaticEntity) -> String {
        switch (e.kind, e.function) {
        case (.function, _): return "static function '\(e.sourceName)'"
        case (.variable, .some(let f)): return "static local '\(e.sourceName)' of '\(f)'"
        case (.variable, nil): return "static '\(e.sourceName)'"
        }
    }

    /// "static local 'count' of 'f' moved from a.c to b.c: its state would restart".
    static func movedRefusal(_ o: StaticEntity, _ n: StaticEntity, _ loc: SourceLoc, _ why: String) -> Diagnostic {
        Diagnostic(.error, loc,
            "\(describe(n)) moved from \(o.unit) to \(n.unit): its state would restart, because \(why) and so it cannot be matched to the running one; move it without changing it (one patch), then change it (the next), or carry it over in `void \(TransformerCheck.stateTransformerName)(void)` in NEW's transformers.c",
            rule: "PATCH-1")
    }
}

extension Program {
    /// The identity of a function or global by its index.
    fileprivate func identity(of kind: PatchRules.StaticEntity.Kind, _ index: Int) -> String {
        kind == .function ? functions[index].identity : globals[index].identity
    }
}

extension PatchRules {
    /// The file-scope static variables of `p` (not static locals), by global index.
    public static func fileScopeStatics(of p: Program) -> [Int] {
        statics(of: p).filter { $0.kind == .variable && !$0.isLocal }.map(\.index)
    }
}
