// The names NEW's transformers.c may use for the programs' state
// (Specs/transformers.md, TRANS-6), as `TransformerBindings.bind` decided
// them: an `extern` declaration that names NEW's file-scope static (in
// another file, so the C linker would never bind it) is replaced by it; one
// that names the running program's global (`GRAFT_OLD(x)`, or a static only
// OLD has) takes its identity, marked as the running object's
// (`PatchValidation.runningGlobalPrefix`), and the patch links it to the
// running object at OLD's type. A state transformer can so carry OLD's
// `static int *buckets[64]` over to NEW's `static int *buckets[1024]`. A
// function declared there names NEW's static function of its name.

import Checker
import IR

extension PatchBuilder {
    /// `new` (with transformers.c merged in) with the transformer file's
    /// extern declarations bound to the globals they name, or the TRANS-6 refusals.
    public static func bindTransformerNames(_ new: Program, old: Program, transformerFile: String) -> (program: Program, errors: [Diagnostic]) {
        let b = TransformerBindings.bind(new: new, old: old, transformerFile: transformerFile)
        var out = new
        for (g, identity) in b.running { out.globals[g.index].identity = PatchValidation.runningGlobalPrefix + identity }
        guard !b.newStatic.isEmpty || !b.newFunction.isEmpty else { return (out, b.errors) }
        let m = IDMapper(global: { b.newStatic[$0] ?? $0 }, function: { b.newFunction[$0] ?? $0 })
        for (i, f) in out.functions.enumerated() where f.loc.file == transformerFile && f.body != nil { out.functions[i] = m.map(f) }
        return (out, b.errors)
    }
}
