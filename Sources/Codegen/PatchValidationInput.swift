// The patch generator's output in the terms of its validation
// (Sources/Checker/PatchValidation.swift, Specs/validation.md): plain IR
// values, so that the checker depends on IR alone.

import Checker
import IR
import Instrument

extension PatchBuilder.PatchCode {
    /// What `PatchValidation.validate` checks: this code, and `oldBuilt`, OLD
    /// instrumented as the running program was built (`Updatable.instrument(old).0`).
    public func validationInput(oldBuilt: Program) -> PatchValidation.Input {
        PatchValidation.Input(
            program: program, rebinds: rebinds,
            conversions: typeUpdates.map { u in
                PatchValidation.Conversion(identity: u.identity, newRecord: u.newRecord, oldLayout: u.oldLayout,
                                           copies: u.copies.map { (new: $0.new, old: $0.old) },
                                           transformer: u.userTransformer, extends: u.extends, initials: u.initials, inner: u.inner)
            },
            oldBuilt: oldBuilt, extract: { Instrumentation.extracted($0).0 }, stateTransformer: stateTransformer)
    }
}
