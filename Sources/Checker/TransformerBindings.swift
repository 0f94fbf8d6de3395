// What each extern declaration of NEW's transformers.c names (Specs/transformers.md,
// TRANS-6): NEW's file-scope static of its name (the C linker would never bind
// one in another file), or — written `GRAFT_OLD(x)` (graft.h), or when NEW has
// no such static — the running program's global `x`, at OLD's type. Decided
// here, over IR only, with the declarations' types checked; Codegen's
// `PatchBuilder.bindTransformerNames` applies the result.

import IR

public enum TransformerBindings {
    /// `GRAFT_OLD(x)` in graft.h expands to this prefix and `x`.
    public static let oldPrefix = "graft_old__"

    public struct Result: Sendable {
        /// A transformer's declaration → NEW's static it names.
        public var newStatic: [GlobalID: GlobalID] = [:]
        /// A transformer's declaration → the identity of the running program's global it names.
        public var running: [GlobalID: String] = [:]
        /// A transformer's function declaration → NEW's static function it names.
        public var newFunction: [FuncID: FuncID] = [:]
        /// TRANS-6 refusals, at the declarations.
        public var errors: [Diagnostic] = []
    }

    /// The declarations of `transformerFile` in `new` (NEW merged with it), bound.
    public static func bind(new: Program, old: Program, transformerFile: String) -> Result {
        var r = Result()
        guard Rules.enforced("TRANS-6") else { return r }
        let newStatics = PatchRules.fileScopeStatics(of: new).map { new.globals[$0] }.filter { $0.loc.file != transformerFile }
        let oldStatics = PatchRules.fileScopeStatics(of: old).map { old.globals[$0] }
        let oldExternal = old.globals.filter { $0.storage != .static && $0.storage != .extern }
        func defined(_ g: GlobalVar, in p: Program) -> Bool {
            p.globals.contains { $0.name == g.name && $0.storage != .static && $0.storage != .extern && $0.loc.file != transformerFile }
        }
        func mismatch(_ decl: GlobalVar, _ target: GlobalVar, in p: Program, _ what: String, _ hint: String) -> Diagnostic? {
            guard PatchValidation.typeKey(decl.type, in: new) != PatchValidation.typeKey(target.type, in: p),
                  Rules.enforced("TRANS-6", site: "type") else { return nil }
            return Diagnostic(.error, decl.loc,
                              "'\(written(decl))' is declared as \(PatchRules.spelled(decl.type, in: new)), but \(what) '\(target.sourceName)' (\(place(target.loc))) is \(PatchRules.spelled(target.type, in: p))\(hint)",
                              rule: "TRANS-6")
        }
        for g in new.globals where g.loc.file == transformerFile && g.storage == .extern && g.initializer == nil {
            // TRANS-6: GRAFT_OLD(x) names the running program's x: its one file-scope static x, else its external x.
            if g.sourceName.hasPrefix(oldPrefix) {
                let name = String(g.sourceName.dropFirst(oldPrefix.count))
                let statics = oldStatics.filter { $0.sourceName == name }
                let target: GlobalVar
                if statics.count == 1 {
                    target = statics[0]
                } else if statics.isEmpty, let e = oldExternal.first(where: { $0.name == name }) {
                    target = e
                } else if statics.isEmpty {
                    r.errors.append(Diagnostic(.error, g.loc, "'\(written(g))': the running program has no global or file-scope static '\(name)'", rule: "TRANS-6"))
                    continue
                } else {
                    let files = statics.map { place($0.loc) }.joined(separator: ", ")
                    r.errors.append(Diagnostic(.error, g.loc, "'\(written(g))' is ambiguous: the running program has \(statics.count) file-scope statics '\(name)' (\(files)); a transformer can name only one defined once", rule: "TRANS-6"))
                    continue
                }
                if let d = mismatch(g, target, in: old, "the running program's", ": declare it at the type OLD gave it") { r.errors.append(d); continue }
                r.running[g.id] = target.identity
                continue
            }
            // A name the program defines with external linkage is the linker's to bind.
            if defined(g, in: new) { continue }
            // TRANS-6: x names NEW's one file-scope static x, at NEW's type.
            let inNew = newStatics.filter { $0.sourceName == g.sourceName }
            if inNew.count == 1 {
                let hint = oldStatics.contains { $0.sourceName == g.sourceName }
                    ? "; to read the running program's '\(g.sourceName)' at its old type, declare `extern … GRAFT_OLD(\(g.sourceName))` (graft.h)" : ""
                if let d = mismatch(g, inNew[0], in: new, "NEW's", hint) { r.errors.append(d); continue }
                r.newStatic[g.id] = inNew[0].id
                continue
            }
            if inNew.count > 1 {
                let files = inNew.map { place($0.loc) }.joined(separator: ", ")
                r.errors.append(Diagnostic(.error, g.loc, "'\(g.sourceName)' is ambiguous: NEW has \(inNew.count) file-scope statics of that name (\(files))", rule: "TRANS-6"))
                continue
            }
            // TRANS-6: a static only OLD has is the running program's.
            let inOld = oldStatics.filter { $0.sourceName == g.sourceName }
            if inOld.count == 1 {
                if let d = mismatch(g, inOld[0], in: old, "the running program's", "") { r.errors.append(d); continue }
                r.running[g.id] = inOld[0].identity
            }
        }
        // TRANS-6: a function declared in transformers.c names NEW's one static function of its name, at its type.
        for f in new.functions where f.loc.file == transformerFile && f.body == nil {
            if new.functions.contains(where: { $0.name == f.name && $0.body != nil && $0.storage != .static && $0.loc.file != transformerFile }) { continue }
            let statics = new.functions.filter { $0.sourceName == f.sourceName && $0.storage == .static && $0.body != nil && $0.loc.file != transformerFile }
            guard let target = statics.first else { continue }   // a library's: the linker's to bind
            guard statics.count == 1 else {
                let files = statics.map { place($0.loc) }.joined(separator: ", ")
                r.errors.append(Diagnostic(.error, f.loc, "'\(f.sourceName)' is ambiguous: NEW has \(statics.count) static functions of that name (\(files))", rule: "TRANS-6"))
                continue
            }
            if PatchValidation.typeKey(.function(f.type), in: new) != PatchValidation.typeKey(.function(target.type), in: new), Rules.enforced("TRANS-6", site: "type") {
                r.errors.append(Diagnostic(.error, f.loc,
                    "'\(f.sourceName)' is declared as \(PatchRules.spelled(.function(f.type), in: new)), but NEW's static '\(target.sourceName)' (\(place(target.loc))) is \(PatchRules.spelled(.function(target.type), in: new))",
                    rule: "TRANS-6"))
                continue
            }
            r.newFunction[f.id] = target.id
        }
        return r
    }

    /// The declaration's name as the programmer wrote it.
    static func written(_ g: GlobalVar) -> String {
        g.sourceName.hasPrefix(oldPrefix) ? "GRAFT_OLD(\(g.sourceName.dropFirst(oldPrefix.count)))" : g.sourceName
    }

    static func place(_ l: SourceLoc) -> String {
        let file = l.file.split(separator: "/").last.map(String.init) ?? l.file
        return l.line > 0 ? "\(file):\(l.line)" : file
    }
}
