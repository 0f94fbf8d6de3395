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

/// DEPLOY-1/2 for the whole test run: every graft the tests run signs the patches it makes with
/// one key made for this run ($GRAFT_SIGNING_KEY), and every program it links trusts that key
/// ($GRAFT_TRUST_KEYS), as a release pipeline would set them. Set once in this process's
/// environment, which every child inherits; DeployTests unsets them where the point is their absence.
let testSigning: Void = {
    let env = ProcessInfo.processInfo.environment
    guard env["GRAFT_SIGNING_KEY"] == nil else { return }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    guard let graft = graftFromEnvironment ?? [".build/debug/graft", ".build/release/graft"].map({ repo + "/" + $0 })
        .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
    let dir = NSTemporaryDirectory() + "graft-test-key-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let p = Process()
    p.executableURL = URL(fileURLWithPath: graft)
    p.arguments = ["keygen", "-o", dir + "/release", "--comment", "graft-tests"]
    p.standardOutput = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return }
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return }
    setenv("GRAFT_SIGNING_KEY", dir + "/release", 1)
    setenv("GRAFT_TRUST_KEYS", dir + "/release.pub", 1)
}()

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

@discardableResult
func run(_ exe: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> ProcessResult {
    _ = testSigning
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

/// The directory Specs/deploy.md DEPLOY-9 puts uid `uid`'s control channels in
/// when nothing blocks the usual places (the runtime's choice, control.c
/// `channel_dir_choose`, restated: a test of the rule where it compares).
func channelDirectory(uid: uid_t = getuid()) -> String {
    func ownDir(_ path: String, _ owner: uid_t) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR && st.st_uid == owner && st.st_mode & 0o022 == 0
    }
    if uid == getuid(), let xdg = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], xdg.hasPrefix("/"), ownDir(xdg, uid) {
        return xdg + "/graft"
    }
    if ownDir("/run/user/\(uid)", uid) { return "/run/user/\(uid)/graft" }
    if uid == 0, ownDir("/run", 0) { return "/run/graft" }
    return "/tmp/graft-\(uid)"
}

/// Process `pid`'s control socket, where DEPLOY-9 puts it for `uid`.
func channelSocket(_ pid: Int32, uid: uid_t = getuid()) -> String { channelDirectory(uid: uid) + "/\(pid).sock" }

func tempDir() -> String {
    _ = testSigning
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
