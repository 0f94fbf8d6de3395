// The updatable build's passes, in order, each followed by the IR
// verifier (Specs/ir.md): what every back end prints or lowers, and what
// the interpreter can run.
//
//   1. Loop extraction (LoopExtraction.swift, UPD-3): a loop whose body
//      starts with an update point has its body moved into a function;
//      then continuation extraction (ContinuationExtraction.swift, UPD-8):
//      the code after a call into the stack is moved into a function.
//   2. Indirection (Updatable.swift): slots and trampolines, statics made
//      visible to patches, update points numbered.
//   3. Wrapping (Wrapping+Pass.swift, REP-2/3/6): representation checks
//      and notes explicit, the runtime's stand-ins for free and realloc.
//
// A patch's code goes through pass 3 only: PatchBuilder.patchProgram has
// run passes 1 and 2 on NEW.

import Checker
import IR

public enum Instrumentation {
    /// A pass produced IR the verifier rejects: graft's bug, with the pass named.
    public struct Failure: Error {
        public var pass: String
        public var diagnostics: [Diagnostic]
    }

    public struct Build: Sendable {
        public var program: Program
        public var manifest: BuildManifest
        public var wrapping: TypeWrapping
    }

    /// The updatable build of `p` (merged and verified): passes 1–3.
    /// `wrapping` nil: the records the alias analysis clears (Specs/alias.md).
    public static func updatable(_ p: Program, options: Updatable.Options = Updatable.Options(),
                                 wrapping: TypeWrapping? = nil) throws -> Build {
        let wrapping = wrapping ?? TypeWrapping.forBuild(p)
        let loops = try verified(LoopExtraction.extract(p).0, after: "loop extraction")
        let extracted = try verified(ContinuationExtraction.extract(loops).0, after: "continuation extraction")
        let (indirected, manifest) = Updatable.indirect(extracted, version: Updatable.versionID(of: p), options: options)
        let program = try verified(indirected, after: "function indirection")
        return Build(program: try wrapped(program, wrapping), manifest: manifest, wrapping: wrapping)
    }

    /// Pass 1 (both extractions), unverified, with their warnings: the
    /// program as the updatable build runs it, for Δ and the patch plan.
    public static func extracted(_ p: Program) -> (Program, [Diagnostic]) {
        let (loops, a) = LoopExtraction.extract(p)
        let (out, b) = ContinuationExtraction.extract(loops)
        return (out, a + b)
    }

    /// Pass 3 alone, verified: for a patch's code.
    public static func wrapped(_ p: Program, _ wrapping: TypeWrapping) throws -> Program {
        try verified(wrapping.apply(to: p), after: "type wrapping")
    }

    static func verified(_ p: Program, after pass: String) throws -> Program {
        let errors = Verifier.verify(p).filter { $0.severity == .error }
        guard errors.isEmpty else { throw Failure(pass: pass, diagnostics: errors) }
        return p
    }
}
