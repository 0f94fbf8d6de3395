// The version manifest of an updatable build: what `graft manifest` prints
// and what a patch is checked against — the version id, the wrapped types
// with their layouts and tags, the functions and globals by stable
// identity, and Δ at every update point (Specs/updatability.md).

import Checker
import IR
import Instrument

public struct VersionManifest: Codable, Sendable {
    public struct Field: Codable, Sendable { public var name: String; public var offset: Int; public var type: String }
    public struct WrappedType: Codable, Sendable {
        public var type: String
        public var tag: String
        public var size: Int
        public var fields: [Field]
    }
    public struct PlainType: Codable, Sendable { public var type: String; public var reasons: [String] }
    public struct Point: Codable, Sendable {
        public var id: Int
        public var function: String
        public var loc: String
        /// Δ: what the code on the stack there still uses as compiled.
        public var calls: [String]
        public var types: [String]
        public var globals: [String]
    }
    public var version: String
    public var wrapped: [WrappedType]
    public var plain: [PlainType]
    /// Function identity → slot.
    public var functions: [String: String]
    /// Function identity → why it has no slot (it cannot be patched on its
    /// own: PATCH-4), for the functions defined in the program without one.
    public var direct: [String: String]
    /// Global identity → the name it is exported under.
    public var globals: [String: String]
    public var points: [Point]

    public static func of(_ p: Program) -> VersionManifest {
        let (_, build) = Updatable.instrument(p)
        let extracted = Instrumentation.extracted(p).0
        let wrap = TypeWrapping.forBuild(p)
        let decision = AliasAnalysis.analyze(p)
        let deltas = Updatability.deltas(extracted, points: build.points)
        let wrapped = wrap.tags.sorted { $0.key.index < $1.key.index }.map { id, tag in
            let r = p[id]
            return WrappedType(type: r.identity, tag: String(tag, radix: 16), size: r.size,
                               fields: (r.fields ?? []).map { Field(name: $0.name ?? "", offset: $0.offsetBits / 8, type: p.printed($0.type)) })
        }
        let plain = decision.excluded.sorted { $0.key.index < $1.key.index }.map { id, ds in
            PlainType(type: p[id].identity, reasons: ds.map { "\($0.loc): \($0.message) [\($0.rule ?? "")]" })
        }
        let points = build.points.map { pt -> Point in
            let d = deltas[pt.id] ?? Updatability.Delta()
            return Point(id: pt.id, function: pt.function, loc: "\(pt.loc)", calls: d.callees.sorted(), types: d.types.sorted(), globals: d.globals.sorted())
        }
        let globals = build.exported.filter { !$0.key.hasPrefix("slot:") }
        let reasons = Slots.directReasons(extracted)
        var direct: [String: String] = [:]
        // (The system headers' inline functions are not the program's to patch.)
        for f in extracted.functions where f.isDefinition && build.slots[f.identity] == nil && !f.loc.file.hasPrefix("/usr/") {
            direct[f.identity] = Slots.whyNoSlot(f, in: extracted, direct: reasons) ?? "it has none"
        }
        return VersionManifest(version: build.version, wrapped: wrapped, plain: plain, functions: build.slots, direct: direct,
                               globals: globals, points: points)
    }

    /// The human-readable form.
    public var text: String {
        var s = "version \(version)\n"
        s += "wrapped types (\(wrapped.count)):\n"
        for t in wrapped { s += "  \(t.type)  tag \(t.tag), \(t.size) bytes: " + t.fields.map { "\($0.name)@\($0.offset)" }.joined(separator: " ") + "\n" }
        if !plain.isEmpty {
            s += "plain types (\(plain.count)): a patch may not change their layout\n"
            for t in plain { s += "  \(t.type): " + (t.reasons.first ?? "") + "\n" }
        }
        s += "functions with slots: \(functions.count); exported globals: \(globals.count)\n"
        if !direct.isEmpty {
            s += "functions without slots (\(direct.count)): a patch may not change them (PATCH-4)\n"
            for (f, why) in direct.sorted(by: { $0.key < $1.key }) { s += "  \(f): \(why)\n" }
        }
        s += "update points (\(points.count)):\n"
        for pt in points {
            s += "  \(pt.id)  \(pt.function)  \(pt.loc)\n"
            s += "     Δ calls: \(pt.calls.joined(separator: ", "))\n"
            s += "     Δ types: \(pt.types.isEmpty ? "-" : pt.types.joined(separator: ", "))\n"
            s += "     Δ globals: \(pt.globals.isEmpty ? "-" : pt.globals.joined(separator: ", "))\n"
        }
        return s
    }
}
