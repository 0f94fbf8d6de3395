// `graft cc`: a gcc-compatible compiler driver for `make CC="graft cc"`.
//
// Like link-time optimization: `-c` lowers each C file to IR, verifies it,
// and writes an ordinary object (the unit's generated C compiled by the
// system compiler) that also carries the IR in a `.graft_ir` section. The
// link step reads the IR back from every such object (and from the
// members of archives that define a symbol still needed), merges the whole
// program, verifies it, generates one C file and has the system compiler
// compile and link it with the inputs that carry no IR.

import ArgumentParser
import Checker
import Codegen
import Foundation
import IR
import Instrument

struct CCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cc",
        abstract: "A C compiler driver that builds through graft's IR; use as make CC=\"graft cc\".",
        discussion: """
            Accepts gcc's command line. With -c, each C file is lowered to IR, verified, and \
            compiled to an ordinary object file that also carries its IR in a section named \
            .graft_ir (so objects stay self-contained: they can be archived with ar and \
            moved). Without -c, the link step loads the IR of every object (and of archive \
            members that define a needed symbol), merges the program, verifies it, generates \
            one C file and compiles and links it with the system compiler, together with \
            the objects, archives, shared libraries and -l/-L flags that carry no IR.

            Flags: -I -D -U -include -isystem -std= and a few semantic -f flags go to the \
            front end; -O -g -f -m -pthread and flags graft does not know go to the system \
            compiler (which rejects what is not a real flag, naming it); -l -L -Wl, -shared \
            -static and friends go to the link. -E, -S, -M, -MM, -x, --version and \
            -print-* are handed to the system compiler unchanged. -MD/-MMD/-MF/-MT/-MP \
            write the dependency file from the original source. Each object records the \
            flags its unit was compiled with (section .graft_build); the link compiles the \
            merged program with them (link-line flags win; where units disagree: the highest \
            -O, the conservative semantics flag, and a warning for any other flag, left out).

            Environment:
              GRAFT_CC          the system compiler (default: cc), e.g. "gcc-12" or "ccache gcc"
              GRAFT_SAVE_TEMPS  when set, keep the generated C and IR files and print where

            Examples:
              make CC="graft cc"
              graft cc -O2 -c util.c -o util.o
              graft cc main.o util.o -lm -o prog
              graft cc --explain-types *.o -o prog   # which types are wrapped, and why not
            """)

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("gcc arguments and input files.", valueName: "args"))
    var arguments: [String] = []

    func run() throws {
        // gcc's own --help would be no help here: show graft's.
        if arguments == ["--help"] || arguments == ["-h"] { print(CCCommand.helpMessage()); return }
        do { try Driver(parsing: arguments).run() }
        catch { throw ExitCode(Console.report(error)) }
    }
}

/// A parsed gcc command line and what to do with it.
struct Driver {
    enum Kind { case c, object, archive, sharedLibrary, other }
    struct Input { var path: String; var kind: Kind }
    /// A link-line element in command-line order.
    enum LinkItem { case input(Int), flags([String]) }

    var original: [String]
    var compileOnly = false
    var delegate = false
    /// `--explain-types` (graft's own): say at link time which types are wrapped and why not.
    var explainTypes = false
    /// Programs lowered elsewhere (`graft build -p DIR`) that join the link, with how each was compiled.
    var preloaded: [Program] = []
    var preloadedRecords: [BuildRecord] = []
    var output: String?
    var inputs: [Input] = []
    var frontend: [String] = []
    var codegen: [String] = []
    var linkItems: [LinkItem] = []
    var dependencies: [String] = []
    var debug = false

    static func kind(of path: String) -> Kind {
        let ext = (path as NSString).pathExtension
        switch ext {
        case "c", "i": return .c
        case "o", "lo", "obj": return .object
        case "a": return .archive
        case "so": return .sharedLibrary
        case "s", "S", "cc", "cpp", "cxx", "C", "m", "f", "f90": return .other
        default: return path.contains(".so.") ? .sharedLibrary : .object
        }
    }

    init(parsing args: [String]) throws {
        original = args
        let frontendF = Set(CompilerArgs.frontendFlags(args.filter { $0.hasPrefix("-f") || $0.hasPrefix("-m") }))
        var i = 0
        func value(_ flag: String) throws -> String {
            guard i + 1 < args.count else { throw Failure("missing argument to '\(flag)'") }
            i += 1
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            defer { i += 1 }
            if !a.hasPrefix("-") {
                linkItems.append(.input(inputs.count))
                inputs.append(Input(path: a, kind: Driver.kind(of: a)))
                continue
            }
            switch a {
            case "-": delegate = true
            case "--explain-types": explainTypes = true
            case "-c": compileOnly = true
            case "-E", "-S", "-M", "-MM", "--version", "-###", "--help", "-x", "-fsyntax-only": delegate = true
            case "-o": output = try value(a)
            case "-MD", "-MMD", "-MP", "-MG": dependencies.append(a)
            case "-MF", "-MT", "-MQ": dependencies += [a, try value(a)]
            case "-I", "-D", "-U": frontend.append(a + (try value(a)))
            case "-include", "-imacros", "-isystem", "-iquote", "-idirafter", "-isysroot":
                frontend += [a, try value(a)]
            case "-l", "-L": linkItems.append(.flags([a + (try value(a))]))
            case "-Xlinker", "-T", "-z", "-u", "-e": linkItems.append(.flags([a, try value(a)]))
            case "-shared", "-static", "-rdynamic", "-nostdlib", "-nostartfiles", "-nodefaultlibs", "-pie", "-no-pie",
                 "-static-libgcc", "-s", "-r":
                linkItems.append(.flags([a]))
            case "-pthread": frontend.append(a); codegen.append(a)
            case "-ansi", "-nostdinc": frontend.append(a)
            case "-w", "-pipe", "-v": codegen.append(a)
            default:
                if a.hasPrefix("-print-") || a.hasPrefix("-dump") { delegate = true }
                else if a.hasPrefix("-o") { output = String(a.dropFirst(2)) }
                else if a.hasPrefix("-I") || a.hasPrefix("-D") || a.hasPrefix("-U") || a.hasPrefix("-std=") { frontend.append(a) }
                else if a.hasPrefix("--sysroot=") { frontend.append(a); codegen.append(a) }
                else if a.hasPrefix("-l") || a.hasPrefix("-L") || a.hasPrefix("-Wl,") { linkItems.append(.flags([a])) }
                else if a.hasPrefix("-Wp,") {
                    // Preprocessor options, e.g. -Wp,-D_FORTIFY_SOURCE=2.
                    frontend += a.dropFirst(4).split(separator: ",").map(String.init)
                        .filter { $0.hasPrefix("-D") || $0.hasPrefix("-U") || $0.hasPrefix("-I") }
                } else if a.hasPrefix("-Wa,") { codegen.append(a) }
                else if a.hasPrefix("-W") || a.hasPrefix("-pedantic") { /* warnings: clang already checked the source */ }
                else if a.hasPrefix("-O") { frontend.append(a); codegen.append(a) }
                else if a.hasPrefix("-g") { codegen.append(a); debug = a != "-g0" }
                else if a.hasPrefix("-f") || a.hasPrefix("-m") {
                    codegen.append(a)
                    if frontendF.contains(a) { frontend.append(a) }
                } else if CompilerArgs.separateValue.contains(a) { codegen += [a, try value(a)] }
                else { codegen.append(a) }  // unknown: the system compiler judges it
            }
        }
    }

    // MARK: Running

    func run() throws {
        // Nothing of graft's to do: the system compiler answers (no inputs: its own error).
        if delegate || (inputs.isEmpty && preloaded.isEmpty) { return try exec(Toolchain.systemCC + original) }
        if compileOnly { try compile() } else { try link() }
    }

    private func exec(_ argv: [String]) throws {
        let status = try Toolchain.run(argv)
        if status != 0 { throw ChildFailed(status: status) }
    }

    /// `-c`: one object per input.
    private func compile() throws {
        let sources = inputs.filter { $0.kind == .c || $0.kind == .other }
        if output != nil && sources.count > 1 { throw Failure("cannot specify '-o' with '-c' and multiple files") }
        if !sources.contains(where: { $0.kind == .c }) { return try exec(Toolchain.systemCC + original) }
        let tmp = try Toolchain.TempDir()
        defer { tmp.cleanup() }
        for input in sources {
            let out = output ?? (((input.path as NSString).lastPathComponent as NSString).deletingPathExtension + ".o")
            if input.kind == .other {
                try exec(Toolchain.systemCC + frontend + codegen + dependencies + ["-c", input.path, "-o", out])
                continue
            }
            try compileC(input.path, to: out, tmp: tmp)
            if !dependencies.isEmpty { try writeDependencies(input.path, object: out) }
        }
    }

    private func lowerC(_ files: [String]) throws -> [Program] {
        try Pipeline.requireFiles(files)
        return try Pipeline.lower(files.map { UnitSpec(file: $0, flags: frontend + Runtime.includeFlags, directory: nil) }, verify: true)
    }

    private func compileC(_ file: String, to object: String, tmp: Toolchain.TempDir) throws {
        let program = try lowerC([file])[0]
        let cFile = tmp.file(((file as NSString).lastPathComponent as NSString).deletingPathExtension + ".graft.c")
        try Toolchain.write(Pipeline.emitC(program, lineDirectives: debug), to: cFile)
        try systemCompile(Toolchain.systemCC + codegen + ["-w", "-c", cFile, "-o", object], generated: cFile, for: file, tmp: tmp)
        // How this unit was compiled: the link compiles the merged program with it (BuildFlags).
        let record = BuildRecord(codegen: BuildFlags.recordable(codegen), frontend: BuildFlags.absolute(frontend))
        try ObjectIR.embed(try IRCodec.encode(program), record: record, into: object, scratch: tmp)
    }

    /// Runs the system compiler on generated C; if it fails, that is graft's bug: say so and keep the file.
    private func systemCompile(_ argv: [String], generated: String, for what: String, tmp: Toolchain.TempDir) throws {
        let status = try Toolchain.run(argv)
        guard status == 0 else {
            // A flag the compiler rejects (it has named it) is the command line's fault, not graft's.
            let probe = tmp.file("graft-flag-probe.c")
            try Toolchain.write("int graft_flag_probe;\n", to: probe)
            let flags = argv.dropFirst(Toolchain.systemCC.count).filter { $0 != generated && !$0.hasSuffix(".o") && $0 != "-o" && $0 != "-c" }
            let quiet = try Toolchain.runQuiet(Toolchain.systemCC + flags + ["-c", probe, "-o", tmp.file("graft-flag-probe.o")])
            if quiet.status != 0 {
                throw Failure("the system compiler (\(Toolchain.systemCC.joined(separator: " "))) rejects the flags given for \(what) (see its message above)")
            }
            tmp.keep = true
            throw Failure("the system compiler (\(Toolchain.systemCC.joined(separator: " "))) failed on the C graft generated for \(what); it is kept at \(generated)")
        }
    }

    /// -MD/-MMD: the dependency file of the original source, as gcc would write it.
    private func writeDependencies(_ file: String, object: String) throws {
        var flags: [String] = []
        var hasFile = false, hasTarget = false
        var i = 0
        while i < dependencies.count {
            let d = dependencies[i]
            switch d {
            case "-MD": flags.append("-M")
            case "-MMD": flags.append("-MM")
            case "-MF", "-MT", "-MQ":
                flags += [d, dependencies[i + 1]]; i += 1
                if d == "-MF" { hasFile = true } else { hasTarget = true }
            default: flags.append(d)
            }
            i += 1
        }
        guard flags.contains("-M") || flags.contains("-MM") else { return }
        if !hasFile { flags += ["-MF", (object as NSString).deletingPathExtension + ".d"] }
        if !hasTarget { flags += ["-MT", object] }
        try exec(Toolchain.systemCC + frontend + flags + [file])
    }

    /// The link step: IR from C inputs, objects and archives → one program.
    private func link() throws {
        var units: [Int: Program] = [:]     // by input index
        var records: [Int: BuildRecord] = [:]
        let cInputs = inputs.indices.filter { inputs[$0].kind == .c }
        let linkLineRecord = BuildRecord(codegen: BuildFlags.recordable(codegen), frontend: BuildFlags.absolute(frontend))
        for (k, p) in try lowerC(cInputs.map { inputs[$0].path }).enumerated() {
            units[cInputs[k]] = p
            records[cInputs[k]] = linkLineRecord     // compiled with the link line's flags, as gcc would
        }
        var pool: [(origin: String, program: Program, record: BuildRecord?)] = []
        func scanArchive(_ path: String, _ data: Data) throws {
            for m in ObjectIR.archiveMembers(data) {
                guard let ir = ObjectIR.irSection(ofELF: m.data) else { continue }
                pool.append(("\(path)(\(m.name))", try IRCodec.decode(ir, from: "\(path)(\(m.name))"), BuildRecord.of(elf: m.data)))
            }
        }
        for (n, input) in inputs.enumerated() where input.kind == .object || input.kind == .archive {
            guard let data = FileManager.default.contents(atPath: input.path) else {
                throw Failure(FileManager.default.fileExists(atPath: input.path) ? "cannot read \(input.path)" : "no such file: \(input.path)")
            }
            if input.kind == .object, let ir = ObjectIR.irSection(ofELF: data) {
                units[n] = try IRCodec.decode(ir, from: input.path)
                records[n] = BuildRecord.of(elf: data)
            } else if input.kind == .archive {
                try scanArchive(input.path, data)
            }
        }
        for archive in archivesFromLibraryFlags() {
            if let data = FileManager.default.contents(atPath: archive) { try scanArchive(archive, data) }
        }
        var programs = preloaded + inputs.indices.compactMap { units[$0] }
        var unitRecords: [(origin: String, record: BuildRecord?)] =
            preloaded.indices.map { ("unit \($0 + 1)", $0 < preloadedRecords.count ? preloadedRecords[$0] : nil) }
            + inputs.indices.filter { units[$0] != nil }.map { (inputs[$0].path, records[$0]) }
        let members = Driver.membersNeeded(by: programs, from: pool.map(\.program))
        programs += members.map { pool[$0].program }
        unitRecords += members.map { (pool[$0].origin, pool[$0].record) }
        if programs.isEmpty { return try exec(Toolchain.systemCC + original) }
        // The merged program is compiled with the flags its units were compiled with.
        let (programFlags, disagreements) = BuildFlags.combine(units: unitRecords, linkLine: BuildFlags.recordable(codegen))
        for w in disagreements { Console.error("graft: warning: \(w)\n") }
        let programCodegen = programFlags + codegen.filter { ["-w", "-pipe", "-v"].contains($0) }
        var programRecord = BuildRecord(codegen: programFlags, frontend: BuildFlags.frontendUnion(unitRecords.compactMap(\.record)))

        let merged = try Pipeline.merge(programs, verify: true)
        let tmp = try Toolchain.TempDir()
        defer { tmp.cleanup() }
        let out = output ?? "a.out"
        let cFile = tmp.file(((out as NSString).lastPathComponent) + ".graft.c")
        // An executable is built updatable: indirection, update points, the runtime.
        let updatable = !linkItems.contains { item in
            if case .flags(let f) = item { return f.contains("-r") || f.contains("-shared") || f.contains("-c") }
            return false
        } && Runtime.updatableBuilds
        var runtimeObjects: [String] = []
        if updatable {
            let trust = try BuildTrust.fromEnvironment()
            programRecord.trust = BuildRecord.Trust(keys: trust.keys.map(SigningKey.describe), acceptUnsigned: trust.acceptUnsigned)
            let build = try Pipeline.instrumented(merged, options: Updatable.Options(compilerFlags: programCodegen),
                                                  wrapping: Runtime.benchNoWrap ? TypeWrapping() : nil)
            if explainTypes { Console.error(TypeWrapping.explain(merged, build.wrapping)) }
            let c = CEmitter(program: build.program, lineDirectives: debug, wrapping: build.wrapping,
                             aliases: CEmitter.globalAliases(build.program)).emit()
                + Updatable.runtimeStartC(manifest: build.manifest, programName: (out as NSString).lastPathComponent,
                                          wrapsTypes: !build.wrapping.isEmpty,
                                          trustedKeys: trust.keys, acceptUnsigned: trust.acceptUnsigned)
            try Toolchain.write(c, to: cFile)
            runtimeObjects = try Runtime.compile(into: tmp, flags: programCodegen)
        } else {
            // graft.h's update point, which the IR calls (graft lowers with __GRAFT__): a no-op
            // here, weak so that an updatable program this joins (-r, -shared) keeps the runtime's.
            let callsPoint = merged.functions.contains { $0.name == Updatable.updatePointFunction && !$0.isDefinition }
                && !merged.functions.contains { $0.name == Updatable.updatePointFunction && $0.isDefinition }
            try Toolchain.write(Pipeline.emitC(merged, lineDirectives: debug)
                + (callsPoint ? "\n__attribute__((weak)) void \(Updatable.updatePointFunction)(void) {}\n" : ""), to: cFile)
        }
        // Compile the generated C alone first: if that fails it is graft's
        // bug; a failing link (an undefined symbol) is the program's, and the
        // linker says so itself.
        let object = tmp.file(((out as NSString).lastPathComponent) + ".graft.o")
        try systemCompile(Toolchain.systemCC + programCodegen + ["-w", "-c", cFile, "-o", object] + Runtime.includeFlags,
                          generated: cFile, for: out, tmp: tmp)
        var line: [String] = []
        var placed = false
        for item in linkItems {
            switch item {
            case .flags(let f): line += f
            case .input(let n):
                if units[n] != nil {
                    if !placed { line.append(object); placed = true }
                } else { line.append(inputs[n].path) }
            }
        }
        if !placed { line.insert(object, at: 0) }
        if updatable { line += runtimeObjects + ["-rdynamic", "-ldl", "-lpthread", "-lcrypto"] }
        try exec(Toolchain.systemCC + codegen + line + ["-o", out])
        // The executable carries its (uninstrumented) IR: `graft patch` diffs two of them.
        // It also says how its program was compiled (graft patch compiles transformers and the patch so).
        if updatable { try ObjectIR.embed(try IRCodec.encode(merged), record: programRecord, into: out, scratch: tmp) }
        // A partial link (`-r`) makes an object again: it carries the merged IR on.
        if line.contains("-r") { try ObjectIR.embed(try IRCodec.encode(merged), record: programRecord, into: out, scratch: tmp) }
    }

    /// The static archives `-lNAME` finds in the `-L` directories, as `ld`
    /// searches them (a `libNAME.so` beside it wins unless `-static`). System
    /// directories are not searched: their libraries carry no IR.
    func archivesFromLibraryFlags() -> [String] {
        let flags = linkItems.flatMap { item -> [String] in if case .flags(let f) = item { return f }; return [] }
        let dirs = flags.filter { $0.hasPrefix("-L") }.map { String($0.dropFirst(2)) }
        let isStatic = flags.contains("-static")
        let fm = FileManager.default
        var out: [String] = []
        for lib in flags where lib.hasPrefix("-l") {
            let name = lib.dropFirst(2)
            for dir in dirs {
                let so = (dir as NSString).appendingPathComponent("lib\(name).so")
                let a = (dir as NSString).appendingPathComponent("lib\(name).a")
                if !isStatic && fm.fileExists(atPath: so) { break }
                if fm.fileExists(atPath: a) { if !out.contains(a) { out.append(a) }; break }
            }
        }
        return out
    }

    /// Archive semantics: a member joins when it defines a symbol that is
    /// still undefined — used by code or data already in, not only
    /// declared (Specs/link.md LINK-4) — until nothing changes.
    /// Returns the indices in `pool` of the members taken, in the order taken.
    static func membersNeeded(by programs: [Program], from pool: [Program]) -> [Int] {
        var defined = Set<String>(), referenced = Set<String>()
        func add(_ p: Program) {
            for f in p.functions where f.storage != .static && f.isDefinition { defined.insert(f.name) }
            for g in p.globals where g.storage != .static && (g.storage != .extern || g.initializer != nil) { defined.insert(g.name) }
            referenced.formUnion(Uses.externalReferences(of: p))
        }
        programs.forEach(add)
        var taken = Array(repeating: false, count: pool.count)
        var out: [Int] = []
        var changed = true
        while changed {
            changed = false
            for (i, m) in pool.enumerated() where !taken[i] {
                let needed = referenced.subtracting(defined)
                let provides = m.functions.contains { $0.storage != .static && $0.isDefinition && needed.contains($0.name) }
                    || m.globals.contains { $0.storage != .static && ($0.storage != .extern || $0.initializer != nil) && needed.contains($0.name) }
                if provides { taken[i] = true; out.append(i); add(m); changed = true }
            }
        }
        return out
    }
}
