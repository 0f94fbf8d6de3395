// The front end: C sources → IR, one translation unit at a time, through
// libclang 19. `Frontend.lower` is the only entry point that touches libclang.

import CClang
import Foundation
import IR

public enum Frontend {
    /// Parses and lowers one translation unit. `arguments` are compiler flags
    /// (-I, -D, -U, -std, …) without the file. Throws `Diagnostics` for C
    /// errors (as clang reports them) and for constructs graft does not
    /// handle yet (`unsupported: …`).
    public static func lower(file: String, arguments: [String]) throws -> Program {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw Diagnostics([Diagnostic(.error, SourceLoc(file: file, line: 0, column: 0), "no such file or not readable")])
        }
        let unit = try ParsedUnit(file: file, arguments: arguments)
        let errors = unit.errors()
        if !errors.isEmpty { throw Diagnostics(errors) }
        let lowerer = Lowerer(unit: unit)
        do {
            try lowerer.lowerUnit()
        } catch let u as Unsupported {
            throw Diagnostics([Diagnostic(.error, u.loc, "unsupported: \(u.what)")])
        }
        return lowerer.program
    }
}
