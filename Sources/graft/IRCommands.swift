// `graft ir` and `graft emit-c`: lower, merge, verify; print IR or C.

import ArgumentParser
import Foundation
import IR

/// What `ir` and `emit-c` read: C files with compiler flags, or a build's
/// compile_commands.json.
struct SourceOptions: ParsableArguments {
    @Option(name: .customShort("p"), help: ArgumentHelp(
        "Read DIR/compile_commands.json and lower every C file it lists, each with its own flags.",
        valueName: "dir"))
    var buildDirectory: String?

    @Flag(name: .customLong("no-verify"), help: "Skip the IR verifier (it runs after lowering and after merging).")
    var noVerify = false

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp(
        "Compiler flags (-I, -D, -U, -include, -std=, …) and the C files to lower, in any order.",
        valueName: "cflags-and-files"))
    var arguments: [String] = []

    /// The units to lower, checked to exist.
    func units() throws -> [UnitSpec] {
        // The `--` that `Graft.protectingCompilerFlags` inserted may be kept by the parser.
        var args = arguments
        if let dash = args.firstIndex(of: "--") { args.remove(at: dash) }
        let (flags, files) = CompilerArgs.split(args)
        var specs: [UnitSpec] = []
        if let dir = buildDirectory { specs += try CompileCommands.load(directory: dir) }
        try Pipeline.requireFiles(files)
        specs += files.map { UnitSpec(file: $0, flags: flags, directory: nil) }
        if specs.isEmpty { throw Failure("no input files (give C files, or -p DIR with a compile_commands.json)") }
        return specs
    }

    /// The merged, verified program; `extraFlags` come after each unit's own.
    func program(extraFlags: [String] = []) throws -> Program {
        let specs = try units().map { UnitSpec(file: $0.file, flags: $0.flags + extraFlags, directory: $0.directory) }
        let units = try Pipeline.lower(specs, verify: !noVerify)
        return try Pipeline.merge(units, verify: !noVerify)
    }
}

struct IRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ir",
        abstract: "Print the IR of a C program.",
        discussion: """
            Lowers each C file to graft's IR (through libclang, with the given compiler \
            flags), merges the translation units into one program as a linker would \
            (externals unified by name, statics renamed apart as name__file, identical \
            types from shared headers unified), runs the IR verifier, and prints the \
            program in its canonical text form on standard output.

            Examples:
              graft ir hello.c
              graft ir -Iinclude -DNDEBUG src/*.c
              graft ir -p build              # every C file of build/compile_commands.json
              graft ir --json main.c > main.json

            Exit status: 0 on success; 1 when a file is missing, C does not compile, \
            or the verifier reports errors (printed as file:line:col: error: …).
            """)

    @OptionGroup var sources: SourceOptions

    @Flag(help: "Print the serialized (JSON) form instead of the text form.")
    var json = false

    func run() throws {
        do {
            let p = try sources.program()
            if json {
                FileHandle.standardOutput.write(try IRCodec.encode(p))
                FileHandle.standardOutput.write(Data("\n".utf8))
            } else {
                FileHandle.standardOutput.write(Data(p.printed().utf8))
            }
        } catch { throw ExitCode(Console.report(error)) }
    }
}

struct EmitCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit-c",
        abstract: "Translate a C program to one C file through graft's IR.",
        discussion: """
            Lowers, merges and verifies as `graft ir` does, then generates a single C file \
            for the whole program, which gcc or clang compile to a program that behaves as \
            the original. This is the code that `graft cc` builds.

            Examples:
              graft emit-c main.c util.c -o whole.c && cc whole.c -o prog
              graft emit-c --line-directives -p build -o whole.c
            """)

    @OptionGroup var sources: SourceOptions

    @Option(name: .customShort("o"), help: ArgumentHelp("Write the C here instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Emit #line directives so that compiler errors and debuggers point at the original sources.")
    var lineDirectives = false

    func run() throws {
        do {
            let c = Pipeline.emitC(try sources.program(), lineDirectives: lineDirectives)
            if let output { try Toolchain.write(c, to: output) }
            else { FileHandle.standardOutput.write(Data(c.utf8)) }
        } catch { throw ExitCode(Console.report(error)) }
    }
}
