// Functions the updatable build makes out of a part of another (Specs/
// updatability.md): a loop body (UPD-3, identity `F#loop<k>`) and the code
// after a call into the stack (UPD-8, identity `F#cont<k>`). The running F
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

    /// The function an extracted function was made from (its identity), and what it is; nil for any other function.
    public static func origin(_ identity: String) -> (parent: String, kind: Kind, rank: Int)? {
        guard let hash = identity.lastIndex(of: "#") else { return nil }
        let tail = identity[identity.index(after: hash)...]
        for kind in [Kind.loop, .cont] where tail.hasPrefix(kind.rawValue) {
            guard let rank = Int(tail.dropFirst(kind.rawValue.count)) else { return nil }
            return (String(identity[..<hash]), kind, rank)
        }
        return nil
    }

    /// The identity of the `rank`th function of `kind` made from `parent`.
    public static func identity(parent: String, kind: Kind, rank: Int) -> String { "\(parent)#\(kind.rawValue)\(rank)" }

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

    /// "the loop at prog.c:12 in main", "the code after the call at prog.c:15 in main"; nil for a function the programmer wrote.
    public static func name(_ f: Function, in p: Program) -> String? {
        guard let o = origin(f.identity) else { return nil }
        let owner = ownerName(o.parent, in: p)
        switch o.kind {
        case .loop: return "the loop at \(f.loc.file):\(f.loc.line) in \(owner)"
        case .cont: return "the code after the call at \(f.loc.file):\(f.loc.line) in \(owner)"
        }
    }
}
