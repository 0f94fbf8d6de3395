// Functions the updatable build makes out of a part of another (Specs/
// updatability.md): a loop body (UPD-3, identity `F#loop<k>`) and the code
// after a call into the stack (UPD-8, identity `F#cont<k>:callee`). The running F
// passes them its variables by position, so both are matched across
// versions by rank among F's functions of that kind and by the variables
// they take; both are spoken of as the code the programmer wrote.

import IR

public enum Extracted {
    public enum Kind: String, Sendable {
        /// A loop body (UPD-3).
        case loop
        /// The code after a call into the stack (UPD-8).
        case cont
    }

    /// The function an extracted function was made from (its identity), what
    /// it is, its rank, and for a continuation the callee of the call it
    /// follows (`main#cont1:serve`); nil for any other function.
    public static func origin(_ identity: String) -> (parent: String, kind: Kind, rank: Int, after: String)? {
        guard let hash = identity.lastIndex(of: "#") else { return nil }
        let tail = identity[identity.index(after: hash)...]
        for kind in [Kind.loop, .cont] where tail.hasPrefix(kind.rawValue) {
            let rest = tail.dropFirst(kind.rawValue.count)
            let digits = rest.prefix { $0.isNumber }
            guard let rank = Int(digits) else { return nil }
            let after = rest.dropFirst(digits.count)
            guard kind == .loop ? after.isEmpty : after.hasPrefix(":") else { return nil }
            return (String(identity[..<hash]), kind, rank, String(after.dropFirst()))
        }
        return nil
    }

    /// The identity of a loop body: the `rank`th marked loop of `parent` (UPD-3).
    public static func loop(parent: String, rank: Int) -> String { "\(parent)#loop\(rank)" }

    /// The identity of the code after the `rank`th call of `callee` (by the
    /// name in the source; `*` for an indirect call) where `parent` may stand
    /// at a point (UPD-8): named by the call it follows, so that a call into
    /// the stack added before it leaves it its identity.
    public static func continuation(parent: String, after callee: String, rank: Int) -> String { "\(parent)#cont\(rank):\(callee)" }

    /// What extracted functions are ranked among: the parent's loops; the
    /// parent's continuations after calls of one callee.
    public static func group(_ identity: String) -> String? {
        origin(identity).map { "\($0.parent)#\($0.kind.rawValue):\($0.after)" }
    }

    /// The function the programmer wrote that `identity` is part of (itself for one they wrote).
    public static func source(_ identity: String) -> String {
        var id = identity
        while let o = origin(id) { id = o.parent }
        return id
    }

    /// The name in the source of the function the programmer wrote that `identity` is part of.
    public static func ownerName(_ identity: String, in p: Program) -> String {
        let wrote = source(identity)
        return p.functions.first { $0.identity == wrote }?.sourceName ?? wrote
    }

    /// "the loop at prog.c:12 in main", "the code after the call of serve at prog.c:15 in main"; nil for a function the programmer wrote.
    public static func name(_ f: Function, in p: Program) -> String? {
        guard let o = origin(f.identity) else { return nil }
        let owner = ownerName(o.parent, in: p)
        switch o.kind {
        case .loop: return "the loop at \(f.loc.file):\(f.loc.line) in \(owner)"
        case .cont: return "the code after the call of \(o.after == "*" ? "a function pointer" : o.after) at \(f.loc.file):\(f.loc.line) in \(owner)"
        }
    }
}
