// Patches: from the IR of two builds (OLD, NEW) to the program of a patch
// shared object and its verdicts (Specs/patch.md, Specs/updatability.md).
//
// Entities are matched by stable identity (PATCH-1). A function whose body
// changed gets a new implementation in the patch and its slot is rebound; a
// new function or global is defined by the patch; everything else is the
// running program's, reached by name. What this version cannot yet update
// is refused with the rule that says so: changed named types (PATCH-2,
// they need type wrapping), globals whose type changed (PATCH-3), changed
// functions without a slot (PATCH-4). A function whose signature changed is
// admissible only at update points whose Δ does not contain it (UPD-1).

import IR

public struct PointVerdict: Hashable, Codable, Sendable {
    public var point: Int
    public var function: String
    public var loc: SourceLoc
    public var admissible: Bool
    /// Why not, with the rule: "UPD-1: db_lookup's signature is in Δ".
    public var reasons: [String]
}

public struct PatchPlan: Hashable, Codable, Sendable {
    public var baseVersion: String
    public var targetVersion: String
    public var changedFunctions: [String] = []
    public var newFunctions: [String] = []
    public var newGlobals: [String] = []
    public var signatureChanges: [String] = []
    public var refusals: [Diagnostic] = []
    public var verdicts: [PointVerdict] = []
    public var admissiblePoints: [Int] { verdicts.filter(\.admissible).map(\.point) }
    public var summary: String {
        var parts: [String] = []
        if !changedFunctions.isEmpty { parts.append("\(changedFunctions.count) changed function(s): \(changedFunctions.joined(separator: ", "))") }
        if !newFunctions.isEmpty { parts.append("\(newFunctions.count) new function(s): \(newFunctions.joined(separator: ", "))") }
        if !newGlobals.isEmpty { parts.append("\(newGlobals.count) new global(s): \(newGlobals.joined(separator: ", "))") }
        return parts.isEmpty ? "no code changes" : parts.joined(separator: "; ")
    }
}

public enum PatchBuilder {
    // MARK: Comparing entities across versions

    /// A function or type with every id replaced by the identity it stands
    /// for and every source location dropped: equal iff unchanged.
    static func fingerprint(_ f: Function, in p: Program) -> String {
        var g = f
        g.id = FuncID(0)
        g.loc = .unknown
        g.name = f.identity
        g.locals = f.locals.map { var l = $0; l.loc = .unknown; return l }
        g.body = f.body.map(stripLocations)
        let m = identityMapper(p)
        return String(describing: m.map(g))
    }

    static func fingerprint(_ r: Record, in p: Program) -> String {
        var s = r
        s.id = RecordID(0)
        s.loc = .unknown
        return String(describing: identityMapper(p).map(s))
    }

    /// Ids replaced by a number derived from the identity of what they name.
    static func identityMapper(_ p: Program) -> IDMapper {
        func h(_ s: String) -> Int { Int(truncatingIfNeeded: fnv1a64(s) & 0x3fff_ffff_ffff_ffff) }
        // An anonymous record has no name to match by: its structure is its identity.
        func structure(_ id: RecordID, _ depth: Int) -> String {
            let r = p[id]
            guard r.tag.hasPrefix("__anon_"), depth < 8 else { return r.identity }
            let fields = (r.fields ?? []).map { f -> String in
                var t = f.type
                while case .qualified(let inner, _) = t { t = inner }
                let inner: String
                if case .record(let rid) = p.unroll(t) { inner = structure(rid, depth + 1) } else { inner = String(describing: t) }
                return "\(f.name ?? "_"):\(inner):\(f.bitWidth ?? -1):\(f.offsetBits)"
            }
            return "\(r.kind.rawValue){\(fields.joined(separator: ","))}\(r.size)"
        }
        return IDMapper(record: { RecordID(h(structure($0, 0))) },
                        enumeration: { EnumID(h(p[$0].identity)) },
                        typedef: { TypedefID(h(p[$0].identity)) },
                        global: { GlobalID(h(p[$0].identity)) },
                        function: { FuncID(h(p[$0].identity)) })
    }

    static func stripLocations(_ s: Stmt) -> Stmt {
        let u = SourceLoc.unknown
        func instr(_ i: Instr) -> Instr {
            switch i {
            case .assign(let l, let e, _): return .assign(l, e, u)
            case .call(let r, let c, let a, _): return .call(result: r, callee: c, args: a, u)
            case .vaArg(let r, let l, _): return .vaArg(result: r, list: l, u)
            case .asm(let a, _): return .asm(a, u)
            }
        }
        switch s {
        case .instr(let i): return .instr(instr(i))
        case .block(let ss): return .block(ss.map(stripLocations))
        case .local(let id, let ini, _): return .local(id, ini, u)
        case .if(let c, let t, let e, _): return .if(c, then: stripLocations(t), else: e.map(stripLocations), u)
        case .loop(let b, let n, _): return .loop(body: stripLocations(b), next: n.map(stripLocations), u)
        case .break: return .break(u)
        case .continue: return .continue(u)
        case .switch(let e, let b, _): return .switch(e, body: stripLocations(b), u)
        case .label(let l, _): return .label(l, u)
        case .goto(let l, _): return .goto(l, u)
        case .computedGoto(let e, _): return .computedGoto(e, u)
        case .return(let e, _): return .return(e, u)
        }
    }

    // MARK: The plan

    /// `oldManifest`: OLD's build manifest, when the caller already has it.
    public static func plan(old: Program, new: Program, oldManifest: BuildManifest? = nil) -> PatchPlan {
        let oldManifest = oldManifest ?? Updatable.instrument(old).1
        var plan = PatchPlan(baseVersion: oldManifest.version, targetVersion: Updatable.versionID(of: new))
        let oldFuncs = Dictionary(old.functions.map { ($0.identity, $0) }, uniquingKeysWith: { a, b in a.isDefinition ? a : b })
        let oldGlobals = Dictionary(old.globals.map { ($0.identity, $0) }, uniquingKeysWith: { a, b in a.initializer != nil ? a : b })
        let oldRecords = Dictionary(old.records.map { ($0.identity, $0) }, uniquingKeysWith: { a, b in a.fields != nil ? a : b })

        // PATCH-2: a named type whose representation changed.
        for r in new.records where r.fields != nil && !r.tag.hasPrefix("__anon_") {
            guard let o = oldRecords[r.identity], o.fields != nil else { continue }
            if fingerprint(o, in: old) != fingerprint(r, in: new) {
                plan.refusals.append(Diagnostic(.error, r.loc,
                    "\(r.identity) changed representation (\(describeChange(o, r, old: old, new: new))); updating a type needs type wrapping, which this version of graft does not do yet",
                    rule: "PATCH-2"))
            }
        }
        // PATCH-3: a global whose type changed; new globals join.
        for g in new.globals {
            guard let o = oldGlobals[g.identity] else {
                if g.storage != .extern { plan.newGlobals.append(g.identity) }
                continue
            }
            if fingerprintType(o.type, in: old) != fingerprintType(g.type, in: new) {
                plan.refusals.append(Diagnostic(.error, g.loc, "global '\(g.sourceName)' changed type; a state transformer for it is not supported yet", rule: "PATCH-3"))
            }
        }
        // Functions: changed bodies, new functions, changed signatures.
        for f in new.functions where f.isDefinition {
            guard let o = oldFuncs[f.identity], o.isDefinition else {
                plan.newFunctions.append(f.identity)
                continue
            }
            if fingerprint(o, in: old) == fingerprint(f, in: new) { continue }
            plan.changedFunctions.append(f.identity)
            if !Updatable.isIndirected(o) {
                plan.refusals.append(Diagnostic(.error, f.loc,
                    "function '\(f.sourceName)' changed but has no slot in the running program (\(o.type.variadic ? "variadic" : "inline-only")), so calls cannot be redirected",
                    rule: "PATCH-4"))
            }
            let ot = FunctionType(result: old.unroll(o.type.result), params: o.type.params, variadic: o.type.variadic, hasPrototype: o.type.hasPrototype)
            let nt = FunctionType(result: new.unroll(f.type.result), params: f.type.params, variadic: f.type.variadic, hasPrototype: f.type.hasPrototype)
            if fingerprintType(.function(ot), in: old) != fingerprintType(.function(nt), in: new) {
                plan.signatureChanges.append(f.identity)
            }
        }
        // UPD-1: per update point of the running program.
        let delta = Updatability.deltas(old, points: oldManifest.points)
        for pt in oldManifest.points {
            let blocked = plan.signatureChanges.filter { delta[pt.id, default: []].contains($0) }
            let reasons = blocked.map { "UPD-1: the signature of '\($0)' is in Δ here: code still running at this point may call it with the old one" }
            plan.verdicts.append(PointVerdict(point: pt.id, function: pt.function, loc: pt.loc, admissible: reasons.isEmpty, reasons: reasons))
        }
        return plan
    }

    static func fingerprintType(_ t: CType, in p: Program) -> String {
        String(describing: identityMapper(p).map(t))
    }

    static func describeChange(_ o: Record, _ n: Record, old: Program, new: Program) -> String {
        let on = Set((o.fields ?? []).compactMap(\.name)), nn = Set((n.fields ?? []).compactMap(\.name))
        var parts: [String] = []
        let added = nn.subtracting(on).sorted(), removed = on.subtracting(nn).sorted()
        if !added.isEmpty { parts.append("field\(added.count > 1 ? "s" : "") \(added.joined(separator: ", ")) added") }
        if !removed.isEmpty { parts.append("field\(removed.count > 1 ? "s" : "") \(removed.joined(separator: ", ")) removed") }
        if parts.isEmpty { parts.append("layout \(o.size) → \(n.size) bytes") }
        return parts.joined(separator: ", ")
    }

    // MARK: The patch program

    /// The program of the patch: NEW instrumented, with what the running
    /// program already has turned into references to it by name.
    public static func patchProgram(old: Program, new: Program, plan: PatchPlan,
                                    oldManifest: BuildManifest? = nil) -> (Program, [(slot: String, function: String)]) {
        let oldManifest = oldManifest ?? Updatable.instrument(old).1
        var (p, _) = Updatable.instrument(new)
        let changed = Set(plan.changedFunctions), added = Set(plan.newFunctions)
        var rebinds: [(String, String)] = []
        let oldIdentities = Set(old.functions.filter { Updatable.isIndirected($0) }.map(\.identity))
        for i in p.globals.indices {
            let id = p.globals[i].identity
            if let name = oldManifest.exported[id] {
                p.globals[i].name = name
                p.globals[i].storage = .extern
                p.globals[i].initializer = nil
            }
        }
        let tag = String(plan.targetVersion.prefix(8))
        for i in p.functions.indices {
            let f = p.functions[i]
            guard f.isDefinition else { continue }
            if f.name.hasPrefix(Updatable.implPrefix) {
                if changed.contains(f.identity) || added.contains(f.identity) {
                    p.functions[i].name = f.name + "__" + tag
                    if changed.contains(f.identity), let slot = oldManifest.slots[f.identity] {
                        rebinds.append((slot, p.functions[i].name))
                    }
                } else {
                    p.functions[i].body = nil
                    p.functions[i].locals = p.functions[i].locals.filter { $0.isParam }
                }
            } else if oldIdentities.contains(f.identity) || (!added.contains(f.identity) && !changed.contains(f.identity)) {
                // The running program's trampoline (or unchanged function): referenced by name.
                if !(f.isInline && f.storage != .static) {
                    p.functions[i].body = nil
                    p.functions[i].locals = p.functions[i].locals.filter { $0.isParam }
                    p.functions[i].storage = .extern
                    p.functions[i].attributes = p.functions[i].attributes.filter { $0.name != "constructor" && $0.name != "destructor" }
                }
            }
        }
        return (p, rebinds)
    }

    /// The `graft_patch` descriptor appended to the patch's C.
    public static func descriptorC(plan: PatchPlan, rebinds: [(slot: String, function: String)]) -> String {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var c = "\n/* graft: the patch descriptor the runtime reads. */\n#include \"graft_runtime.h\"\n"
        if !rebinds.isEmpty {
            c += "static const struct graft_rebind graft_rebinds[] = {\n"
            for r in rebinds { c += "    { \(q(r.slot)), (void *)\(r.function) },\n" }
            c += "};\n"
        }
        let points = plan.admissiblePoints
        if !points.isEmpty { c += "static const unsigned graft_points[] = { \(points.map(String.init).joined(separator: ", ")) };\n" }
        c += """
        const struct graft_patch_info graft_patch = {
            GRAFT_ABI, \(q(plan.baseVersion)), \(q(plan.targetVersion)),
            \(rebinds.count), \(rebinds.isEmpty ? "0" : "graft_rebinds"),
            0, 0,
            0,
            \(points.count), \(points.isEmpty ? "0" : "graft_points"),
            \(q(plan.summary))
        };

        """
        return c
    }
}

/// Δ per update point (Specs/updatability.md, UPD-1).
public enum Updatability {
    /// For each update point: the identities of the functions that code
    /// still running there may call with the signature it was compiled
    /// against — the direct callees of every function that can be on the
    /// stack at the point (the point's function and its transitive callers).
    /// An indirect call may reach any function whose address is taken.
    public static func deltas(_ p: Program, points: [UpdatePoint]) -> [Int: Set<String>] {
        var callees: [Int: Set<Int>] = [:]
        var callers: [Int: Set<Int>] = [:]
        var addressTaken: Set<Int> = []
        for f in p.functions {
            guard let body = f.body else { continue }
            var direct: Set<Int> = []
            var indirect = false
            visit(body) { i in
                if case .call(_, let c, _, _) = i {
                    switch c {
                    case .direct(let g): direct.insert(g.index)
                    case .indirect: indirect = true
                    case .builtin: break
                    }
                }
            } expr: { e in
                if case .function(let g) = e { addressTaken.insert(g.index) }
            }
            callees[f.id.index] = direct.union(indirect ? [-1] : [])
            for g in direct { callers[g, default: []].insert(f.id.index) }
        }
        for g in p.globals { if let ini = g.initializer { visitInit(ini) { if case .function(let f) = $0 { addressTaken.insert(f.index) } } } }
        func reach(_ start: Set<Int>, _ edges: [Int: Set<Int>]) -> Set<Int> {
            var seen = start
            var work = Array(start)
            while let x = work.popLast() {
                var next = edges[x] ?? []
                if next.contains(-1) { next.remove(-1); next.formUnion(addressTaken) }
                for y in next where seen.insert(y).inserted { work.append(y) }
            }
            return seen
        }
        let byIdentity = Dictionary(p.functions.map { ($0.identity, $0.id.index) }, uniquingKeysWith: { a, _ in a })
        var out: [Int: Set<String>] = [:]
        for pt in points {
            guard let f = byIdentity[pt.function] else { continue }
            // Only the functions on the stack keep running old code; whatever
            // they call is reached through its slot, so Δ is what their own
            // bodies call (an indirect call: any function whose address is taken).
            let stack = reach([f], callers)
            var delta: Set<Int> = []
            for g in stack {
                var next = callees[g] ?? []
                if next.contains(-1) { next.remove(-1); next.formUnion(addressTaken) }
                delta.formUnion(next)
            }
            out[pt.id] = Set(delta.map { p.functions[$0].identity })
        }
        return out
    }

    static func visit(_ s: Stmt, _ instr: (Instr) -> Void, expr: (Expr) -> Void) {
        func e(_ x: Expr) {
            expr(x)
            switch x {
            case .unary(_, let a, _), .cast(_, let a): e(a)
            case .binary(_, let a, let b, _): e(a); e(b)
            case .cond(let c, let a, let b, _): e(c); e(a); e(b)
            case .read(let lv), .addrOf(let lv), .startOf(let lv): if case .mem(let m) = lv.host { e(m) }
            default: break
            }
        }
        switch s {
        case .instr(let i):
            instr(i)
            switch i {
            case .assign(_, let v, _): e(v)
            case .call(_, let c, let args, _):
                if case .indirect(let x) = c { e(x) }
                args.forEach(e)
            default: break
            }
        case .block(let ss): ss.forEach { visit($0, instr, expr: expr) }
        case .local(_, let ini, _): if let ini { visitInit(ini, e) }
        case .if(let c, let t, let el, _): e(c); visit(t, instr, expr: expr); if let el { visit(el, instr, expr: expr) }
        case .loop(let b, let n, _): visit(b, instr, expr: expr); if let n { visit(n, instr, expr: expr) }
        case .switch(let x, let b, _): e(x); visit(b, instr, expr: expr)
        case .return(let x, _): if let x { e(x) }
        default: break
        }
    }

    static func visitInit(_ i: Initializer, _ f: (Expr) -> Void) {
        switch i {
        case .expr(let e):
            f(e)
            if case .cast(_, let inner) = e { f(inner) }
        case .compound(_, let es): es.forEach { visitInit($0.value, f) }
        }
    }
}
