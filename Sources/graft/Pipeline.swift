// The pipeline the subcommands share: lower translation units (with a
// progress line on a terminal), verify, merge, emit C; and how failures are
// reported — compiler-style, never as a stack trace.

import Foundation
import IR
import Instrument
import Frontend
import Checker
import Codegen

/// A failure reported as `graft: error: message`.
struct Failure: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

enum Console {
    static func error(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// Prints `error` for a human and returns the exit code to leave with.
    static func report(_ error: Error) -> Int32 {
        switch error {
        case let d as Diagnostics: for item in d.items { self.error(item.rendered() + "\n") }
        case let d as Diagnostic: self.error(d.rendered() + "\n")
        case let f as Failure: self.error("graft: error: \(f.message)\n")
        case let e as ChildFailed: return e.status
        default: self.error("graft: error: \(error.localizedDescription)\n")
        }
        return 1
    }
}

/// A child process failed; it has already said why.
struct ChildFailed: Error { var status: Int32 }

/// One translation unit to lower: the file, its flags, the directory its
/// relative paths are relative to.
struct UnitSpec {
    var file: String
    var flags: [String]
    var directory: String?
}

/// `[k/N] file.c` on stderr, rewritten in place; silent unless stderr is a terminal.
struct Progress {
    let total: Int
    let enabled: Bool
    init(total: Int) { self.total = total; enabled = total > 1 && Console.stderrIsTerminal }
    func show(_ k: Int, _ file: String) {
        guard enabled else { return }
        Console.error("\r\u{1B}[K[\(k)/\(total)] \(file)")
    }
    func done() { if enabled { Console.error("\r\u{1B}[K") } }
}

enum Pipeline {
    static func requireFiles(_ files: [String], in directory: String? = nil) throws {
        for f in files {
            let path = directory.map { (f as NSString).isAbsolutePath ? f : ($0 as NSString).appendingPathComponent(f) } ?? f
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw Failure("no such file: \(f)") }
            if isDir.boolValue { throw Failure("\(f) is a directory, not a C file") }
            guard FileManager.default.isReadableFile(atPath: path) else { throw Failure("cannot read \(f): permission denied") }
        }
    }

    /// Lowers each unit; with `verify`, runs the verifier on each. Throws
    /// `Diagnostics` with every error found (after printing warnings).
    static func lower(_ specs: [UnitSpec], verify: Bool) throws -> [Program] {
        let progress = Progress(total: specs.count)
        defer { progress.done() }
        var programs: [Program] = []
        for (k, spec) in specs.enumerated() {
            progress.show(k + 1, spec.file)
            let program = try inDirectory(spec.directory) {
                try requireFiles([spec.file])
                return try Frontend.lower(file: spec.file, arguments: spec.flags)
            }
            if verify { try check(program, after: "lowering \(spec.file)") }
            programs.append(program)
        }
        return programs
    }

    /// Runs the verifier; prints warnings, throws the errors.
    static func check(_ program: Program, after stage: String) throws {
        let found = Verifier.verify(program)
        let errors = found.filter { $0.severity == .error }
        for w in found where w.severity != .error { Console.error(w.rendered() + "\n") }
        if !errors.isEmpty {
            throw Diagnostics(errors + [Diagnostic(.note, .unknown, "the IR verifier failed after \(stage); this is a bug in graft")])
        }
    }

    /// The updatable build's passes (Sources/Instrument), the verifier after each.
    static func instrumented(_ p: Program, options: Updatable.Options, wrapping: TypeWrapping? = nil) throws -> Instrumentation.Build {
        try reportingPassFailure { try Instrumentation.updatable(p, options: options, wrapping: wrapping) }
    }

    /// A patch's code through the wrapping pass, verified.
    static func wrapped(_ p: Program, _ wrapping: TypeWrapping) throws -> Program {
        try reportingPassFailure(of: " of the patch's code") { try Instrumentation.wrapped(p, wrapping) }
    }

    /// A pass whose output the verifier rejects is graft's bug: its diagnostics, and the pass named.
    private static func reportingPassFailure<T>(of what: String = "", _ run: () throws -> T) throws -> T {
        do {
            return try run()
        } catch let f as Instrumentation.Failure {
            throw Diagnostics(f.diagnostics + [Diagnostic(.note, .unknown, "the IR verifier failed after \(f.pass)\(what); this is a bug in graft")])
        }
    }

    static func merge(_ programs: [Program], verify: Bool) throws -> Program {
        let merged = try Merge.merge(programs)
        if verify && programs.count > 1 { try check(merged, after: "merging") }
        return merged
    }

    static func emitC(_ program: Program, lineDirectives: Bool) -> String {
        CEmitter(program: program, lineDirectives: lineDirectives).emit()
    }

    private static func inDirectory<T>(_ dir: String?, _ body: () throws -> T) throws -> T {
        guard let dir else { return try body() }
        let fm = FileManager.default
        let saved = fm.currentDirectoryPath
        guard fm.changeCurrentDirectoryPath(dir) else { throw Failure("cannot enter directory \(dir)") }
        defer { _ = fm.changeCurrentDirectoryPath(saved) }
        return try body()
    }
}

/// How IR travels between processes (the `.graft_ir` section of an object,
/// `graft ir --json`): `Program.serialized()`, versioned JSON.
enum IRCodec {
    static func encode(_ p: Program) throws -> Data { try p.serialized() }
    static func decode(_ d: Data, from origin: String) throws -> Program {
        do { return try Program(serialized: d) }
        catch let e as Diagnostic { throw Failure("\(origin): the graft IR it carries is unreadable: \(e.message)") }
        catch { throw Failure("\(origin): the graft IR it carries is unreadable: \(error)") }
    }
}
