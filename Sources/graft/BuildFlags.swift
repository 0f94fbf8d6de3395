// How each unit was compiled, kept with its code.
//
// Makefiles give -O2, -march=… and -D only on the `-c` lines; the link line
// has none of them. graft's link step compiles the whole merged program
// once, so it must know the flags each unit was compiled with: `graft cc -c`
// records them in the object (ELF section `.graft_build`, JSON, flagged
// `exclude` like `.graft_ir`), and the link compiles the merged program with
// the flags its units agree on (`BuildFlags.combine`). The executable
// records the flags its program was compiled with, and the front-end flags
// of its units (include paths made absolute), so that `graft patch` can
// compile NEW's transformers.c as NEW's units were compiled, and the patch's
// code as the program's.

import Foundation

/// What graft records of how code was built.
struct BuildRecord: Codable, Equatable {
    /// Code-generation flags (-O, -g, -m…, -f…, -pthread, flags graft does not know).
    var codegen: [String]
    /// Front-end flags (-I, -D, -U, -include, -std=, …), paths absolute.
    var frontend: [String]
    /// An updatable executable's trust (DEPLOY-2): the public keys built into it, and whether it accepts unsigned patches.
    var trust: Trust?

    struct Trust: Codable, Equatable {
        /// Ed25519 public keys, base64 (as `graft keygen`'s K.pub and SigningKey.describe write them).
        var keys: [String]
        var acceptUnsigned: Bool
    }

    static let section = ".graft_build"

    func encoded() -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return (try? enc.encode(self)) ?? Data()
    }

    /// The record an ELF file carries, nil when it has none (built by an older graft, or not by graft).
    static func of(elf: Data) -> BuildRecord? {
        guard let raw = ObjectIR.section(section, ofELF: elf) else { return nil }
        return try? JSONDecoder().decode(BuildRecord.self, from: raw.prefix { $0 != 0 })
    }
}

enum BuildFlags {
    /// The driver's code-generation flags worth recording for a unit (not the driver's own chatter).
    static func recordable(_ codegen: [String]) -> [String] {
        codegen.filter { !["-w", "-pipe", "-v"].contains($0) }
    }

    /// Front-end flags with their paths made absolute against `directory`.
    static func absolute(_ flags: [String], directory: String = FileManager.default.currentDirectoryPath) -> [String] {
        let abs = { (p: String) -> String in
            (p as NSString).isAbsolutePath || p.isEmpty ? p : ((directory as NSString).appendingPathComponent(p) as NSString).standardizingPath
        }
        var out: [String] = []
        var i = 0
        let withValue: Set<String> = ["-I", "-include", "-imacros", "-isystem", "-iquote", "-idirafter"]
        while i < flags.count {
            let a = flags[i]
            if withValue.contains(a), i + 1 < flags.count {
                out += [a, abs(flags[i + 1])]; i += 2; continue
            }
            if a.hasPrefix("-I") && a.count > 2 { out.append("-I" + abs(String(a.dropFirst(2)))) }
            else { out.append(a) }
            i += 1
        }
        return out
    }

    /// Code-generation flags from a unit's front-end flags (compile_commands.json's
    /// units keep only what the front end needs, -O and -m among them).
    static func codegen(fromFrontend flags: [String]) -> [String] {
        flags.filter { $0.hasPrefix("-O") || $0.hasPrefix("-m") || $0.hasPrefix("-f") || $0 == "-pthread" }
    }

    /// Groups a flat flag list into flags with their separate values (`-Xassembler x`).
    static func groups(_ flags: [String]) -> [[String]] {
        var out: [[String]] = []
        var i = 0
        while i < flags.count {
            if CompilerArgs.separateValue.contains(flags[i]), i + 1 < flags.count {
                out.append([flags[i], flags[i + 1]]); i += 2
            } else {
                out.append([flags[i]]); i += 1
            }
        }
        return out
    }

    /// What a flag sets: flags with one key override each other (the last wins, as in gcc).
    static func key(_ flag: String) -> String {
        if flag.hasPrefix("-O") { return "-O" }
        if flag.hasPrefix("-g") { return "-g" }
        for p in ["-march=", "-mtune=", "-mcpu=", "-mfpmath=", "-mcmodel=", "-mabi="] where flag.hasPrefix(p) { return p }
        for (on, off) in [("-f", "-fno-"), ("-m", "-mno-")] where flag.hasPrefix(on) {
            var name = flag.hasPrefix(off) ? String(flag.dropFirst(off.count)) : String(flag.dropFirst(on.count))
            if let eq = name.firstIndex(of: "=") { name = String(name[..<eq]) }
            return on + name
        }
        return flag
    }

    /// -O levels from least to most optimizing, for choosing between units.
    static func rank(_ o: String) -> Int {
        switch o {
        case "-O0": return 0
        case "-Og": return 1
        case "-O1", "-O": return 2
        case "-Os", "-Oz": return 3
        case "-O2": return 4
        case "-O3": return 5
        case "-Ofast": return 6
        default: return 4
        }
    }

    /// Flags where one value keeps what the other may break (the C semantics
    /// the unit was compiled for): when any unit has it, the whole program does.
    static let conservative: Set<String> = [
        "-fwrapv", "-fno-strict-aliasing", "-fno-strict-overflow", "-fno-delete-null-pointer-checks", "-ftrapv",
        "-fno-builtin", "-fwrapv-pointer", "-fno-tree-vectorize", "-fno-omit-frame-pointer", "-fstack-protector",
        "-fstack-protector-strong", "-fstack-protector-all", "-fcf-protection", "-fno-common", "-fexceptions",
        "-fasynchronous-unwind-tables", "-fno-math-errno",
    ]

    /// The flags to compile the merged program with, from each unit's record
    /// (nil: the unit's flags are not known — an object of an older graft) and
    /// the link line's own code-generation flags, which win where given, as
    /// gcc's later flags do. Units that agree on a flag give it to the whole
    /// program. Where they disagree: the highest -O (as gcc -flto does when
    /// the link line gives none), debug info and -pthread when any unit has
    /// them, the conservative value of a semantics flag (-fwrapv,
    /// -fno-strict-aliasing, …); any other flag is left out, with a warning
    /// (give it on the link line to choose). Returns the flags and the warnings.
    static func combine(units: [(origin: String, record: BuildRecord?)], linkLine: [String]) -> (flags: [String], warnings: [String]) {
        let known = units.compactMap { u in u.record.map { (u.origin, groups($0.codegen)) } }
        let linkGroups = groups(linkLine)
        let linkKeys = Set(linkGroups.map { key($0[0]) })
        // Per key, in first-seen order: each known unit's last value (nil: it does not set it).
        var order: [String] = []
        var values: [String: [[String]?]] = [:]
        for (n, (_, gs)) in known.enumerated() {
            for g in gs {
                let k = key(g[0])
                if values[k] == nil { order.append(k); values[k] = Array(repeating: nil, count: known.count) }
                values[k]![n] = g
            }
        }
        var flags: [String] = [], warnings: [String] = []
        func who(_ vs: [[String]?]) -> String {
            var seen: [String: [String]] = [:], keys: [String] = []
            for (n, v) in vs.enumerated() {
                let text = v?.joined(separator: " ") ?? "none"
                if seen[text] == nil { keys.append(text) }
                seen[text, default: []].append((known[n].0 as NSString).lastPathComponent)
            }
            return keys.map { "\($0) (\(seen[$0]!.prefix(3).joined(separator: ", "))\(seen[$0]!.count > 3 ? ", …" : ""))" }.joined(separator: ", ")
        }
        for k in order where !linkKeys.contains(k) {
            let vs = values[k]!
            let set = vs.compactMap { $0 }
            if set.count == vs.count && Set(set).count == 1 { flags += set[0]; continue }
            switch k {
            case "-O":
                let best = set.max { rank($0[0]) < rank($1[0]) }!
                // A unit without -O was compiled at -O0: a real disagreement unless all say the same.
                if set.count < vs.count || Set(set).count > 1 {
                    warnings.append("the units were compiled at different optimization levels: \(who(vs)); the merged program is compiled with \(best[0]) (give -O on the link line to choose)")
                }
                flags += best
            case "-g":
                flags += set.first { $0 != ["-g0"] } ?? set[0]
            case "-pthread":
                flags += set[0]
            default:
                if let safe = set.first(where: { conservative.contains($0[0]) }) {
                    flags += safe
                } else {
                    warnings.append("the units disagree on \(k.hasSuffix("=") ? k + "…" : k): \(who(vs)); the merged program is compiled without it (give it on the link line to choose)")
                }
            }
        }
        return (flags + linkLine, warnings)
    }

    /// The front-end flags of a program's units, in first-seen order, once
    /// each; a macro the units define differently is left out (the first
    /// definition is kept when all that define it agree).
    static func frontendUnion(_ records: [BuildRecord]) -> [String] {
        var out: [String] = [], seen = Set<String>()
        var macros: [String: Set<String>] = [:]
        for r in records {
            for g in groups(r.frontend) where g[0].hasPrefix("-D") || g[0].hasPrefix("-U") {
                let text = g.joined()
                let name = String(text.dropFirst(2).prefix { $0 != "=" })
                macros[name, default: []].insert(text)
            }
        }
        for r in records {
            for g in groups(r.frontend) {
                let text = g.joined(separator: "\u{0}")
                if seen.contains(text) { continue }
                seen.insert(text)
                if g[0].hasPrefix("-D") || g[0].hasPrefix("-U") {
                    let name = String(g.joined().dropFirst(2).prefix { $0 != "=" })
                    if (macros[name]?.count ?? 0) > 1 { continue }
                }
                out += g
            }
        }
        return out
    }
}
