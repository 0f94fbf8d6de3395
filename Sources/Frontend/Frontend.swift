// The front end: C sources → IR, one translation unit at a time, through
// libclang 19. `Frontend.lower` is the only entry point that touches libclang.

import CClang
import IR

public enum Frontend {
    /// Parses and lowers one translation unit. `arguments` are compiler flags
    /// (-I, -D, -U, -std, …) without the file. Throws `Diagnostics` for C
    /// errors (as clang reports them) and for constructs graft does not
    /// handle yet (`unsupported: …`).
    public static func lower(file: String, arguments: [String]) throws -> Program {
        throw Diagnostics([Diagnostic(.error, SourceLoc(file: file, line: 0, column: 0), "frontend not implemented yet")])
    }
}
