// The system tools graft drives: the C compiler (`cc`, or $GRAFT_CC),
// objcopy, temporary directories.

import Foundation

enum Toolchain {
    /// `$GRAFT_CC` split on blanks (`ccache gcc` works), else `cc`.
    static var systemCC: [String] {
        let env = ProcessInfo.processInfo.environment["GRAFT_CC"]?.split(separator: " ").map(String.init) ?? []
        return env.isEmpty ? ["cc"] : env
    }

    /// $GRAFT_SAVE_TEMPS=1 keeps the generated C and IR files and says where.
    static var saveTemps: Bool { ProcessInfo.processInfo.environment["GRAFT_SAVE_TEMPS"].map { $0 != "" && $0 != "0" } ?? false }

    /// Runs a program found on PATH with stdin/stdout/stderr inherited; returns its status.
    @discardableResult
    static func run(_ argv: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        do { try p.run() } catch { throw Failure("cannot run \(argv[0]): \(error.localizedDescription)") }
        p.waitUntilExit()
        if p.terminationReason == .uncaughtSignal { return 128 + p.terminationStatus }
        return p.terminationStatus
    }

    /// Runs and throws `ChildFailed` (the child has printed its own error) on failure.
    static func runChecked(_ argv: [String]) throws {
        let status = try run(argv)
        if status != 0 { throw ChildFailed(status: status) }
    }

    /// Runs, capturing stderr (for tools whose messages graft rewrites).
    static func runQuiet(_ argv: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { throw Failure("cannot run \(argv[0]): \(error.localizedDescription)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A fresh private directory, removed by `cleanup` unless temps are saved.
    final class TempDir {
        let path: String
        /// Set when a file in it is named in an error message.
        var keep = false
        init() throws {
            var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("graft-XXXXXX").utf8CString)
            guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
                throw Failure("cannot create a temporary directory in \(NSTemporaryDirectory())")
            }
            path = String(cString: made)
        }
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
        func cleanup() {
            if keep { return }
            if Toolchain.saveTemps { Console.error("graft: note: temporary files kept in \(path)\n"); return }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    static func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        catch { throw Failure("cannot write \(path): \(error.localizedDescription)") }
    }
    static func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path)) }
        catch { throw Failure("cannot write \(path): \(error.localizedDescription)") }
    }
}
