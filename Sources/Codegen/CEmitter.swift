import IR
import Checker

/// IR → C source that gcc-12 and clang-19 compile to a program that behaves as the original.
public struct CEmitter {
    public var program: Program
    /// Emit `#line N "file"` before statements so diagnostics and debuggers point at the original source.
    public var lineDirectives: Bool
    public init(program: Program, lineDirectives: Bool = false) { self.program = program; self.lineDirectives = lineDirectives }
    public func emit() -> String { "" }
}
