// The reference interpreter: what an IR program means, executed.
//
// It is the oracle of graft's property tests (the updatable build against
// the plain one, the C back end against the IR, later patches applied at
// update points), so it is written to be obviously right and to say
// precisely what went wrong, not to be fast. It depends on nothing but the
// IR (and Foundation for formatting floating-point numbers and for a
// thread with a large stack).
//
// How it works, in seven parts (one file each):
//
//   Interpreter.swift         this API, the start (globals, argv, main) and
//                             the end (exit status, errors).
//   Interpreter+Memory.swift  objects and pointers. Every global, every
//                             local of every frame activation, every malloc
//                             block, every string literal and every function
//                             is an *object*: a byte array with a fake but
//                             stable address. A pointer value is (object,
//                             offset): its provenance. Each access checks the
//                             object is alive and the bytes are inside it, so
//                             out-of-bounds, use after free, use after the
//                             frame ended, double free and null dereference
//                             are reported where they happen. Pointers
//                             stored in memory are bytes (their address,
//                             little-endian) plus a shadow entry that keeps
//                             their object; an integer cast to a pointer finds
//                             its object by address (objects never share or
//                             reuse addresses), so `(uintptr_t)p` round-trips.
//                             Bounds are the object's, not a sub-object's (as
//                             AddressSanitizer's): `s.a[5]` inside `s` is not
//                             an error.
//   Interpreter+Values.swift  scalar values and C's arithmetic: integers are
//                             64-bit patterns kept normalized to their kind
//                             (128-bit ones use Swift's UInt128), floating
//                             values are Doubles rounded to the kind, so
//                             `float` arithmetic rounds as C's does and
//                             `long double` is a double (an approximation).
//                             Signed overflow wraps (two's complement), as
//                             does INT_MIN / -1; it is not an error. Shift
//                             counts are masked as x86-64 does.
//   Interpreter+Exec.swift    statements and calls. Each function body is
//                             compiled once into a tree of nodes whose
//                             switches know where their cases are and whose
//                             labels have paths from the root. `goto L`
//                             unwinds to the function's top and re-enters the
//                             body along L's path, skipping what lies before
//                             it in each block: jumps into and out of blocks,
//                             loops and switches are all this one move (and
//                             `case` labels are gotos of their switch).
//                             Locals without their address taken live in
//                             registers; the others are objects created at
//                             function entry (a VLA at its declaration) and
//                             ended when the frame returns.
//   Interpreter+Eval.swift    expressions, lvalues (a register, the bytes of
//                             an object, or a bit-field in them) and C's
//                             initializers (what a compound one omits is zero).
//   Interpreter+Libc.swift    external functions (a small libc in Swift:
//                             stdio to byte buffers, malloc, string.h, …),
//                             the compiler builtins the frontend emits, and
//                             `graft_update_point`, which calls the
//                             `onUpdatePoint` hook.
//   Interpreter+Patch.swift   a patch applied at an update point: NEW
//                             merged into the running program by identity,
//                             changed structs converted lazily, and every
//                             access the update's rules do not make safe
//                             reported (`staleRepresentation`).
//
// Decisions a C program could observe:
//   - Uninitialized memory reads as zero: every object starts zero-filled
//     (not an error; the compiled program's value would be arbitrary).
//   - Integer-to-pointer casts find the object whose bytes (or one-past-end)
//     hold that address; an address inside no object gives a pointer with no
//     provenance, which may be compared and converted but not dereferenced.
//   - Objects are 16-byte aligned (or more, if their type asks), at least
//     16 bytes apart, and never reused, so a stale address stays stale.
//   - A run is deterministic: no clock, no environment, no real files.
//   - Every instruction and statement executed costs one unit of fuel;
//     running out is its own error kind (`fuelExhausted`).
//   - Out-of-range float-to-integer conversions saturate (NaN gives 0), as
//     gcc's constant folder does; x86-64 hardware would give INT_MIN.
//   - A bit-field is read and written at its width but computed with in
//     its declared type (clang's typing, which the IR records). gcc
//     computes with a `long long : 40` field at 40 bits; programs that
//     depend on that (three in the torture corpus) differ.
//   - malloc of more than 1 GiB returns NULL; freed blocks and ended frames
//     keep their (empty) object so later accesses are reported, so memory
//     grows with the number of allocations a run makes.
//   - `abort()`, `assert` and `__builtin_trap`/`__builtin_unreachable` end
//     the run with an error (kinds `abort`, `assertionFailure`), not with a
//     status: `exitStatus` is nil whenever `error` is set.
//
// Not supported, each reported as `unsupported` where it is reached:
// inline assembly, complex and vector values, setjmp/longjmp and the frame
// builtins, files other than stdin/stdout/stderr, any external function
// outside the small libc, external variables without a definition.

import Foundation

/// What stopped a run that did not end by `exit` or by returning from `main`.
public struct InterpreterError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// An access outside the bytes of the object a pointer points into.
        case outOfBounds
        /// An access through a pointer to a heap block already freed.
        case useAfterFree
        /// An access to a local of a frame that has returned.
        case useAfterScope
        case doubleFree
        /// `free`/`realloc` of a pointer that is not the start of a heap block.
        case invalidFree
        case nullDereference
        /// A dereference of a pointer with no object (an integer address), or
        /// of a function as data.
        case invalidPointer
        /// A store into a string literal.
        case writeToReadOnly
        case divisionByZero
        /// A call through a pointer that does not point to a function.
        case badFunctionPointer
        /// `va_arg` past the last argument, or on a list that `va_start` did not set.
        case badVarArg
        /// The program called `abort()` (torture tests fail this way).
        case abort
        /// `assert` failed (`__assert_fail`).
        case assertionFailure
        case fuelExhausted
        case stackOverflow
        /// An access the rules of an update do not make safe: old code reaching
        /// a struct whose layout changed, new code reaching a value the patch
        /// does not convert, a pointer kept into a value that converted or
        /// moved, a call with arguments of another version's shape
        /// (Interpreter+Patch.swift).
        case staleRepresentation
        /// A construct or external function the interpreter does not implement.
        case unsupported
        /// Something the IR should not contain (a bug in the producer).
        case malformedIR
    }
    public var kind: Kind
    /// The instruction or statement being executed.
    public var loc: SourceLoc
    public var message: String
    /// The call stack at the error, innermost first: `function @ loc`.
    public var stack: [String]
    public init(_ kind: Kind, _ loc: SourceLoc, _ message: String, stack: [String] = []) {
        self.kind = kind; self.loc = loc; self.message = message; self.stack = stack
    }
    public var description: String {
        var s = loc.line > 0 ? "\(loc): " : ""
        s += "\(kind.rawValue): \(message)"
        for f in stack.prefix(8) { s += "\n  in \(f)" }
        return s
    }
}

/// How a run ended.
public struct RunResult: Sendable {
    /// `exit(n)` or `main`'s return value, as a shell sees it (`n & 255`);
    /// nil when an error stopped the run.
    public var exitStatus: Int32?
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var error: InterpreterError?
    /// Fuel used: instructions and statements executed.
    public var steps: Int
    /// Whether the run's patch was applied, and how many values it converted.
    public var patched = false
    public var conversions = 0
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// An update point reached: `graft_update_point()` (id nil) or the numbered
/// `graft_update_point_at(id)` of an updatable build.
public struct PointReached: Hashable, Sendable {
    public var id: Int?
    public var function: FuncID
    public var loc: SourceLoc
}

/// The running program as the `onUpdatePoint` hook sees it. Valid only
/// during the call of the hook.
public final class InterpreterState {
    let machine: Machine
    init(_ machine: Machine) { self.machine = machine }
    /// Fuel used so far.
    public var steps: Int { machine.steps }
    /// The functions on the call stack, outermost first.
    public var callStack: [FuncID] { machine.frames.map(\.fn) }
    /// The current bytes of a global variable.
    public func bytes(of global: GlobalID) -> [UInt8] { machine.objects[machine.globalObj[global.index]].data }
    /// The bytes written to stdout so far.
    public var stdout: [UInt8] { machine.out }
    /// Applies the run's patch here, when the hook returns (once; see Interpreter+Patch.swift).
    public func applyPatch() { machine.applyRequested = machine.update.map { !$0.applied } ?? false }
    /// Whether the run's patch has been applied.
    public var patched: Bool { machine.update?.applied ?? false }
}

public enum Interpreter {
    public typealias UpdateHook = (PointReached, InterpreterState) -> Void

    /// Runs `main` of `program`.
    /// - args: argv[1...]; argv[0] is `programName`.
    /// - stdin: the bytes `getchar`/`fgets`/`read(0, …)` see.
    /// - fuel: the step limit (instructions + statements).
    /// - maxCallDepth: deeper recursion is a `stackOverflow` error.
    /// - patch: what the hook may apply at an update point (`InterpreterState.applyPatch`).
    public static func run(program: Program, args: [String] = [], stdin: [UInt8] = [],
                           programName: String = "a.out", fuel: Int = 50_000_000, maxCallDepth: Int = 5_000,
                           patch: InterpreterPatch? = nil, onUpdatePoint: UpdateHook? = nil) -> RunResult {
        // Deep C recursion is deep Swift recursion: run on a thread whose
        // stack is large enough for `maxCallDepth` frames.
        final class Box: @unchecked Sendable { var result: RunResult?; var body: (() -> RunResult)? }
        let box = Box()
        box.body = {
            let m = Machine(program: program, stdin: stdin, fuel: fuel, maxDepth: maxCallDepth, hook: onUpdatePoint)
            if let patch {
                let u = Update(patch)
                m.prepare(u)
                m.update = u
            }
            var r = m.runMain(argv: [programName] + args)
            r.patched = m.update?.applied ?? false
            r.conversions = m.update?.conversions ?? 0
            return r
        }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { box.result = box.body!(); done.signal() }
        thread.stackSize = 1 << 30
        thread.start()
        done.wait()
        return box.result!
    }
}

/// Not errors: the ways a run ends normally, thrown through the interpreter.
struct ExitSignal: Error { var status: Int64 }

extension Machine {
    func runMain(argv: [String]) -> RunResult {
        var status: Int32?
        var error: InterpreterError?
        do {
            try setUpGlobals()
            guard let main = program.functions.first(where: { $0.name == "main" && $0.isDefinition }) else {
                throw fail(.malformedIR, "the program has no main function")
            }
            // argv: an array of pointers to strings, then a null pointer.
            var argPtrs: [Pointer] = []
            for a in argv {
                let o = allocate(size: a.utf8.count + 1, kind: .argv, loc: main.loc)
                objects[o].data.replaceSubrange(0..<a.utf8.count, with: Array(a.utf8))
                argPtrs.append(Pointer(obj: o, off: 0))
            }
            let av = allocate(size: 8 * (argv.count + 1), kind: .argv, loc: main.loc)
            for (i, p) in argPtrs.enumerated() { storePointer(p, obj: av, off: 8 * i) }
            let envp = allocate(size: 8, kind: .argv, loc: main.loc)
            let mainArgs: [Value] = [.int(Int64(argv.count), .int), .ptr(Pointer(obj: av, off: 0)), .ptr(Pointer(obj: envp, off: 0))]
            let r = try call(main.id, Array(mainArgs.prefix(main.params.count)))
            if case .int(let v, _) = r { status = Int32(truncatingIfNeeded: v & 255) } else { status = 0 }
        } catch let e as ExitSignal {
            status = Int32(truncatingIfNeeded: e.status & 255)
        } catch let e as InterpreterError {
            error = e
        } catch {
            let e = InterpreterError(.malformedIR, loc, "internal: \(error)")
            return RunResult(exitStatus: nil, stdout: out, stderr: err, error: e, steps: steps)
        }
        return RunResult(exitStatus: error == nil ? status : nil, stdout: out, stderr: err, error: error, steps: steps)
    }
}
