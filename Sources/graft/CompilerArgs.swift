// Reading gcc-style command lines: which flags take a separate argument,
// which matter to the front end (libclang), and compile_commands.json.

import Foundation

enum CompilerArgs {
    /// gcc flags whose value may be the next argument (`-I dir`, `-o out`).
    static let separateValue: Set<String> = [
        "-o", "-I", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote", "-idirafter", "-iprefix",
        "-iwithprefix", "-iwithprefixbefore", "-isysroot", "-L", "-l", "-x", "-MF", "-MT", "-MQ", "-Xlinker",
        "-Xassembler", "-Xpreprocessor", "-T", "-z", "-u", "-e", "-aux-info", "--param", "-B", "-specs",
        "-target", "--target", "-arch", "-Xclang",
    ]

    /// Splits a command line into flags (each with its value) and input files.
    static func split(_ args: [String]) -> (flags: [String], files: [String]) {
        var flags: [String] = [], files: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if separateValue.contains(a), i + 1 < args.count {
                flags += [a, args[i + 1]]; i += 2; continue
            }
            if a.hasPrefix("-") && a != "-" { flags.append(a) } else { files.append(a) }
            i += 1
        }
        return (flags, files)
    }

    /// The flags that change what the front end sees: preprocessor, language
    /// standard, target and a few semantic `-f` options. Everything else
    /// (warnings, code generation, linking) is for the system compiler only,
    /// and is left out so that libclang never rejects a gcc-only flag.
    static func frontendFlags(_ flags: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        let joinable: Set<String> = ["-I", "-D", "-U"]
        let keptWithValue: Set<String> = ["-include", "-imacros", "-isystem", "-iquote", "-idirafter", "-isysroot"]
        let keptF: Set<String> = [
            "-funsigned-char", "-fsigned-char", "-fno-signed-char", "-fno-unsigned-char", "-fgnu89-inline",
            "-fno-gnu89-inline", "-fms-extensions", "-fno-builtin", "-fcommon", "-fno-common", "-fshort-enums",
            "-fshort-wchar", "-fPIC", "-fpic", "-fPIE", "-fpie", "-fno-PIC", "-fno-pic", "-fwrapv", "-fno-strict-aliasing",
            "-fgnu-keywords", "-fno-asm", "-fdollars-in-identifiers", "-fno-dollars-in-identifiers",
        ]
        while i < flags.count {
            let a = flags[i]
            let next = i + 1 < flags.count ? flags[i + 1] : nil
            if joinable.contains(a), let v = next { out.append(a + v); i += 2; continue }
            if keptWithValue.contains(a), let v = next { out += [a, v]; i += 2; continue }
            if separateValue.contains(a) { i += 2; continue }
            if a.hasPrefix("-I") || a.hasPrefix("-D") || a.hasPrefix("-U") || a.hasPrefix("-std=") || a == "-ansi"
                || a.hasPrefix("-O") || a == "-pthread" || a == "-nostdinc" || a.hasPrefix("--sysroot=")
                || a == "-w" || keptF.contains(a) || a.hasPrefix("-fno-builtin-")
                || a.hasPrefix("-march=") || a.hasPrefix("-mtune=") || a == "-m64"
                || a.hasPrefix("-msse") || a.hasPrefix("-mavx") || a.hasPrefix("-mno-sse") || a.hasPrefix("-mno-avx") {
                out.append(a)
            }
            i += 1
        }
        return out
    }

    /// Dependency-file flags (`-MD`, `-MF x`, …), which the front end must not see.
    static func isDependencyFlag(_ a: String) -> Bool {
        ["-M", "-MM", "-MD", "-MMD", "-MF", "-MT", "-MQ", "-MP", "-MG"].contains(a)
    }

    /// Splits a command string as a POSIX shell would (quotes and backslashes;
    /// no expansions).
    static func shellSplit(_ s: String) throws -> [String] {
        var out: [String] = []
        var cur = "", inWord = false
        var quote: Character? = nil
        var it = s.makeIterator()
        while let c = it.next() {
            if let q = quote {
                if c == q { quote = nil }
                else if c == "\\" && q == "\"" {
                    guard let n = it.next() else { throw Failure("unterminated escape in command: \(s)") }
                    if n == "\"" || n == "\\" || n == "$" || n == "`" { cur.append(n) } else if n != "\n" { cur += "\\\(n)" }
                } else { cur.append(c) }
                continue
            }
            switch c {
            case " ", "\t", "\n":
                if inWord { out.append(cur); cur = ""; inWord = false }
            case "'", "\"":
                quote = c; inWord = true
            case "\\":
                guard let n = it.next() else { throw Failure("trailing backslash in command: \(s)") }
                if n != "\n" { cur.append(n); inWord = true }
            default:
                cur.append(c); inWord = true
            }
        }
        if quote != nil { throw Failure("unterminated quote in command: \(s)") }
        if inWord { out.append(cur) }
        return out
    }
}

/// `compile_commands.json`: the units of a build, each with its flags.
enum CompileCommands {
    static func load(directory: String) throws -> [UnitSpec] {
        let path = (directory as NSString).appendingPathComponent("compile_commands.json")
        guard FileManager.default.fileExists(atPath: path) else { throw Failure("no such file: \(path)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) }
        catch { throw Failure("\(path): not valid JSON (\(describe(error)))") }
        guard let entries = json as? [Any] else {
            throw Failure("\(path): expected a JSON array of {directory, file, arguments|command} objects")
        }
        var specs: [UnitSpec] = []
        for (n, raw) in entries.enumerated() {
            guard let e = raw as? [String: Any] else { throw Failure("\(path): entry \(n + 1) is not an object") }
            guard let file = e["file"] as? String else { throw Failure("\(path): entry \(n + 1) has no \"file\" string") }
            guard let dir = e["directory"] as? String else { throw Failure("\(path): entry \(n + 1) has no \"directory\" string") }
            let argv: [String]
            if let a = e["arguments"] as? [String] { argv = a }
            else if let c = e["command"] as? String {
                do { argv = try CompileCommands.splitCommand(c) }
                catch let f as Failure { throw Failure("\(path): entry \(n + 1): \(f.message)") }
            } else { throw Failure("\(path): entry \(n + 1) has neither \"arguments\" (array of strings) nor \"command\"") }
            guard file.hasSuffix(".c") else {
                Console.error("graft: warning: skipping \(file): not a C file\n")
                continue
            }
            specs.append(UnitSpec(file: file, flags: flags(argv, file: file, directory: dir), directory: dir))
        }
        return specs
    }

    static func splitCommand(_ c: String) throws -> [String] { try CompilerArgs.shellSplit(c) }

    /// The compiler's arguments without the compiler, `-c`, `-o X`, the file
    /// and dependency-file flags; then only those the front end needs.
    static func flags(_ argv: [String], file: String, directory: String) -> [String] {
        let abs = { (p: String) in (p as NSString).isAbsolutePath ? p : (directory as NSString).appendingPathComponent(p) }
        let target = (abs(file) as NSString).standardizingPath
        var out: [String] = []
        var i = 1
        while i < argv.count {
            let a = argv[i]
            if a == "-c" { i += 1; continue }
            if a == "-o" || a == "-MF" || a == "-MT" || a == "-MQ" { i += 2; continue }
            if a.hasPrefix("-o") || CompilerArgs.isDependencyFlag(a) { i += 1; continue }
            if !a.hasPrefix("-") && (abs(a) as NSString).standardizingPath == target { i += 1; continue }
            out.append(a)
            i += 1
        }
        return CompilerArgs.frontendFlags(out)
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo["NSDebugDescription"] as? String) ?? ns.localizedDescription
    }
}
