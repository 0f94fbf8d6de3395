// Generated OLD/NEW pairs for the soundness property (PatchPropertyTests).
//
// Each pair is one small program in the shape of a server — an event loop in
// main with an update point at its top and one at the end of the function
// that prints the state, heap objects of a struct, globals, a
// handler table of function pointers, a static local, a typedef and an enum
// — and NEW is OLD with one to three changes of the kinds a release makes:
// a struct's layout (fields added, removed, reordered, retyped), a typedef
// widened or narrowed, an enum renumbered or extended, a function's body or
// signature, a global added or retyped, a static local added, removed or
// retyped, a handler reached through the table changed or renamed, and the
// loop body's use of main's locals. Some pairs have a second update point
// inside a function the loop calls.
//
// Every decision is read from a list of small integers, 0 being the simplest
// choice (no change, the first option), so a seed gives the same pair
// everywhere and the library's shrinking of the list shrinks the pair.
//
// Each version prints its whole state every iteration, by name
// (`h0{a=3 b=7} total=12 …`), so the oracle can rebuild "NEW run from the
// transformed state" as a program of its own (`resumed`).

import Foundation

struct Choices {
    var values: [Int]
    var next = 0
    init(_ values: [Int]) { self.values = values }
    /// 0..<n; 0 once the list is exhausted.
    mutating func pick(_ n: Int) -> Int {
        defer { next += 1 }
        guard n > 1, next < values.count else { return 0 }
        return values[next] % n
    }
    /// True with about `percent`% probability; false for the choice 0.
    mutating func chance(_ percent: Int) -> Bool { pick(100) >= 100 - percent }
}

enum FieldType: String, CaseIterable {
    case int = "int", long = "long", short = "short", uchar = "unsigned char", llong = "long long"
    case count = "count_t", color = "enum color"
    /// A link to the other heap object, and an embedded struct of ints.
    case next = "struct item *", pos = "struct pos"
}

struct GenField: Equatable { var name: String; var type: FieldType }

enum GenOp: Equatable {
    case addI(String), addField(String, String), affine(String, Int), addScale(String), cycleColor
    /// Through the link; into the embedded struct; through a whole-object copy.
    case viaNext(String), posStep(String), copyWhole(String)
    var fields: [String] {
        switch self {
        case .addI(let f), .affine(let f, _), .addScale(let f), .copyWhole(let f): return [f]
        case .addField(let f, let g): return [f, g]
        case .cycleColor: return ["col"]
        case .viaNext(let f): return [f, "next", "a"]
        case .posStep(let x): return ["p", "p." + x]
        }
    }
}

struct GenVersion {
    var count = "int"
    var colors: [(String, Int)] = [("RED", 0), ("GREEN", 1), ("BLUE", 2)]
    var fields: [GenField] = []
    var ops: [GenOp] = []
    var scaleTwoArgs = false
    var scaleK = 2
    var h0K = 1, h1K = 3
    var h1Name = "h1"
    var ticks = false
    var totalType = "long"
    var bonus: Int? = nil
    var calls: String? = nil
    var array = false
    var watch = false
    var pointInStep = false
    var loopK = 0
    var swap = false
    /// The subfields of `struct pos` (the type of field p).
    var pos = ["x", "y"]
    /// step replaces its object by a fresh copy every third iteration (objects made after the update).
    var churn = false
    /// main keeps a pointer to heap[1]->a in a local across the loop.
    var mine = false
    /// step passes its object by value to weigh.
    var weigh = false
    /// step clears its object with memset(sizeof) near the end.
    var reset = false

    func has(_ f: String) -> Bool { fields.contains { $0.name == f } }
    func type(_ f: String) -> FieldType? { fields.first { $0.name == f }?.type }
    func cType(_ t: FieldType) -> String { t.rawValue }
    var aType: String { cType(type("a") ?? .int) }

    // MARK: The program

    /// The program; `resume` makes it start from a state instead of from its beginning.
    func c(iterations: Int, resume: Resume? = nil) -> String {
        var s = """
        int printf(const char *, ...);
        void *malloc(unsigned long);
        void free(void *);
        void *memset(void *, int, unsigned long);
        void graft_update_point(void);
        typedef \(count) count_t;
        enum color { \(colors.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")) };
        struct pos { \(pos.map { "int \($0);" }.joined(separator: " ")) };
        struct item { \(fields.map { "\(cType($0.type)) \($0.name);" }.joined(separator: " ")) };
        struct item *heap[2];
        \(totalType) total;

        """
        if ticks { s += "count_t ticks;\n" }
        if let b = bonus { s += "long bonus = \(b);\n" }
        if array { s += "struct item arr[2];\n" }
        if watch { s += "\(aType) *watch;\n" }
        s += """
        static long scale(int x\(scaleTwoArgs ? ", int y" : "")) { return x * \(scaleK)\(scaleTwoArgs ? " + y" : ""); }
        static long h0(struct item *it) { return it->a + \(h0K); }
        static long \(h1Name)(struct item *it) { return it->a * \(h1K) % 1000; }
        long (*handlers[2])(struct item *) = { h0, \(h1Name) };
        static long weigh(struct item v) { return v.a % 100; }
        static void step(int i) {

        """
        if let t = calls { s += "    static \(t) calls = \(resume?.calls ?? 0);\n    calls++;\n" }
        s += "    struct item *it = heap[i % 2];\n"
        for op in ops { s += "    " + cOp(op) + "\n" }
        if pointInStep { s += "    graft_update_point();\n" }
        if weigh { s += "    total += weigh(*it);\n" }
        if churn { s += "    if (i % 3 == 2) { struct item *fresh = malloc(sizeof *fresh); *fresh = *it; free(it); heap[i % 2] = fresh; it = fresh; }\n" }
        if reset { s += "    if (i == \(iterations - 2)) memset(it, 0, sizeof *it);\n" }
        s += "    total = (total + handlers[i % 2](it)) % 100000;\n"
        if ticks { s += "    ticks++;\n" }
        if bonus != nil { s += "    bonus = (bonus + i) % 1000;\n    total += bonus;\n" }
        if array { s += "    arr[i % 2].a = (arr[i % 2].a + i) % 1000;\n" }
        if watch { s += "    *watch = (*watch + 1) % 1000;\n" }
        if swap { s += "    if (i == 3) { long (*t)(struct item *) = handlers[0]; handlers[0] = handlers[1]; handlers[1] = t; }\n" }
        if calls != nil { s += "    printf(\"calls=%lld \", (long long)calls);\n" }
        s += "}\n"
        func printObject(_ name: String, _ e: String) -> String {
            let fmt = printed.map { "\($0)=%lld" }.joined(separator: " ")
            let args = printed.map { f in
                f == "next" ? ", (long long)(\(e).next == heap[0] ? 0 : \(e).next == heap[1] ? 1 : 2)" : ", (long long)\(e).\(f)"
            }.joined()
            return "    for (int k = 0; k < 2; k++) printf(\" \(name)%d{\(fmt)}\", k\(args));\n"
        }
        s += "static void dump(int i, long acc) {\n"
        s += "    printf(\"%d: total=%lld acc=%ld hd=%d\", i, (long long)total, acc, handlers[0] == h0 ? 0 : 1);\n"
        s += printObject("h", "(*heap[k])")
        if array { s += printObject("arr", "arr[k]") }
        if ticks { s += "    printf(\" ticks=%lld\", (long long)ticks);\n" }
        if bonus != nil { s += "    printf(\" bonus=%ld\", bonus);\n" }
        s += "    printf(\"\\n\");\n    graft_update_point();\n}\n"
        s += "int main(void) {\n"
        s += "    for (int k = 0; k < 2; k++) {\n        heap[k] = malloc(sizeof(struct item));\n"
        for (j, f) in printed.enumerated() where f != "next" {
            if let r = resume {
                s += "        heap[k]->\(f) = k ? \(r.value("h1", f)) : \(r.value("h0", f));\n"
                if array { s += "        arr[k].\(f) = k ? \(r.value("arr1", f)) : \(r.value("arr0", f));\n" }
            } else {
                s += "        heap[k]->\(f) = " + (type(f) == .color ? "k ? GREEN : RED" : "k + \(j + 1)") + ";\n"
            }
        }
        s += "    }\n"
        if has("next") {
            func link(_ v: Int) -> String { v == 0 ? "heap[0]" : v == 1 ? "heap[1]" : "0" }
            if let r = resume {
                s += "    heap[0]->next = \(link(r.value("h0", "next"))); heap[1]->next = \(link(r.value("h1", "next")));\n"
            } else {
                s += "    heap[0]->next = heap[1]; heap[1]->next = heap[0];\n"
            }
        }
        if watch { s += "    watch = &heap[0]->a;\n" }
        if let r = resume {
            if let t = r.total { s += "    total = \(t);\n" }
            if let t = r.ticks { s += "    ticks = \(t);\n" }
            if let b = r.bonus { s += "    bonus = \(b);\n" }
            if r.swapped { s += "    handlers[0] = \(h1Name); handlers[1] = h0;\n" }
        }
        s += "    long acc = \(resume?.acc ?? 0);\n"
        if mine { s += "    \(aType) *mine = &heap[1]->a;\n" }
        if resume == nil { s += "    dump(-1, acc);\n" }
        s += "    for (int i = \(resume?.iteration ?? 0); i < \(iterations); i++) {\n"
        s += "        graft_update_point();\n        step(i);\n"
        if mine { s += "        *mine = (*mine + 1) % 1000;\n" }
        s += "        acc = (acc + " + (loopK == 0 ? "total % 97" : "i * \(loopK)") + ") % 100000;\n"
        s += "        dump(i, acc);\n    }\n    return 0;\n}\n"
        return s
    }

    func cOp(_ op: GenOp) -> String {
        let sc = scaleTwoArgs ? "scale(i, 1)" : "scale(i)"
        switch op {
        case .addI(let f): return "it->\(f) = (it->\(f) + i) % 1000;"
        case .addField(let f, let g): return "it->\(f) = (it->\(f) + it->\(g)) % 1000;"
        case .affine(let f, let k): return "it->\(f) = (it->\(f) * \(k) + 1) % 1000;"
        case .addScale(let f): return "it->\(f) = (it->\(f) + \(sc)) % 1000;"
        case .cycleColor: return "it->col = (enum color)((it->col + 1) % 3);"
        case .viaNext(let f): return "it->\(f) = (it->\(f) + it->next->a) % 1000;"
        case .posStep(let x): return "it->p.\(x) = (it->p.\(x) + i) % 1000;"
        case .copyWhole(let f): return "{ struct item tmp = *it; tmp.\(f) = (tmp.\(f) + 1) % 1000; *it = tmp; }"
        }
    }

    /// What the state prints of each object: its fields, the embedded struct's by path.
    var printed: [String] {
        fields.flatMap { f in f.type == .pos ? pos.map { "p." + $0 } : [f.name] }
    }

    // MARK: Integer types as the default transformer sees them

    /// (bytes, signed) of a field type; nil for the enum.
    func integer(_ t: FieldType) -> (Int, Bool)? {
        switch t {
        case .int: return (4, true)
        case .long, .llong: return (8, true)
        case .short: return (2, true)
        case .uchar: return (1, false)
        case .count: return count == "int" ? (4, true) : count == "short" ? (2, true) : (8, true)
        case .color, .next, .pos: return nil
        }
    }
}

/// The state a program resumes from: the values NEW's objects hold after the
/// update, by the default transformer's rule (Specs/transformers.md).
struct Resume {
    var iteration: Int
    var acc: Int
    var objects: [String: [String: Int]] = [:]
    var total: Int?
    var ticks: Int?
    var bonus: Int?
    var calls: Int?
    var swapped = false
    func value(_ object: String, _ field: String) -> Int { objects[object]?[field] ?? 0 }
}

struct GenPair: CustomStringConvertible {
    var v1: GenVersion
    var v2: GenVersion
    var changes: [String]
    var iterations: Int
    /// The iteration at whose top the patch is applied.
    var updateAt: Int
    var description: String { "changes: \(changes.joined(separator: "; ")), update at iteration \(updateAt) of \(iterations)\n--- OLD\n\(v1.c(iterations: iterations))--- NEW\n\(v2.c(iterations: iterations))" }

    static func make(_ raw: [Int]) -> GenPair {
        var ch = Choices(raw)
        var v = GenVersion()
        // OLD
        var fields = [GenField(name: "a", type: .int), GenField(name: "b", type: .long)]
        if ch.chance(60) { fields.append(GenField(name: "c", type: .count)) }
        if ch.chance(50) { fields.append(GenField(name: "col", type: .color)) }
        if ch.chance(30) { fields.append(GenField(name: "s", type: .short)) }
        if ch.chance(25) { fields.append(GenField(name: "p", type: .pos)) }
        v.churn = ch.chance(20)
        if !v.churn && ch.chance(25) { fields.append(GenField(name: "next", type: .next)) }
        for i in stride(from: fields.count - 1, to: 0, by: -1) { fields.swapAt(i, ch.pick(i + 1)) }
        v.fields = fields
        v.count = ["int", "long long", "short"][ch.pick(3)]
        v.ops = (0...ch.pick(4)).map { _ in randomOp(&ch, v) }
        v.ticks = ch.chance(30)
        v.calls = ch.chance(40) ? "int" : nil
        v.array = ch.chance(20)
        v.watch = !v.churn && ch.chance(20)
        v.mine = !v.churn && ch.chance(20)
        v.weigh = ch.chance(20)
        v.pointInStep = ch.chance(30)
        v.swap = ch.chance(20)
        v.scaleK = 2 + ch.pick(3)
        v.loopK = ch.pick(3)
        // NEW: one to three changes.
        var w = v
        var changes: [String] = []
        for _ in 0...ch.pick(3) { changes.append(mutate(&w, &ch)) }
        let iterations = 4 + ch.pick(5)
        return GenPair(v1: v, v2: w, changes: changes, iterations: iterations, updateAt: ch.pick(iterations))
    }

    static func randomOp(_ ch: inout Choices, _ v: GenVersion) -> GenOp {
        let ints = v.fields.filter { v.integer($0.type) != nil }.map(\.name)
        let f = ints[ch.pick(ints.count)]
        switch ch.pick(8) {
        case 1: return .addField(f, ints[ch.pick(ints.count)])
        case 2: return .affine(f, 2 + ch.pick(4))
        case 3: return .addScale(f)
        case 4 where v.has("col"): return .cycleColor
        case 5 where v.has("next") && v.integer(v.type("a")!) != nil: return .viaNext(f)
        case 6 where v.has("p"): return .posStep(v.pos[ch.pick(v.pos.count)])
        case 7: return .copyWhole(f)
        default: return .addI(f)
        }
    }

    /// One change to NEW, described.
    static func mutate(_ w: inout GenVersion, _ ch: inout Choices) -> String {
        let pool = [GenField(name: "d", type: .llong), GenField(name: "e", type: .int), GenField(name: "u", type: .uchar), GenField(name: "s", type: .short)]
        switch ch.pick(20) {
        case 16:
            guard w.has("p") else { return "none" }
            if ch.chance(50), w.pos.count > 1 { w.pos.swapAt(0, 1); return "struct pos: \(w.pos[1]) and \(w.pos[0]) swap places" }
            if !w.pos.contains("z") { w.pos.insert("z", at: ch.pick(w.pos.count + 1)); return "struct pos gains z" }
            return "none"
        case 17:
            guard !w.has("next") else { return "none" }
            w.reset = true
            return "step clears its object with memset near the end"
        case 18:
            w.weigh.toggle()
            return w.weigh ? "step passes its object to weigh by value" : "step stops calling weigh"
        case 19:
            w.ops.append(.copyWhole(w.fields.first { w.integer($0.type) != nil }?.name ?? "a"))
            return "step copies its object whole"
        case 1:
            guard let f = pool.first(where: { !w.has($0.name) }) else { return "none" }
            let at = ch.pick(w.fields.count + 1)
            w.fields.insert(f, at: at)
            if ch.chance(50) { w.ops.append(.addI(f.name)) }
            return "struct item gains \(f.name) at \(at)"
        case 2:
            let removable = w.fields.indices.filter { w.fields[$0].name != "a" }
            guard !removable.isEmpty else { return "none" }
            let f = w.fields.remove(at: removable[ch.pick(removable.count)])
            w.ops.removeAll { $0.fields.contains(f.name) }
            if w.ops.isEmpty { w.ops = [.addI("a")] }
            return "struct item loses \(f.name.self)"
        case 3:
            guard w.fields.count > 1 else { return "none" }
            let i = ch.pick(w.fields.count), j = (i + 1 + ch.pick(w.fields.count - 1)) % w.fields.count
            w.fields.swapAt(i, j)
            return "struct item: \(w.fields[j].name) and \(w.fields[i].name) swap places"
        case 4:
            let i = ch.pick(w.fields.count)
            guard w.integer(w.fields[i].type) != nil else { return "none" }
            let to: FieldType = [.llong, .int, .short, .long][ch.pick(4)]
            let from = w.fields[i].type
            w.fields[i].type = to
            return "struct item: \(w.fields[i].name) \(from.rawValue) → \(to.rawValue)"
        case 5:
            let to = ["long long", "int", "short"][ch.pick(3)]
            let from = w.count
            w.count = to
            return "typedef count_t: \(from) → \(to)"
        case 6:
            if ch.chance(50), !w.colors.contains(where: { $0.0 == "NONE" }) { w.colors = [("NONE", 0)] + w.colors.map { ($0.0, $0.1 + 1) }; return "enum color renumbered (NONE first)" }
            guard !w.colors.contains(where: { $0.0 == "ALPHA" }) else { return "none" }
            w.colors.append(("ALPHA", w.colors.count)); return "enum color gains ALPHA at the end"
        case 7:
            if !w.ops.isEmpty && ch.chance(50) {
                let k = ch.pick(w.ops.count)
                w.ops[k] = randomOp(&ch, w)
                return "step: operation \(k) changed"
            }
            w.ops.append(randomOp(&ch, w))
            return "step: an operation added"
        case 8:
            w.scaleTwoArgs.toggle()
            return "scale: signature \(w.scaleTwoArgs ? "gains" : "loses") a parameter"
        case 9:
            if w.bonus == nil { w.bonus = 1 + ch.pick(9); return "a new global bonus" }
            return "none"
        case 10:
            w.totalType = w.totalType == "long" ? "int" : "long"
            return "global total retyped to \(w.totalType)"
        case 11:
            switch w.calls {
            case nil: w.calls = "int"; return "step gains a static local"
            case "int"?: if ch.chance(50) { w.calls = "long"; return "step's static local retyped to long" }
                w.calls = nil; return "step loses its static local"
            default: w.calls = nil; return "step loses its static local"
            }
        case 12:
            w.h0K += 1 + ch.pick(3)
            return "handler h0's body changed"
        case 13:
            w.h1Name = w.h1Name == "h1" ? "h2" : "h1"
            return "handler h1 renamed \(w.h1Name) (same body)"
        case 14:
            w.loopK = (w.loopK + 1 + ch.pick(2)) % 3
            return "the loop body's use of acc changed"
        case 15:
            w.scaleK += 1
            return "scale's body changed"
        default:
            w.ticks.toggle()
            return w.ticks ? "a new global ticks" : "global ticks removed"
        }
    }

    // MARK: The oracle's state

    /// The state after the line `line` of OLD's output (`dump`), as NEW's objects hold it after the update.
    func resume(from line: String, iteration: Int) -> Resume {
        var r = Resume(iteration: iteration, acc: 0)
        var objects: [String: [String: Int]] = [:]
        var top: [String: Int] = [:]
        // Tokens: `name=value` at the top, `obj{f=v f=v}` for objects.
        let scanner = line.replacingOccurrences(of: "}", with: " } ").replacingOccurrences(of: "{", with: " { ")
        var current: String?
        var last = ""
        for tok in scanner.split(separator: " ") {
            if tok == "{" { current = last; objects[last] = [:]; continue }
            if tok == "}" { current = nil; continue }
            last = String(tok)
            let kv = tok.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let v = Int(kv[1]) else { continue }
            if let c = current { objects[c]![String(kv[0])] = v } else { top[String(kv[0])] = v }
        }
        r.acc = top["acc"] ?? 0
        r.swapped = top["hd"] == 1
        // Globals whose type keeps its shape keep their values, and so does one widened (int → long: carried, PATCH-3); the others are NEW's.
        if v1.totalType == v2.totalType || (v1.totalType == "int" && v2.totalType == "long") { r.total = top["total"] }
        // ticks (a count_t) likewise: kept at its type, carried when count_t widens (PATCH-3).
        if v1.ticks && v2.ticks && keeps(.count, .count) { r.ticks = top["ticks"] }
        if v1.bonus != nil && v2.bonus != nil { r.bonus = top["bonus"] }
        // step's static local: kept at its type, and carried when widened (int → long, PATCH-3).
        if v1.calls != nil && (v1.calls == v2.calls || (v1.calls == "int" && v2.calls == "long")) { r.calls = top["calls"] }
        // Struct fields: the default transformer.
        for (name, values) in objects {
            var out: [String: Int] = [:]
            for f in v2.fields {
                guard let old = v1.fields.first(where: { $0.name == f.name }) else { continue }
                if f.type == .pos && old.type == .pos {
                    for x in v2.pos where v1.pos.contains(x) { out["p." + x] = values["p." + x] }
                    continue
                }
                guard let v = values[f.name], keeps(old.type, f.type) else { continue }
                out[f.name] = v
            }
            r.objects[name] = out
        }
        return r
    }

    /// The default transformer copies OLD's field to NEW's (Specs/transformers.md).
    func keeps(_ a: FieldType, _ b: FieldType) -> Bool {
        if a == .next || b == .next { return a == b }
        if a == .pos || b == .pos { return false }
        if a == .color {
            if b == .color {
                let new = Dictionary(v2.colors, uniquingKeysWith: { x, _ in x })
                return v1.colors.allSatisfy { new[$0.0] == $0.1 }
            }
            guard let (n, s) = v2.integer(b) else { return false }
            return s && n >= 4
        }
        guard let (x, xs) = v1.integer(a), let (y, ys) = v2.integer(b) else { return false }
        if xs == ys { return y >= x }
        return !xs && ys && y > x
    }
}
