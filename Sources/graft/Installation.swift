// Where graft's own files are: the runtime's C sources (compiled into every
// updatable build) and the rules (Specs/, printed by `graft explain`).
//
// Three places, in this order: the folder an environment variable names;
// PREFIX/share/graft/<name> beside an installed PREFIX/bin/graft
// (`make install`); the source tree graft was built in, found by walking up
// from its executable (.build/<config>/graft).

import Foundation

enum Installation {
    /// graft's own executable.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The first of `$env`, PREFIX/share/graft/`installed`, and `source` in graft's source tree that holds `marker`.
    static func folder(env: String, installed: String, source: String, marker: String) -> String? {
        if let d = ProcessInfo.processInfo.environment[env], !d.isEmpty { return d }
        let bin = (executable as NSString).deletingLastPathComponent
        let prefix = (bin as NSString).deletingLastPathComponent
        let share = (prefix as NSString).appendingPathComponent("share/graft/" + installed)
        if FileManager.default.fileExists(atPath: (share as NSString).appendingPathComponent(marker)) { return share }
        var dir = bin
        for _ in 0..<8 {
            let candidate = (dir as NSString).appendingPathComponent(source)
            if FileManager.default.fileExists(atPath: (candidate as NSString).appendingPathComponent(marker)) { return candidate }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// The runtime's source folder (graft.h is in its include/).
    static var runtime: String? { folder(env: "GRAFT_RUNTIME_DIR", installed: "runtime", source: "Sources/Runtime", marker: "include/graft.h") }

    /// The written rules, one Markdown file per area (Specs/patch.md, …).
    static var specs: String? { folder(env: "GRAFT_SPECS_DIR", installed: "specs", source: "Specs", marker: "patch.md") }
}
