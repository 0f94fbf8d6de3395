// A patch as `graft patch` plans it (PatchRules.plan), applied by the
// reference interpreter (Sources/IR/Interpreter+Patch.swift) at an update
// point the plan calls admissible: the oracle of the soundness property
// (PatchPropertyTests) and of the interpreter's own patch tests.

import Foundation
import IR
import Instrument
import Checker
import Codegen

enum PatchOracle {
    /// The interpreter's view of a plan: NEW as it runs, what the patch rebinds and converts.
    static func patch(new: Program, plan: PatchPlan) -> InterpreterPatch {
        InterpreterPatch(program: Instrumentation.extracted(new).0,
                         rebound: Set(plan.changedFunctions + plan.newFunctions),
                         converts: Dictionary(plan.typeChanges.map { ($0.type, $0.transformer) }, uniquingKeysWith: { a, _ in a }),
                         stateTransformer: plan.stateTransformer,
                         initials: Dictionary(plan.typeChanges.map { t in
                             (t.type, Dictionary(t.initial.map { ($0.field, Expr.const($0.value, $0.type)) }, uniquingKeysWith: { a, _ in a }))
                         }, uniquingKeysWith: { a, _ in a }),
                         carried: Set(plan.carriedGlobals))
    }

    struct Run {
        var result: RunResult
        /// stdout written before the patch was applied (all of it when it was not).
        var before: Int
        var after: String { String(decoding: result.stdout[before...], as: UTF8.self) }
        var beforeText: String { String(decoding: result.stdout[..<before], as: UTF8.self) }
    }

    /// Runs OLD (its loops extracted, as the updatable build runs it) and
    /// applies the patch the `occurrence`-th time (from 0) the program
    /// reaches the update point `at`.
    static func run(old: Program, new: Program, plan: PatchPlan, at point: PointVerdict, occurrence: Int,
                    fuel: Int = 2_000_000) -> Run {
        let running = Instrumentation.extracted(old).0
        var seen = 0, before: Int?
        let r = Interpreter.run(program: running, fuel: fuel, patch: patch(new: new, plan: plan)) { pt, state in
            guard before == nil, pt.loc.line == point.loc.line, pt.loc.column == point.loc.column else { return }
            if seen == occurrence {
                before = state.stdout.count
                state.applyPatch()
            }
            seen += 1
        }
        return Run(result: r, before: before ?? r.stdout.count)
    }
}
