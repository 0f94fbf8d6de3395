// Where the update runtime's sources are, and building them into a program.
//
// The runtime is C (Sources/Runtime). An updatable build compiles it with
// the program's own flags and links it in; its headers (graft.h for
// programs, graft_runtime.h for generated code) are found on the include path.

import Checker
import Codegen
import Instrument
import Foundation

enum Runtime {
    /// GRAFT_UPDATABLE=0 builds ordinary executables through graft.
    static var updatableBuilds: Bool {
        ProcessInfo.processInfo.environment["GRAFT_UPDATABLE"].map { $0 != "0" } ?? true
    }

    /// GRAFT_BENCH_NO_WRAP=1: an updatable build that wraps no type — for
    /// bench/representation.sh, to tell what wrapping costs from what slots
    /// cost. Not for deployment: `graft patch` assumes the build's wrapping.
    static var benchNoWrap: Bool { ProcessInfo.processInfo.environment["GRAFT_BENCH_NO_WRAP"] == "1" }

    /// The runtime's source folder (Installation.runtime).
    static var directory: String? { Installation.runtime }

    static var includeFlags: [String] {
        directory.map { ["-I" + $0 + "/include"] } ?? []
    }

    /// Mutation testing (bench/mutate-checker.sh, Sources/IR/Rules.swift): a
    /// graft built with GRAFT_MUTATION builds runtimes whose rules
    /// GRAFT_MUTATE_RULE may switch off; any other graft, runtimes that apply them all.
    static var mutationFlags: [String] {
        #if GRAFT_MUTATION
        return ["-DGRAFT_MUTATION"]
        #else
        return []
        #endif
    }

    /// Compiles the runtime's C files into objects in `tmp`.
    static func compile(into tmp: Toolchain.TempDir, flags: [String]) throws -> [String] {
        guard let dir = directory else {
            throw Failure("cannot find graft's runtime sources (Sources/Runtime); set GRAFT_RUNTIME_DIR")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".c") }.sorted()
        var objects: [String] = []
        for f in files {
            let obj = tmp.file("graft-runtime-" + (f as NSString).deletingPathExtension + ".o")
            let opt = flags.filter { $0.hasPrefix("-O") || $0.hasPrefix("-g") || $0 == "-pthread" }
            try Toolchain.runChecked(Toolchain.systemCC + opt + mutationFlags + ["-fPIC", "-w", "-c", dir + "/" + f, "-o", obj] + includeFlags)
            objects.append(obj)
        }
        return objects
    }
}
