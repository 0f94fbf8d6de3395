// C's conversions between field types, as the default transformer uses
// them (Specs/patch.md PATCH-2): one definition for the patch generator and
// the checker's validation of what it produced (VAL-3).

import IR

public enum Conversions {
    /// Every value of `a` is a value of `b` with the same bits: integers of
    /// one width (C's conversion between them is the identity on the bits,
    /// two's complement), or an object pointer and `void *`. A global
    /// retyped so is kept in place (PATCH-3): old code reading it as `a` and
    /// new code reading it as `b` agree on every value either writes.
    public static func sameRepresentation(_ a: CType, _ b: CType) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x != .bool && y != .bool && x.size == y.size
        case (.pointer, .pointer): return keepsValue(a, b) || keepsValue(b, a)
        default: return false
        }
    }

    /// The C conversion from `a` to `b` keeps every value of `a` (PATCH-2's default transformer).
    public static func keepsValue(_ a: CType, _ b: CType) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if x == .bool { return true }
            if x.isSigned == y.isSigned || y.size == x.size { return y.size >= x.size }
            return !x.isSigned && y.isSigned && y.size > x.size
        case (.float(let x), .float(let y)): return y.size >= x.size
        case (.enumeration, .int(let y)): return y.size >= 4 && y.isSigned
        // Any object pointer converts to `void *` and back unchanged (C11 6.3.2.3p1).
        case (.pointer(let x), .pointer(let y)):
            if case .function = x { return false }
            switch y {
            case .void, .qualified(.void, _): return true
            default: return false
            }
        default: return false
        }
    }
}
