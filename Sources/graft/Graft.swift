// The `graft` command line: one ParsableCommand per subcommand, each in its
// own file; this one only lists them.

import ArgumentParser
import Foundation

@main
struct Graft: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "graft",
        abstract: "Dynamic software updating for C: build programs that can be patched while they run.",
        discussion: """
            graft lowers C translation units to a typed intermediate representation (IR), \
            merges them into one program, checks it, and generates code. A program built \
            with graft can later be updated in place, without a restart and without losing \
            its state.

            Build with your own build system: `make CC="graft cc"` compiles each file to an \
            object that carries its IR, and the link step builds the whole program from the \
            IR. To look at the IR itself, use `graft ir`; to see the C that graft generates, \
            `graft emit-c`.
            """,
        version: "graft \(version)",
        subcommands: [IRCommand.self, EmitCCommand.self, CCCommand.self, BuildCommand.self, PatchCommand.self, InspectCommand.self, ManifestCommand.self, ApplyCommand.self, RollbackCommand.self, StatusCommand.self, KeygenCommand.self, SignCommand.self, CheckCommand.self, ExplainCommand.self, SealPatchCommand.self])

    /// Parses and runs; an unknown subcommand gets a one-line error instead of a usage dump.
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        if let first = args.first, !first.hasPrefix("-"), !names.contains(first) {
            Console.error("graft: error: unknown subcommand '\(first)' (known: \(names.dropLast().joined(separator: ", ")); see graft --help)\n")
            Foundation.exit(64)
        }
        if args.first == "check" { CheckCommand.mainExitingTwoOnBadUsage(Array(args.dropFirst())) }
        main(protectingCompilerFlags(args))
    }

    /// `ir`, `emit-c` and `build` take gcc flags (`-pthread`, `-lpthread`,
    /// `-fno-common`, `-Ifoo`) that the argument parser would read as bundles
    /// of its own short options; pass them after `--`, where they are plain
    /// values. Every flag that is not the command's own goes through.
    static func protectingCompilerFlags(_ args: [String]) -> [String] {
        let withValue: [String: Set<String>] = ["ir": ["-p"], "emit-c": ["-p", "-o"], "build": ["-p", "-o"]]
        let flags: [String: Set<String>] = ["ir": ["--json", "--no-verify"], "emit-c": ["--no-verify", "--line-directives"],
                                            "build": ["--explain-types", "--no-verify"]]
        guard let command = args.first, let valued = withValue[command], let plain = flags[command] else { return args }
        var ours = [command], theirs: [String] = []
        var i = 1
        while i < args.count {
            let a = args[i]
            if a == "--" { theirs += args[(i + 1)...]; break }
            if valued.contains(a) { ours += args[i..<min(i + 2, args.count)]; i += 2; continue }
            // gcc's -oFILE (no gcc flag but -o begins with -o).
            if valued.contains("-o") && a.hasPrefix("-o") && a.count > 2 { ours += ["-o", String(a.dropFirst(2))]; i += 1; continue }
            if plain.contains(a) || ["-h", "--help", "--version"].contains(a) { ours.append(a) } else { theirs.append(a) }
            i += 1
        }
        return theirs.isEmpty ? ours : ours + ["--"] + theirs
    }
}
