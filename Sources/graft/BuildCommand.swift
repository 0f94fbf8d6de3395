// `graft build`: an updatable executable from C sources, or the verdict of
// the alias analysis on them (`--explain-types`).

import ArgumentParser
import Codegen
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an updatable executable from C sources, or explain which types it wraps.",
        discussion: """
            With -o, compiles and links the C files into an updatable executable, exactly as \
            `graft cc CFLAGS FILES -o OUT` does (use `make CC="graft cc"` for a project with a \
            Makefile). With --explain-types, prints for every struct the program defines \
            whether its objects carry a version tag (so a patch may change its layout) and, \
            when not, the rule of Specs/alias.md that keeps it plain, at the offending use.

            Examples:
              graft build --explain-types -Iinclude src/*.c
              graft build --explain-types -p build     # the files of build/compile_commands.json
              graft build -O2 -o server src/*.c
            """)

    @Flag(name: .customLong("explain-types"), help: "Print which types are wrapped and why the others are not.")
    var explainTypes = false

    @Option(name: .customShort("o"), help: ArgumentHelp("The executable to build.", valueName: "file"))
    var output: String?

    @OptionGroup var sources: SourceOptions

    func run() throws {
        do {
            guard explainTypes || output != nil else { throw Failure("nothing to do: give -o FILE to build, or --explain-types") }
            if explainTypes {
                let p = try sources.program()
                print(TypeWrapping.explain(p, TypeWrapping.forBuild(p, slop: Runtime.slop)), terminator: "")
            }
            if let output {
                guard sources.buildDirectory == nil else {
                    throw Failure("graft build -o takes C files; for a project with compile_commands.json build it with its own tool and CC=\"graft cc\"")
                }
                var args = sources.arguments
                if let dash = args.firstIndex(of: "--") { args.remove(at: dash) }
                try Driver(parsing: args + ["-o", output]).run()
            }
        } catch { throw ExitCode(Console.report(error)) }
    }
}
