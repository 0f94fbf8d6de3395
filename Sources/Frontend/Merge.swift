// Merging translation units into one program — graft's "linker" at IR level.
//
// Each unit was lowered alone, with ids local to it. The merge does what a
// linker does with symbols and what a C compiler would do if all units were
// one file, in five steps:
//
//  1. Symbols. External globals and functions are unified by linkage name
//     (declaration + definition → one entity carrying the definition). Two
//     strong definitions of one symbol are an error, as `ld` says it. A
//     tentative definition (`int x;`) yields to an initialized one. An
//     inline function definition yields to a non-inline (external) one and
//     never clashes. Statics stay per unit.
//  2. Enums, 3. records and typedefs are unified when they have the same
//     `identity` and the same structure after renumbering (the same header
//     included twice). Records may be recursive through typedefs and
//     pointers, so unification is a greatest fixpoint: assume every
//     same-identity pair equal, drop the pairs whose remapped structure
//     differs, repeat. An incomplete declaration unifies with a definition.
//     Field names are not structure: a record spelled with other names
//     in some units is the same record (Specs/link.md LINK-1).
//  4. Names. The merged program is one C file: ordinary identifiers
//     (variables, functions, typedefs, enumerators) and tags must be unique.
//     External names never change. A static, typedef or enumerator whose
//     name is claimed by more than one entity becomes `name__<file stem>`
//     (all claimants, so the name does not depend on unit order);
//     `sourceName` and `identity` keep the original. A tag used by two
//     different records/enums gets `__2`, `__3`, … on later ones.
//  5. Contents. Every entity is copied with its ids remapped through an
//     `IDMapper` of its unit; `order` is the concatenation of the units'
//     orders with each entity placed where its definition is.

import Foundation
import IR

public enum Merge {
    /// Merges units (in link order). Throws `Diagnostics` on linker errors.
    public static func merge(_ units: [Program]) throws -> Program {
        var m = Merger(units: units)
        return try m.run()
    }

    /// LINK-2: one file lowered twice into a program (compiled again with
    /// other `-D`s) gives two units whose statics have the same identities
    /// (`lib.c:tab`). The second such unit in link order becomes `lib.c#2`
    /// in every static's identity (`lib.c#2:tab`, `lib.c#2:f:n`), the third
    /// `lib.c#3`, so that each static is its own entity across versions.
    public static func distinctUnitIdentities(_ units: [Program]) -> [Program] {
        var claimed = Set<String>()
        return units.map { unit in
            var u = unit
            let file = unitPart(u) ?? u.sources.first.map { ($0 as NSString).lastPathComponent } ?? ""
            // A static made by the frontend (a compound literal's object) is known by its file too.
            for i in u.globals.indices where u.globals[i].storage == .static && u.globals[i].identity.isEmpty {
                u.globals[i].identity = file + ":" + u.globals[i].sourceName
            }
            let own = staticIdentities(u)
            guard !own.isDisjoint(with: claimed), !file.isEmpty else { claimed.formUnion(own); return u }
            var k = 2
            func renamed(_ identity: String) -> String {
                identity.hasPrefix(file + ":") ? "\(file)#\(k)" + identity.dropFirst(file.count) : identity
            }
            while !Set(own.map(renamed)).isDisjoint(with: claimed) { k += 1 }
            for i in u.globals.indices where u.globals[i].storage == .static { u.globals[i].identity = renamed(u.globals[i].identity) }
            for i in u.functions.indices where u.functions[i].storage == .static { u.functions[i].identity = renamed(u.functions[i].identity) }
            claimed.formUnion(staticIdentities(u))
            return u
        }
    }

    /// The identities of a unit's statics (functions, file-scope statics, static locals).
    static func staticIdentities(_ u: Program) -> Set<String> {
        Set(u.globals.filter { $0.storage == .static }.map(\.identity) + u.functions.filter { $0.storage == .static }.map(\.identity))
            .subtracting([""])
    }

    /// The file part every static identity of a unit starts with (`lib.c` of `lib.c:tab`).
    static func unitPart(_ u: Program) -> String? {
        let ids = staticIdentities(u)
        let candidates = ids.compactMap { id in id.firstIndex(of: ":").map { String(id[..<$0]) } }
        return candidates.min(by: { $0.count < $1.count }).flatMap { c in ids.allSatisfy { $0.hasPrefix(c + ":") } ? c : nil }
    }

    /// Two records' fields are one layout (LINK-1): the same number of
    /// fields with the same types, bit-widths, offsets and attributes, and
    /// the same anonymous members; the names may differ (a unit that
    /// renames the fields by macro, glibc's `__fds_bits`/`fds_bits` with and
    /// without `_GNU_SOURCE`). Accesses name fields by index, so every unit
    /// reaches the same bytes it did when compiled alone, as with `cc`.
    public static func sameLayout(_ a: [Field], _ b: [Field]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { f, g in
            (f.name == nil) == (g.name == nil) && f.type == g.type && f.bitWidth == g.bitWidth
                && f.offsetBits == g.offsetBits && f.attributes == g.attributes
        }
    }

    /// A C-identifier-safe stem of a unit's file name: `src/util.c` → `util`.
    public static func stem(of file: String) -> String {
        var base = (file as NSString).lastPathComponent
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        var s = String(base.unicodeScalars.map { c -> Character in
            let ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
            return ok ? Character(c) : "_"
        })
        if s.isEmpty { s = "unit" }
        if let f = s.first, f.isNumber { s = "_" + s }
        return s
    }
}

private struct Merger {
    let units: [Program]
    let stems: [String]
    var diagnostics: [Diagnostic] = []

    // Step 1: symbols.
    var globalMap: [[GlobalID]] = []
    var funcMap: [[FuncID]] = []
    var globalContribs: [[(unit: Int, id: GlobalID)]] = []
    var funcContribs: [[(unit: Int, id: FuncID)]] = []

    // Step 2: enums.
    var enums: [EnumDef] = []
    var enumOrigin: [Int] = []       // unit whose enumerator names it carries
    var enumDefUnit: [Int] = []      // unit where it is complete (order placement)
    var enumOrigTag: [String] = []
    var enumMap: [[EnumID]] = []

    // Step 3: records and typedefs.
    var records: [Record] = []
    var recordOrigin: [Int] = []
    var recordDefUnit: [Int] = []
    var recordOrigTag: [String] = []
    var recordMap: [[RecordID]] = []
    var typedefs: [Typedef] = []
    var typedefOrigin: [Int] = []
    var typedefMap: [[TypedefID]] = []

    // Step 4: names.
    var globalNames: [String] = []
    var funcNames: [String] = []
    var typedefNames: [String] = []
    var enumeratorNames: [[String]] = []   // per merged enum, per item
    var enumeratorRename: [[String: String]] = []  // per unit

    init(units: [Program]) {
        self.units = Merge.distinctUnitIdentities(units)
        self.stems = units.enumerated().map { i, u in u.sources.first.map(Merge.stem(of:)) ?? "unit\(i)" }
    }

    mutating func run() throws -> Program {
        unifySymbols()
        for u in units.indices { unifyEnums(u) }
        for u in units.indices { unifyRecordsAndTypedefs(u) }
        assignNames()
        var out = Program()
        for i in globalContribs.indices { out.globals.append(buildGlobal(GlobalID(i))) }
        for i in funcContribs.indices { out.functions.append(buildFunction(FuncID(i))) }
        if diagnostics.contains(where: { $0.severity == .error }) { throw Diagnostics(diagnostics) }
        out.records = records.indices.map { i in
            var r = IDMapper(enumerator: renamer(recordOrigin[i])).map(records[i]); r.id = RecordID(i); return r
        }
        out.enums = enums.enumerated().map { i, e in var e = e; e.names = enumeratorNames[i]; return e }
        out.typedefs = typedefs.indices.map { i in
            var t = IDMapper(enumerator: renamer(typedefOrigin[i])).map(typedefs[i])
            t.id = TypedefID(i); t.name = typedefNames[i]; return t
        }
        assignTags(&out)
        out.order = buildOrder(out)
        out.sources = units.flatMap(\.sources)
        convertUnprototypedCalls(&out)
        checkVariableDeclarations(out)
        if diagnostics.contains(where: { $0.severity == .error }) { throw Diagnostics(diagnostics) }
        return out
    }

    // MARK: 1. Symbols

    /// A unit's id maps and each merged entity's contributions, by linkage name.
    mutating func unifySymbols() {
        var externalGlobal: [String: GlobalID] = [:]
        var externalFunc: [String: FuncID] = [:]
        for (u, unit) in units.enumerated() {
            globalMap.append(unit.globals.map { g in
                if g.storage != .static, let id = externalGlobal[g.name] {
                    globalContribs[id.index].append((u, g.id)); return id
                }
                let id = GlobalID(globalContribs.count)
                globalContribs.append([(u, g.id)])
                if g.storage != .static { externalGlobal[g.name] = id }
                return id
            })
            funcMap.append(unit.functions.map { f in
                if f.storage != .static, let id = externalFunc[f.name] {
                    funcContribs[id.index].append((u, f.id)); return id
                }
                let id = FuncID(funcContribs.count)
                funcContribs.append([(u, f.id)])
                if f.storage != .static { externalFunc[f.name] = id }
                return id
            })
        }
        for (name, gid) in externalGlobal.sorted(by: { $0.key < $1.key }) {
            guard let fid = externalFunc[name] else { continue }
            let g = funcContribs[fid.index][0], v = globalContribs[gid.index][0]
            let fl = units[g.unit][g.id].loc, vl = units[v.unit][v.id].loc
            diagnostics.append(Diagnostic(.error, vl, "`\(name)` is a variable here and a function at \(fl)"))
            diagnostics.append(Diagnostic(.note, fl, "`\(name)` declared as a function here"))
        }
    }

    // MARK: 2. Enums

    mutating func unifyEnums(_ u: Int) {
        var byIdentity: [String: [EnumID]] = [:]
        for (i, e) in enums.enumerated() { byIdentity[e.identity, default: []].append(EnumID(i)) }
        enumMap.append(units[u].enums.map { e in
            for c in byIdentity[e.identity] ?? [] where enumCompatible(e, c) {
                if !enums[c.index].isComplete && e.isComplete || e.isComplete && Self.preferredConstants(e, over: enums[c.index]) {
                    let id = enums[c.index].id
                    enums[c.index] = e; enums[c.index].id = id
                    enumOrigin[c.index] = u; enumDefUnit[c.index] = u
                }
                return c
            }
            let id = EnumID(enums.count)
            var copy = e; copy.id = id
            enums.append(copy); enumOrigin.append(u); enumDefUnit.append(u); enumOrigTag.append(e.tag)
            return id
        })
    }

    /// LINK-1 for enums: one identity, one representation (the integer type under it, its
    /// attributes) is one enum, whatever constants each unit sees (OpenSSH's `SyslogFacility` has
    /// `SYSLOG_FACILITY_AUTHPRIV` only where <syslog.h> came first). Constants are values in the
    /// IR, so a unit's code means what it meant; the enum shows one unit's list (`preferredConstants`).
    func enumCompatible(_ e: EnumDef, _ c: EnumID) -> Bool {
        let m = enums[c.index]
        guard e.tag == enumOrigTag[c.index] else { return false }
        if !e.isComplete || !m.isComplete { return true }
        return e.underlying == m.underlying && e.attributes == m.attributes
    }

    /// Whether the merged enum shows `e`'s constants rather than `m`'s: the longer list, then the
    /// least, so that it does not depend on the order of the units.
    static func preferredConstants(_ e: EnumDef, over m: EnumDef) -> Bool {
        if e.names.count != m.names.count { return e.names.count > m.names.count }
        return e.names.lexicographicallyPrecedes(m.names)
    }

    // MARK: 3. Records and typedefs

    mutating func unifyRecordsAndTypedefs(_ u: Int) {
        let unit = units[u]
        var recordsByIdentity: [String: [RecordID]] = [:]
        for (i, r) in records.enumerated() { recordsByIdentity[r.identity, default: []].append(RecordID(i)) }
        var typedefsByIdentity: [String: [TypedefID]] = [:]
        for (i, t) in typedefs.enumerated() { typedefsByIdentity[t.identity, default: []].append(TypedefID(i)) }

        let rCands = unit.records.map { recordsByIdentity[$0.identity] ?? [] }
        let tCands = unit.typedefs.map { typedefsByIdentity[$0.identity] ?? [] }
        var rChoice: [Int?] = rCands.map { $0.isEmpty ? nil : 0 }
        var tChoice: [Int?] = tCands.map { $0.isEmpty ? nil : 0 }

        let em = enumMap[u], gm = globalMap[u], fm = funcMap[u]
        // Not-yet-unified entities map to negative placeholders, which equal nothing merged.
        func trialMapper() -> IDMapper {
            let rc = rChoice, tc = tChoice
            return IDMapper(record: { id in rc[id.index].map { rCands[id.index][$0] } ?? RecordID(-1 - id.index) },
                            enumeration: { em[$0.index] },
                            typedef: { id in tc[id.index].map { tCands[id.index][$0] } ?? TypedefID(-1 - id.index) },
                            global: { gm[$0.index] },
                            function: { fm[$0.index] })
        }
        func advance(_ k: Int, _ count: Int) -> Int? { k + 1 < count ? k + 1 : nil }

        var changed = true
        while changed {
            changed = false
            let m = trialMapper()
            for (i, r) in unit.records.enumerated() {
                guard let k = rChoice[i] else { continue }
                if !recordCompatible(m.map(r), rCands[i][k]) { rChoice[i] = advance(k, rCands[i].count); changed = true }
            }
            for (i, t) in unit.typedefs.enumerated() {
                guard let k = tChoice[i] else { continue }
                let c = typedefs[tCands[i][k].index]
                if t.name != c.name || m.map(t.type) != c.type { tChoice[i] = advance(k, tCands[i].count); changed = true }
            }
        }

        // Fresh ids for the rest, then copy them in.
        var nextRecord = records.count, nextTypedef = typedefs.count
        let rFinal: [RecordID] = rChoice.indices.map { i in
            if let k = rChoice[i] { return rCands[i][k] }
            defer { nextRecord += 1 }; return RecordID(nextRecord)
        }
        let tFinal: [TypedefID] = tChoice.indices.map { i in
            if let k = tChoice[i] { return tCands[i][k] }
            defer { nextTypedef += 1 }; return TypedefID(nextTypedef)
        }
        recordMap.append(rFinal); typedefMap.append(tFinal)
        let m = IDMapper(record: { rFinal[$0.index] }, enumeration: { em[$0.index] },
                         typedef: { tFinal[$0.index] }, global: { gm[$0.index] }, function: { fm[$0.index] })
        for (i, r) in unit.records.enumerated() {
            let mapped = m.map(r)
            if rChoice[i] == nil {
                records.append(mapped); recordOrigin.append(u); recordDefUnit.append(u); recordOrigTag.append(r.tag)
            } else if records[rFinal[i].index].fields == nil && mapped.fields != nil {
                // The definition completes a merged declaration.
                let tag = records[rFinal[i].index].tag
                records[rFinal[i].index] = mapped; records[rFinal[i].index].tag = tag
                recordOrigin[rFinal[i].index] = u; recordDefUnit[rFinal[i].index] = u
            } else if let have = records[rFinal[i].index].fields, let mine = mapped.fields {
                // The same layout spelled with other field names (LINK-1).
                records[rFinal[i].index].fields = spelling(have, mine)
            }
        }
        for (i, t) in unit.typedefs.enumerated() where tChoice[i] == nil {
            typedefs.append(m.map(t)); typedefOrigin.append(u)
        }
    }

    /// `r` already remapped (its id is the candidate's or a placeholder).
    func recordCompatible(_ r: Record, _ c: RecordID) -> Bool {
        let m = records[c.index]
        guard r.kind == m.kind, r.isAnonymousMember == m.isAnonymousMember,
              r.tag == recordOrigTag[c.index] else { return false }
        guard let rf = r.fields, let mf = m.fields else { return true }
        return Merge.sameLayout(rf, mf) && r.size == m.size && r.align == m.align && r.attributes == m.attributes
    }

    /// The spelling one merged record keeps for its fields when its units
    /// spell them differently (LINK-1): the least, so it does not depend
    /// on the order of the units.
    func spelling(_ a: [Field], _ b: [Field]) -> [Field] {
        let an = a.map { $0.name ?? "" }, bn = b.map { $0.name ?? "" }
        return bn.lexicographicallyPrecedes(an) ? zip(a, bn).map { f, n in var f = f; f.name = f.name == nil ? nil : n; return f } : a
    }

    /// LINK-3: each unit's calls to functions it saw without a prototype,
    /// or declared with another type, converted to the prototype the
    /// program has for them.
    mutating func convertUnprototypedCalls(_ out: inout Program) {
        let views: [[FuncID: Merge.CallerView]] = units.indices.map { u in
            let m = mapper(u)
            var seen: [FuncID: Merge.CallerView] = [:]
            for f in units[u].functions {
                let id = funcMap[u][f.id.index]
                if !f.type.hasPrototype { seen[id] = .noPrototype; continue }
                let mine = CType.function(m.map(f.type)), linked = CType.function(out[id].type)
                if !Merge.sameForIR(mine, linked, in: out) { seen[id] = .declared(mine, f.loc) }
            }
            return seen
        }
        for i in out.functions.indices {
            guard let u = funcDefUnit[i], out.functions[i].isDefinition, !views[u].isEmpty else { continue }
            let (f, problems) = Merge.convertUnprototypedCalls(out.functions[i], calling: views[u], in: out)
            out.functions[i] = f
            diagnostics += problems
        }
    }

    /// LINK-5: a unit that uses an external variable through a declaration
    /// of another type than the definition's reads and writes its storage
    /// as something else: refused at that declaration.
    mutating func checkVariableDeclarations(_ out: Program) {
        for (i, contribs) in globalContribs.enumerated() where contribs.count > 1 {
            let g = out.globals[i]
            guard g.storage != .static else { continue }
            for c in contribs {
                let d = mapper(c.unit).map(units[c.unit][c.id])
                guard !Merge.sameObjectType(d.type, g.type, in: out), Merge.uses(units[c.unit], global: c.id) else { continue }
                diagnostics.append(Diagnostic(.error, d.loc,
                    "'\(g.sourceName)' is declared here as '\(Merge.show(out, d.type))', and \(g.initializer != nil || g.storage != .extern ? "defined" : "declared") as '\(Merge.show(out, g.type))' at \(g.loc); this file reads and writes it as the other type: declare it once, in a header both files include",
                    rule: "LINK-5"))
            }
        }
    }

    // MARK: 4. Names

    /// A claimant of an ordinary identifier that may be renamed.
    enum Claimant: Hashable {
        case global(Int), function(Int), typedef(Int), enumerator(Int, Int)
    }

    mutating func assignNames() {
        globalNames = globalContribs.map { c in units[c[0].unit][c[0].id].name }
        funcNames = funcContribs.map { c in units[c[0].unit][c[0].id].name }
        typedefNames = typedefs.map(\.name)
        enumeratorNames = enums.map(\.names)

        // Who wants each name, in a fixed order.
        var fixed = Set<String>()
        var claims: [String: [Claimant]] = [:]
        var claimOrder: [Claimant] = []
        func claim(_ name: String, _ c: Claimant) { claims[name, default: []].append(c); claimOrder.append(c) }
        for (i, c) in globalContribs.enumerated() {
            if units[c[0].unit][c[0].id].storage == .static { claim(globalNames[i], .global(i)) } else { fixed.insert(globalNames[i]) }
        }
        for (i, c) in funcContribs.enumerated() {
            if units[c[0].unit][c[0].id].storage == .static { claim(funcNames[i], .function(i)) } else { fixed.insert(funcNames[i]) }
        }
        for i in typedefs.indices { claim(typedefNames[i], .typedef(i)) }
        for (i, names) in enumeratorNames.enumerated() { for (k, n) in names.enumerated() { claim(n, .enumerator(i, k)) } }

        var taken = fixed.union(claims.keys)
        for c in claimOrder {
            let (name, unit) = nameAndUnit(c)
            let contested = fixed.contains(name) || claims[name]!.count > 1
            guard contested else { continue }
            var candidate = "\(name)__\(stems[unit])"
            var n = 2
            while taken.contains(candidate) { candidate = "\(name)__\(stems[unit])__\(n)"; n += 1 }
            taken.insert(candidate)
            switch c {
            case .global(let i): globalNames[i] = candidate
            case .function(let i): funcNames[i] = candidate
            case .typedef(let i): typedefNames[i] = candidate
            case .enumerator(let i, let k): enumeratorNames[i][k] = candidate
            }
        }

        // Each unit's enumerators, by their name in that unit.
        enumeratorRename = units.indices.map { u in
            var map: [String: String] = [:]
            for e in units[u].enums {
                let merged = enumMap[u][e.id.index].index
                for (k, n) in e.names.enumerated() where k < enumeratorNames[merged].count {
                    map[n] = enumeratorNames[merged][k]
                }
            }
            return map
        }
    }

    func nameAndUnit(_ c: Claimant) -> (String, Int) {
        switch c {
        case .global(let i): let g = globalContribs[i][0]; return (units[g.unit][g.id].name, g.unit)
        case .function(let i): let f = funcContribs[i][0]; return (units[f.unit][f.id].name, f.unit)
        case .typedef(let i): return (typedefs[i].name, typedefOrigin[i])
        case .enumerator(let i, let k): return (enums[i].names[k], enumOrigin[i])
        }
    }

    func renamer(_ u: Int) -> (String) -> String {
        let map = enumeratorRename[u]
        return { map[$0] ?? $0 }
    }

    func mapper(_ u: Int) -> IDMapper {
        let g = globalMap[u], f = funcMap[u], r = recordMap[u], e = enumMap[u], t = typedefMap[u]
        return IDMapper(record: { r[$0.index] }, enumeration: { e[$0.index] }, typedef: { t[$0.index] },
                        global: { g[$0.index] }, function: { f[$0.index] }, enumerator: renamer(u))
    }

    /// Struct and union and enum tags share one namespace.
    func assignTags(_ p: inout Program) {
        var used = Set<String>()
        func fresh(_ tag: String) -> String {
            if used.insert(tag).inserted { return tag }
            var n = 2
            while used.contains("\(tag)__\(n)") { n += 1 }
            used.insert("\(tag)__\(n)")
            return "\(tag)__\(n)"
        }
        // Records and enums in the order they were first met.
        for i in p.records.indices where !p.records[i].isAnonymousMember { p.records[i].tag = fresh(p.records[i].tag) }
        for i in p.enums.indices where !p.enums[i].tag.isEmpty { p.enums[i].tag = fresh(p.enums[i].tag) }
    }

    // MARK: 5. Contents

    /// The merged entity: the contribution that carries the definition,
    /// renamed and remapped; duplicate definitions are diagnosed.
    mutating func buildGlobal(_ id: GlobalID) -> GlobalVar {
        let contribs = globalContribs[id.index].map { c in (unit: c.unit, g: mapper(c.unit).map(units[c.unit][c.id])) }
        let strong = contribs.filter { $0.g.initializer != nil }
        let tentative = contribs.filter { $0.g.storage == .none && $0.g.initializer == nil }
        let name = contribs[0].g.name
        for dup in strong.dropFirst() { duplicate(name, dup.g.loc, strong[0].g.loc) }
        var primary = strong.first ?? tentative.first ?? contribs.first(where: { !isIncompleteArray($0.g.type) }) ?? contribs[0]
        if !strong.isEmpty || !tentative.isEmpty, primary.g.storage == .extern { primary.g.storage = .none }
        var g = primary.g
        g.id = id
        g.name = globalNames[id.index]
        g.attributes = unionAttributes(contribs.map(\.g.attributes), first: g.attributes)
        if g.identity.isEmpty { g.identity = identity(g.storage, g.sourceName, unit: primary.unit) }
        globalDefUnit[id.index] = primary.unit
        return g
    }

    mutating func buildFunction(_ id: FuncID) -> Function {
        let contribs = funcContribs[id.index].map { c in (unit: c.unit, f: mapper(c.unit).map(units[c.unit][c.id])) }
        // Only non-inline definitions clash. An inline definition (C99 `inline`,
        // or glibc's `extern inline` with gnu_inline, which the IR does not
        // tell apart from C99 `extern inline`) may appear in every unit that
        // includes its header; it yields to a non-inline one, and among
        // inline ones an `extern` (C99: external) definition is preferred.
        let external = contribs.filter { $0.f.body != nil && !$0.f.isInline }
        let inline = contribs.filter { $0.f.body != nil && $0.f.isInline }
        let name = contribs[0].f.name
        if contribs[0].f.storage != .static, let first = external.first {
            // The same definition text at the same place (a header included
            // by several units) is one definition: only an inline function
            // can legally be there, whatever the unit's IR says about it.
            for dup in external.dropFirst() where !(dup.f.loc == first.f.loc && dup.f.body == first.f.body && dup.f.type == first.f.type) {
                duplicate(name, dup.f.loc, first.f.loc)
            }
        }
        let primary = external.first ?? inline.first(where: { $0.f.storage == .extern }) ?? inline.first
            ?? contribs.first(where: { $0.f.type.hasPrototype }) ?? contribs[0]
        var f = primary.f
        f.id = id
        f.name = funcNames[id.index]
        f.attributes = unionAttributes(contribs.map(\.f.attributes), first: f.attributes)
        if f.identity.isEmpty { f.identity = identity(f.storage, f.sourceName, unit: primary.unit) }
        funcDefUnit[id.index] = primary.unit
        return f
    }

    var globalDefUnit: [Int: Int] = [:]
    var funcDefUnit: [Int: Int] = [:]

    mutating func duplicate(_ name: String, _ loc: SourceLoc, _ first: SourceLoc) {
        diagnostics.append(Diagnostic(.error, loc, "multiple definition of `\(name)`; first defined at \(first)"))
        diagnostics.append(Diagnostic(.note, first, "`\(name)` first defined here"))
    }

    func identity(_ storage: Storage, _ name: String, unit: Int) -> String {
        guard storage == .static, let file = units[unit].sources.first else { return name }
        return "\((file as NSString).lastPathComponent):\(name)"
    }

    func isIncompleteArray(_ t: CType) -> Bool {
        if case .array(_, nil) = t { return true }
        return false
    }

    func unionAttributes(_ all: [[Attribute]], first: [Attribute]) -> [Attribute] {
        var out = first
        for list in all { for a in list where !out.contains(a) { out.append(a) } }
        return out
    }

    /// The units' orders concatenated, each entity at the place of the unit
    /// that defines it (so a definition never precedes the types it needs),
    /// file-scope `asm` kept everywhere.
    func buildOrder(_ p: Program) -> [TopLevel] {
        var seen = Set<TopLevel>()
        var out: [TopLevel] = []
        func defUnit(_ t: TopLevel) -> Int? {
            switch t {
            case .record(let id): return recordDefUnit[id.index]
            case .enumeration(let id): return enumDefUnit[id.index]
            case .typedef(let id): return typedefOrigin[id.index]
            case .global(let id): return globalDefUnit[id.index]
            case .function(let id): return funcDefUnit[id.index]
            case .asm: return nil
            }
        }
        // Which entities their defining unit lists; the others go at their first mention.
        var listed = Set<TopLevel>()
        for (u, unit) in units.enumerated() {
            let m = mapper(u)
            for t in unit.order { let mt = m.map(t); if defUnit(mt) == u { listed.insert(mt) } }
        }
        for (u, unit) in units.enumerated() {
            let m = mapper(u)
            for t in unit.order {
                let mt = m.map(t)
                if case .asm = mt { out.append(mt); continue }
                guard defUnit(mt) == u || !listed.contains(mt) else { continue }
                if seen.insert(mt).inserted { out.append(mt) }
            }
        }
        return out
    }
}
