import IR

/// The IR verifier: rules IR-* of Specs/ir.md.
public enum Verifier {
    public static func verify(_ program: Program) -> [Diagnostic] { [] }
}
