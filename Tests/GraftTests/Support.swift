// Helpers shared by tests: run processes, lower C snippets, round-trip them
// through graft's IR and the C emitter, compile and run the result.

import Foundation
import IR
import Instrument
import Frontend
import Checker
import Codegen

/// $GRAFT_BIN, when set: the graft executable every test that runs one
/// uses, before the ones it finds in the build directories
/// (bench/mutate-checker.sh points the tests at its mutation build).
let graftFromEnvironment: String? = {
    guard let p = ProcessInfo.processInfo.environment["GRAFT_BIN"], !p.isEmpty else { return nil }
    return p
}()

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

@discardableResult
func run(_ exe: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

func tempDir() -> String {
    let d = NSTemporaryDirectory() + "graft-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// Writes `source` to a file and lowers it.
func lower(_ source: String, name: String = "t.c", flags: [String] = []) throws -> (Program, String) {
    let dir = tempDir()
    let path = dir + "/" + name
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    return (try Frontend.lower(file: path, arguments: flags), dir)
}

/// Lowers `source`, verifies, emits C, compiles it with gcc and runs it.
func roundTrip(_ source: String, flags: [String] = [], cflags: [String] = ["-O1", "-w"]) throws -> ProcessResult {
    let (program, dir) = try lower(source, flags: flags)
    let problems = Verifier.verify(program)
    if !problems.isEmpty { throw Diagnostics(problems) }
    let c = CEmitter(program: program).emit()
    let out = dir + "/rt.c"
    try c.write(toFile: out, atomically: true, encoding: .utf8)
    let cc = try run("/usr/bin/gcc", cflags + [out, "-o", dir + "/rt", "-lm"])
    if cc.status != 0 { throw Diagnostics([Diagnostic(.error, SourceLoc(file: out, line: 0, column: 0), "emitted C does not compile:\n" + cc.stderr)]) }
    return try run(dir + "/rt", [])
}
