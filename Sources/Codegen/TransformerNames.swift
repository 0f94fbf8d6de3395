// The names NEW's transformers.c may use for the programs' state
// (Specs/transformers.md, TRANS-8): an `extern` declaration of a name that
// is a file-scope static of NEW (in another file, so the C linker would
// never bind it) refers to NEW's static; one that is only OLD's refers to
// the running program's object, by its identity. A state transformer can
// so carry OLD's `static int *buckets` over to NEW's `main_buckets`.

import Checker
import IR

extension PatchBuilder {
    /// `new` (with transformers.c merged in) with the transformer file's
    /// extern declarations bound to the statics they name.
    public static func bindTransformerNames(_ new: Program, old: Program, transformerFile: String) -> Program {
        guard Rules.enforced("TRANS-6") else { return new }
        let newStatics = PatchRules.fileScopeStatics(of: new).map { new.globals[$0] }.filter { $0.loc.file != transformerFile }
        let oldStatics = PatchRules.fileScopeStatics(of: old).map { old.globals[$0] }
        var out = new
        var rebind: [GlobalID: GlobalID] = [:]
        // TRANS-6: each extern declaration of the transformer file, bound to the one static of its name.
        for (i, g) in new.globals.enumerated() where g.loc.file == transformerFile && g.storage == .extern && g.initializer == nil {
            // A name the program defines with external linkage is the linker's to bind.
            if new.globals.contains(where: { $0.name == g.name && $0.storage != .static && $0.storage != .extern && $0.loc.file != transformerFile }) { continue }
            let inNew = newStatics.filter { $0.sourceName == g.sourceName }
            if inNew.count == 1 {
                rebind[g.id] = inNew[0].id
                continue
            }
            let inOld = oldStatics.filter { $0.sourceName == g.sourceName }
            if inNew.isEmpty && inOld.count == 1 { out.globals[i].identity = inOld[0].identity }
        }
        guard !rebind.isEmpty else { return out }
        let m = IDMapper(global: { rebind[$0] ?? $0 })
        for (i, f) in out.functions.enumerated() where f.loc.file == transformerFile && f.body != nil { out.functions[i] = m.map(f) }
        return out
    }
}
