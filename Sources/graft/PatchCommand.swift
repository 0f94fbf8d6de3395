// `graft patch --from OLD --to NEW -o P.patch`: a patch between two builds.

import ArgumentParser
import Checker
import Codegen
import Foundation
import IR
import Instrument

struct PatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Build a patch that moves a running OLD build to NEW.",
        discussion: """
            OLD and NEW are executables built with `graft cc` (each carries the IR of its \
            program), or source trees: graft builds a copy of each with `make CC="graft cc"` \
            (or --build COMMAND) and takes the executable it makes (or --exe NAME). \
            graft matches their functions, globals and types by stable identity, \
            checks the differences against the rules of Specs/patch.md and \
            Specs/updatability.md, and writes one file: a shared object holding the new and \
            changed functions, the new and redefined globals, the type conversions and a \
            descriptor (base version, target version, the slots to rebind, the update points \
            where the patch is admissible, the plan), sealed with a SHA-256 digest. Apply it with `graft apply --pid PID P.patch`.

            A wrapped struct whose layout changed is converted by a default transformer \
            and, if NEW's sources provide one, the hand-written graft_transform_<tag> in \
            transformers.c (found beside NEW, or given with --transformers), checked by \
            Specs/transformers.md. What cannot be applied safely is refused with the rule and \
            the location. The verdict for every update point of OLD is printed; `--json` \
            prints the whole plan.

            The patch also carries its patch back, NEW → OLD, for `graft rollback`, derived \
            by the same checker when the patch's effect on the state is one default \
            conversions undo (no transformer ran, no global was defined anew, every field \
            of each converted type kept), or the reason there is none (DEPLOY-7; the \
            `rollback:` line says which). --no-rollback leaves it out.
            """)

    @Option(name: .customLong("from"), help: "The running build (an executable made by graft cc, or its source tree).")
    var old: String

    @Option(name: .customLong("to"), help: "The new build (an executable, or its source tree).")
    var new: String

    @Option(name: .shortAndLong, help: "The patch file to write.")
    var output: String

    @Option(name: .customLong("build"), help: ArgumentHelp("When OLD or NEW is a source tree: the command that builds it (default: make CC=\"graft cc\").", valueName: "command"))
    var build: String?

    @Option(name: .customLong("exe"), help: ArgumentHelp("When OLD or NEW is a source tree: the executable its build makes (default: the only one).", valueName: "name"))
    var exe: String?

    @Option(name: .customLong("transformers"), help: "Hand-written transformers (default: transformers.c beside NEW, if there is one).")
    var transformers: String?

    @Option(name: .customLong("cflags"), parsing: .unconditional, help: ArgumentHelp("Compiler flags for transformers.c besides the ones NEW's units were compiled with (-I, -D, …; one string).", valueName: "flags"))
    var cflags: String?

    @Option(name: .customLong("sign"), help: ArgumentHelp("Sign the patch with this key (made by graft keygen; default: $GRAFT_SIGNING_KEY, if set).", valueName: "key"))
    var sign: String?

    @Flag(help: "Print the plan as JSON.")
    var json = false

    @Flag(name: .customLong("no-rollback"), help: "Do not derive the patch back (graft rollback then refuses; the patch is smaller and built faster).")
    var noRollback = false

    func run() throws {
        let scratch = try Toolchain.TempDir()
        defer { scratch.cleanup() }
        let oldExe = try Self.executable(old, build: build, name: exe, scratch: scratch, label: "old")
        let newExe = try Self.executable(new, build: build, name: exe, scratch: scratch, label: "new")
        let oldProgram = try Self.program(of: oldExe)
        let newProgram = try Self.program(of: newExe)
        let newRecord = FileManager.default.contents(atPath: newExe).flatMap { BuildRecord.of(elf: $0) }
        let oldRecord = FileManager.default.contents(atPath: oldExe).flatMap { BuildRecord.of(elf: $0) }
        var inputs = PatchInputs(old: oldProgram, new: newProgram)
        // NEW's hand-written transformers, lowered against NEW's headers (PatchCheck merges them in).
        if let t = try Self.transformerSource(explicit: transformers, newExecutable: new) {
            // An absolute path: its diagnostics can show the offending line from anywhere.
            let path = URL(fileURLWithPath: t).standardizedFileURL.path
            let dir = (path as NSString).deletingLastPathComponent
            // Compiled as NEW's units were (their include paths and macros, recorded at
            // build), then what --cflags adds; headers beside transformers.c come first.
            let extra = try cflags.map { try CompilerArgs.shellSplit($0) } ?? []
            let recorded = newRecord?.frontend ?? []
            let unit = UnitSpec(file: path, flags: ["-I", dir] + recorded + BuildFlags.absolute(extra) + Runtime.includeFlags, directory: dir)
            inputs.transformers = try Pipeline.merge(try Pipeline.lower([unit], verify: true), verify: false)
            inputs.transformerFile = unit.file
        }
        let outcome = try PatchCheck.run(inputs)
        if json, let plan = outcome.plan {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(plan), as: UTF8.self))
        }
        if let refusal = outcome.refusal {
            for d in refusal.diagnostics {
                if case .blockedEverywhere = refusal, d.severity == .note { Console.error(d.description + "\n") }
                else { Console.error(d.rendered() + "\n") }
            }
            throw Failure(refusal.summary(transformerFile: inputs.transformerFile))
        }
        guard let plan = outcome.plan, let code = outcome.code else { throw Failure("patch refused: no plan; this is a bug in graft") }
        // DEPLOY-7: the patch back, derived beside this one and carried in it, signed with it.
        let rollback = noRollback ? RollbackPatch.Derived.refused("the patch was built with --no-rollback")
            : RollbackPatch.derive(inputs, forward: plan, oldRecord: oldRecord, scratch: scratch)
        let so = try Self.compile(code, plan: plan, record: newRecord, scratch: scratch, name: "patch", keepFailedAt: output + ".c")
        // What the patch was derived from, for `graft check` (DEPLOY-6); not loaded, covered by the seal and signature.
        try ObjectIR.addSections(try inputs.sections() + [rollback.section], to: so, scratch: scratch)
        try sealPatch(soPath: so, outPath: output, base: plan.baseVersion, target: plan.targetVersion, key: try BuildTrust.signingKey(sign))
        if !json {
            print("patch \(plan.baseVersion) → \(plan.targetVersion): \(plan.summary)")
            for t in plan.typeChanges { print("  \(t.conversion)") }
            for (f, why) in plan.recompiled.sorted(by: { $0.key < $1.key }) { print("  recompiled \(plan.displayName(f)): it \(why)") }
            for v in plan.verdicts {
                print("  update point \(v.point) (\(v.place), \(v.loc)): " + (v.admissible ? "admissible" : "blocked: " + v.reasons.joined(separator: "; ")))
            }
            print("  " + rollback.line)
            print("  " + code.unload.line)
            if let why = code.makesKeep { print("  unload of earlier patches: no: " + why) }
            print("wrote \(output)")
        }
    }

    /// Compiles a derived patch's code, with its descriptor, into a shared
    /// object in `scratch`; its path. The C is kept at `keepFailedAt` when
    /// the system compiler fails on it (graft's bug).
    static func compile(_ code: PatchBuilder.PatchCode, plan: PatchPlan, description: String? = nil, record: BuildRecord?,
                        scratch: Toolchain.TempDir, name: String, keepFailedAt: String) throws -> String {
        let c = scratch.file(name + ".c")
        let text = CEmitter(program: try Pipeline.wrapped(code.program, code.wrapping), lineDirectives: false,
                            wrapping: code.wrapping, typeUpdates: code.typeUpdates,
                            aliases: CEmitter.globalAliases(code.program)).emit()
            + PatchBuilder.descriptorC(plan: plan, code: code, description: description)
        try Toolchain.write(text, to: c)
        let so = scratch.file(name + ".so")
        // The patch's code is compiled as NEW's program was (its -O, -m and semantics flags), at -O2 at least;
        // without start files, so that loading it runs nothing (DEPLOY-5: no _init, no init or fini array).
        let status = try Toolchain.run(Toolchain.systemCC + ["-O2"] + Self.patchCodegen(record)
                                       + ["-shared", "-fPIC", "-nostartfiles", "-Wl,-Bsymbolic", "-w", c, "-o", so] + Runtime.includeFlags)
        if status != 0 {
            try? FileManager.default.removeItem(atPath: keepFailedAt)
            try? FileManager.default.copyItem(atPath: c, toPath: keepFailedAt)
            throw Failure("the system compiler failed on the patch's C (kept at \(keepFailedAt)); this is a bug in graft")
        }
        return so
    }

    /// NEW's program's code-generation flags that also fit a patch (a shared
    /// object loaded into the program): the target (-m…), debug info, -O only
    /// above -O2, and the -f flags that keep C's semantics or the ABI as the
    /// program was compiled — not visibility, position, LTO or profiling
    /// flags, which would break the patch's loading.
    static func patchCodegen(_ record: BuildRecord?) -> [String] {
        let fPrefixes = ["-fshort-enums", "-fshort-wchar", "-fsigned-char", "-funsigned-char", "-fpack-struct", "-fno-builtin",
                         "-fexcess-precision", "-ffp-contract", "-ffast-math", "-fno-fast-math", "-fcf-protection",
                         "-fstack-clash-protection", "-fstack-protector", "-fno-stack-protector", "-ftrapv", "-fwrapv"]
        return (record?.codegen ?? []).filter { f in
            if f.hasPrefix("-O") { return BuildFlags.rank(f) > BuildFlags.rank("-O2") }
            if f.hasPrefix("-f") { return BuildFlags.conservative.contains(f) || fPrefixes.contains { f.hasPrefix($0) } }
            return f.hasPrefix("-m") || f.hasPrefix("-g")
        }
    }

    /// `--transformers FILE`, else `transformers.c` in NEW's directory.
    static func transformerSource(explicit: String?, newExecutable: String) throws -> String? {
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit) else { throw Failure("no such file: \(explicit)") }
            return explicit
        }
        var isDir: ObjCBool = false
        let dir = FileManager.default.fileExists(atPath: newExecutable, isDirectory: &isDir) && isDir.boolValue
            ? newExecutable : (newExecutable as NSString).deletingLastPathComponent
        let candidate = ((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent("transformers.c")
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// `path` itself when it is a file; when it is a source tree, the
    /// executable that building a copy of it with graft makes.
    static func executable(_ path: String, build: String?, name: String?, scratch: Toolchain.TempDir, label: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw Failure("no such file or directory: \(path)") }
        guard isDir.boolValue else { return path }
        let copy = scratch.file(label)
        do { try FileManager.default.copyItem(atPath: path, toPath: copy) }
        catch { throw Failure("cannot copy \(path): \(error.localizedDescription)") }
        let me = Installation.executable
        let command = build ?? "make CC=\"\(me) cc\""
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.currentDirectoryURL = URL(fileURLWithPath: copy)
        var env = ProcessInfo.processInfo.environment
        env["CC"] = "\(me) cc"
        p.environment = env
        p.standardOutput = FileHandle.standardError
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure("building \(path) with `\(command)` failed (exit \(p.terminationStatus))") }
        if let name {
            let exe = (copy as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: exe) else { throw Failure("building \(path) made no \(name)") }
            return exe
        }
        let made = (try FileManager.default.contentsOfDirectory(atPath: copy)).sorted().filter { f in
            let full = (copy as NSString).appendingPathComponent(f)
            guard FileManager.default.isExecutableFile(atPath: full), !f.hasSuffix(".o"),
                  let d = FileManager.default.contents(atPath: full), d.starts(with: [0x7f, 0x45, 0x4c, 0x46]) else { return false }
            return ObjectIR.irSection(ofELF: d) != nil
        }
        guard made.count == 1 else {
            throw Failure(made.isEmpty ? "building \(path) made no executable carrying graft IR (is CC=\"graft cc\" honoured?)"
                                       : "building \(path) made several executables (\(made.joined(separator: ", "))): say which with --exe")
        }
        return (copy as NSString).appendingPathComponent(made[0])
    }

    /// The IR a graft-built executable carries.
    static func program(of path: String) throws -> Program {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(FileManager.default.fileExists(atPath: path) ? "cannot read \(path)" : "no such file: \(path)")
        }
        guard let ir = ObjectIR.irSection(ofELF: data) else {
            throw Failure("\(path) carries no graft IR: build it with `make CC=\"graft cc\"`")
        }
        return try IRCodec.decode(ir, from: path)
    }
}

/// `graft manifest EXE`: the version manifest of an updatable build.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Print the version manifest of an executable built by graft cc.",
        discussion: """
            The version id (a hash of the program's IR), the wrapped types with their \
            layouts and representation tags, the types left plain and why, the functions \
            and globals by stable identity, and every update point with its Δ: the \
            functions, types and globals that code still on the stack there uses as it was \
            compiled (Specs/updatability.md). `graft patch` checks a patch against exactly this.
            """)

    @Argument(help: "An executable built with graft cc.")
    var executable: String

    @Flag(help: "Print it as JSON.")
    var json = false

    func run() throws {
        do {
            let m = VersionManifest.of(try PatchCommand.program(of: executable))
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(m), as: UTF8.self))
            } else {
                print(m.text, terminator: "")
            }
        } catch { throw ExitCode(Console.report(error)) }
    }
}

/// `graft inspect P.patch`: what a sealed patch holds, checked.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Check a patch file's seal and print what it changes and where it may be applied.",
        discussion: """
            Verifies the SHA-256 trailer and the signature as the runtime does (whether the \
            process trusts the key is the process's to say), then prints the plan embedded \
            in the patch: base and target version, the types it converts, the functions and \
            globals it changes, and the checker's verdict at every update point of the base. \
            Exit status 1 for a corrupt, altered or foreign file.
            """)

    @Argument(help: "A patch file written by graft patch.")
    var patch: String

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func run() throws {
        do {
            let file = try PatchFile.read(patch)
            let plan = try file.plan(path: patch)
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(plan), as: UTF8.self))
                return
            }
            print("patch \(plan.baseVersion) → \(plan.targetVersion) (seal ok; "
                  + (file.key.map { "signed by key \(SigningKey.describe($0)))" } ?? "unsigned)"))
            print("  \(plan.summary)")
            for v in plan.verdicts {
                print("  update point \(v.point) (\(v.place), \(v.loc)): " + (v.admissible ? "admissible" : "blocked: " + v.reasons.joined(separator: "; ")))
            }
        } catch { throw ExitCode(Console.report(error)) }
    }
}
