// `graft build`: an updatable executable from C sources, or the verdict of
// the alias analysis on them (`--explain-types`).

import ArgumentParser
import Checker
import Codegen
import Instrument
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an updatable executable from C sources, or explain which types it wraps.",
        discussion: """
            With -o, compiles and links the C files into an updatable executable, exactly as \
            `graft cc CFLAGS FILES -o OUT` does; with -p DIR, the units of \
            DIR/compile_commands.json, each lowered with its own flags, plus any link flags \
            given (use `make CC="graft cc"` for a project with a Makefile). With --explain-types, prints for every struct the program defines \
            whether its objects carry a version tag (so a patch may change its layout) and, \
            when not, the rule of Specs/alias.md that keeps it plain, at the offending use.

            Examples:
              graft build --explain-types -Iinclude src/*.c
              graft build --explain-types -p build     # the files of build/compile_commands.json
              graft build -O2 -o server src/*.c
              graft build -p build -o server -lm       # the units of build/compile_commands.json, linked
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
                // Lowered as the build lowers it: graft.h is found, its update points are real ones.
                let p = try sources.program(extraFlags: Runtime.includeFlags)
                print(TypeWrapping.explain(p, TypeWrapping.forBuild(p)), terminator: "")
            }
            if let output {
                var args = sources.arguments
                if let dash = args.firstIndex(of: "--") { args.remove(at: dash) }
                if sources.buildDirectory != nil {
                    // Every unit of compile_commands.json, lowered with its own flags; the
                    // remaining arguments are link flags and inputs (-l, -L, objects).
                    var driver = try Driver(parsing: args + ["-o", output])
                    // graft.h must be found, as under `graft cc`: its update points are real ones.
                    let specs = try sources.units()
                    let units = specs.map { UnitSpec(file: $0.file, flags: $0.flags + Runtime.includeFlags, directory: $0.directory) }
                    driver.preloaded = try Pipeline.lower(units, verify: true)
                    driver.preloadedRecords = specs.map {
                        BuildRecord(codegen: BuildFlags.codegen(fromFrontend: $0.flags),
                                    frontend: BuildFlags.absolute($0.flags, directory: $0.directory ?? FileManager.default.currentDirectoryPath))
                    }
                    try driver.run()
                } else {
                    try Driver(parsing: args + ["-o", output]).run()
                }
            }
        } catch { throw ExitCode(Console.report(error)) }
    }
}
