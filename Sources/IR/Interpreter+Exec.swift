// Statements, frames and calls. See Interpreter.swift for how goto works.

import Foundation

/// A function body compiled for execution: the IR's statements, with each
/// switch's case table and each label's path from the root precomputed.
indirect enum Node {
    case instr(Instr)
    case block([Node])
    case local(LocalID, Initializer?, SourceLoc)
    case cond(Expr, Node, Node?, SourceLoc)
    case loop(Node, Node?, SourceLoc)
    case brk
    case cont
    case sw(SwitchNode)
    case label
    case goto(String, SourceLoc)
    case computedGoto(Expr, SourceLoc)
    case ret(Expr?, SourceLoc)
}

/// A path from a node to a label below it: at a block, the child's index;
/// at an `if`, 0 (then) or 1 (else); at a loop, 0 (body) or 1 (next); at a
/// switch, 0 (its body).
typealias Path = [Int]

final class SwitchNode {
    let expr: Expr
    var body: Node = .label
    let loc: SourceLoc
    /// The switch expression's kind: case values are normalized to it.
    let kind: IntKind
    var exact: [Int64: Path] = [:]
    var ranges: [(lo: Int64, hi: Int64, path: Path)] = []
    var defaultPath: Path?
    init(expr: Expr, loc: SourceLoc, kind: IntKind) { self.expr = expr; self.loc = loc; self.kind = kind }
}

/// What the interpreter knows about a function before running it.
final class FnInfo {
    let fn: Function
    var body: Node = .label
    var labels: [String: Path] = [:]
    /// Locals kept as values (scalars whose address is never taken).
    var isReg: [Bool] = []
    var scalars: [Scalar?] = []
    /// The registers of a new frame: each register local's zero.
    var zeroRegs: [Value] = []
    var types: [CType] = []
    /// Byte sizes of the locals that are objects (nil for a VLA: sized at its declaration).
    var sizes: [Int?] = []
    var aligns: [Int] = []
    init(fn: Function) { self.fn = fn }
}

final class Frame {
    let fn: FuncID
    let info: FnInfo
    var regs: [Value]
    /// The object of each local that lives in memory (0 until allocated).
    var slots: [Int]
    /// Objects that end with the frame: locals, VLAs, compound literals, alloca.
    var owned: [Int] = []
    var varargs: ArraySlice<Value> = []
    var vaLists: [Int] = []
    /// Where the caller was when it called this frame.
    let callLoc: SourceLoc
    init(fn: FuncID, info: FnInfo, callLoc: SourceLoc) {
        self.fn = fn; self.info = info; self.callLoc = callLoc
        regs = info.zeroRegs
        slots = [Int](repeating: 0, count: info.types.count)
    }
}

/// The state behind one `va_list`: the variadic arguments of a frame and
/// how many `va_arg` took. A `va_list` object's first 8 bytes hold a handle
/// to one of these.
final class VaState {
    let args: ArraySlice<Value>
    var next: Int
    var live = true
    init(args: ArraySlice<Value>, next: Int) { self.args = args; self.next = next }
}

enum Flow {
    case normal, brk, cont
    case ret(Value)
    case goto(String)
}

final class Machine {
    /// The running program; a patch applied merges NEW into it (Interpreter+Patch.swift).
    var program: Program
    var objects: [MemObject] = []
    var nextAddress: UInt64 = 0x10000
    var globalObj: [Int] = []
    var fnObj: [Int] = []
    var frames: [Frame] = []
    var frame: Frame?
    var infos: [FnInfo?]
    var steps = 0
    let fuel: Int
    let maxDepth: Int
    /// The location of the instruction or statement being executed.
    var loc: SourceLoc = .unknown
    var out: [UInt8] = []
    var err: [UInt8] = []
    let input: [UInt8]
    var inputPos = 0
    var strings: [StringKey: Int] = [:]
    var vaStates: [VaState] = []
    let hook: Interpreter.UpdateHook?
    /// The patch the run may apply, and where its changed structs are.
    var update: Update?
    /// The hook asked for the patch to be applied at this update point.
    var applyRequested = false
    /// Per record: its fields' byte offset, bit offset within that byte, width and type.
    var fieldTable: [[(byte: Int, bit: Int, width: Int?, type: CType)]] = []
    var libcObjects: [String: Int] = [:]
    // The program's tables the hot paths read, copied out once (a Program
    // method call on a debug build copies more than it reads).
    var typedefTypes: [CType]
    var enumKinds: [IntKind]
    var globalTypes: [CType]
    var recordSizes: [Int?]
    var hasBody: [Bool]

    struct StringKey: Hashable { var units: [UInt32]; var width: Int }

    init(program: Program, stdin: [UInt8], fuel: Int, maxDepth: Int, hook: Interpreter.UpdateHook?) {
        self.program = program; self.input = stdin; self.fuel = fuel; self.maxDepth = maxDepth; self.hook = hook
        infos = [FnInfo?](repeating: nil, count: program.functions.count)
        typedefTypes = program.typedefs.map(\.type)
        enumKinds = program.enums.map(\.underlying)
        globalTypes = program.globals.map(\.type)
        recordSizes = program.records.map(Machine.size)
        hasBody = program.functions.map(\.isDefinition)
        fieldTable = program.records.map(Machine.fieldLayout)
    }

    /// What the hot paths read of a record: its size (nil when incomplete), and each field's place.
    static func size(_ r: Record) -> Int? { r.fields == nil ? nil : r.size }
    static func fieldLayout(_ r: Record) -> [(byte: Int, bit: Int, width: Int?, type: CType)] {
        (r.fields ?? []).map { f in (f.offsetBits / 8, f.offsetBits % 8, f.bitWidth, f.type) }
    }

    // MARK: Errors

    func fail(_ kind: InterpreterError.Kind, _ message: String) -> InterpreterError {
        var stack: [String] = []
        var at = loc
        for f in frames.reversed() {
            stack.append("\(f.info.fn.sourceName) @ \(at)")
            at = f.callLoc
        }
        return InterpreterError(kind, loc, message, stack: stack)
    }

    @inline(__always)
    func tick() throws {
        steps += 1
        if steps > fuel { throw fail(.fuelExhausted, "the step limit (\(fuel)) was reached") }
    }

    // MARK: Globals

    func setUpGlobals() throws {
        objects = [MemObject(base: 0, size: 0, kind: .null, readOnly: true, loc: .unknown)]
        fnObj = program.functions.map { f in allocate(size: 1, kind: .function(f.id), readOnly: true, loc: f.loc) }
        // One object per variable name: an extern declaration shares its definition's.
        var byName: [String: Int] = [:]
        globalObj = [Int](repeating: 0, count: program.globals.count)
        for g in program.globals where g.storage != .extern || g.initializer != nil {
            if let o = byName[g.name] { globalObj[g.id.index] = o; continue }
            let o = allocateGlobal(g)
            byName[g.name] = o
            globalObj[g.id.index] = o
        }
        for g in program.globals where globalObj[g.id.index] == 0 {
            if let o = byName[g.name] { globalObj[g.id.index] = o; continue }
            if let target = aliasTarget(g.attributes), let o = byName[target] { globalObj[g.id.index] = o; continue }
            let o: Int
            switch g.name {
            case "stdout", "stderr", "stdin":
                o = allocate(size: 8, kind: .libc(g.name), loc: g.loc)
                let fd = g.name == "stdin" ? 0 : g.name == "stdout" ? 1 : 2
                storePointer(Pointer(obj: fileObject(fd), off: 0), obj: o, off: 0)
            default:
                o = allocate(size: (try? sizeOf(g.type)) ?? 0, kind: .global(g.sourceName), loc: g.loc)
                objects[o].state = .undefined(g.name)
            }
            byName[g.name] = o
            globalObj[g.id.index] = o
        }
        for g in program.globals {
            guard let ini = g.initializer else { continue }
            loc = g.loc
            try initialize(Pointer(obj: globalObj[g.id.index], off: 0), g.type, ini)
        }
    }

    /// A new object for a global defined here, big enough for its initializer.
    func allocateGlobal(_ g: GlobalVar) -> Int {
        var size = (try? sizeOf(g.type)) ?? 0
        if let ini = g.initializer { size = max(size, (try? initializedSize(g.type, ini)) ?? 0) }
        return allocate(size: size, kind: .global(g.sourceName), align: program.align(of: g.type) ?? 16, loc: g.loc)
    }

    /// The name in `__attribute__((alias("name")))`.
    func aliasTarget(_ attrs: [Attribute]) -> String? {
        guard let a = attrs.first(where: { $0.name == "alias" }), let arg = a.args.first else { return nil }
        return arg.trimmingCharacters(in: CharacterSet(charactersIn: "\"\\ "))
    }

    /// The bytes an initialized object needs: its type's size, or more when
    /// a flexible array member is initialized (a GNU extension).
    func initializedSize(_ t: CType, _ ini: Initializer) throws -> Int {
        let size = try sizeOf(t)
        guard case .record(let rid) = program.unroll(t), let fields = program[rid].fields, let last = fields.last,
              case .array(let el, nil) = program.unroll(last.type), case .compound(_, let entries) = ini,
              let en = entries.first(where: { if case .field(fields.count - 1) = $0.designator { return true }; return false }) else { return size }
        let count: Int
        switch en.value {
        case .expr(.const(.string(let units, _), _)): count = units.count + 1
        case .compound(_, let es):
            count = es.map { e -> Int in
                switch e.designator { case .index(let i): return i + 1; case .range(_, let hi): return hi + 1; case .field: return 0 }
            }.max() ?? 0
        default: count = 0
        }
        return max(size, last.offsetBits / 8 + count * (try sizeOf(el)))
    }

    func fileObject(_ fd: Int) -> Int {
        let key = "FILE\(fd)"
        if let o = libcObjects[key] { return o }
        let o = allocate(size: 216, kind: .file(fd), loc: .unknown)
        libcObjects[key] = o
        return o
    }

    // MARK: Functions

    func info(_ id: FuncID) throws -> FnInfo {
        if let i = infos[id.index] { return i }
        let fn = program[id]
        let info = FnInfo(fn: fn)
        info.types = fn.locals.map(\.type)
        info.scalars = info.types.map { scalar($0) }
        let taken = addressTaken(fn)
        info.isReg = fn.locals.indices.map { i in
            guard let s = info.scalars[i], !taken.contains(i) else { return false }
            if case .vaList = program.unroll(info.types[i]) { return false }
            _ = s
            return true
        }
        info.zeroRegs = try fn.locals.indices.map { i in info.isReg[i] ? try zero(info.types[i]) : .void }
        info.sizes = fn.locals.indices.map { i in info.isReg[i] ? 0 : program.size(of: info.types[i]) }
        info.aligns = fn.locals.map { program.align(of: $0.type) ?? 16 }
        var labels: [String: Path] = [:]
        var path: Path = []
        info.body = try compile(fn.body!, fn: fn, path: &path, labels: &labels, sw: nil, swDepth: 0)
        info.labels = labels
        infos[id.index] = info
        return info
    }

    /// Locals whose address is taken (`&x`, `x[i]` of an array, any offset).
    func addressTaken(_ fn: Function) -> Set<Int> {
        var s = Set<Int>()
        func lv(_ l: LValue, taken: Bool) {
            if case .local(let id) = l.host, taken || !l.offsets.isEmpty { s.insert(id.index) }
            if case .mem(let e) = l.host { ex(e) }
            if case .compound(_, let i) = l.host { ini(i) }
            for o in l.offsets { if case .index(let e) = o { ex(e) } }
        }
        func ex(_ e: Expr) {
            switch e {
            case .read(let l): lv(l, taken: false)
            case .addrOf(let l), .startOf(let l): lv(l, taken: true)
            case .unary(_, let a, _), .cast(_, let a), .current(_, let a), .pinned(_, _, let a): ex(a)
            case .binary(_, let a, let b, _): ex(a); ex(b)
            case .cond(let a, let b, let c, _): ex(a); ex(b); ex(c)
            case .compoundLiteral(_, let i): ini(i)
            case .const, .function, .labelAddr, .sizeOf, .alignOf: break
            }
        }
        func ini(_ i: Initializer) {
            switch i {
            case .expr(let e): ex(e)
            case .compound(_, let es): for e in es { ini(e.value) }
            }
        }
        func ins(_ i: Instr) {
            switch i {
            case .assign(let l, let e, _): lv(l, taken: false); ex(e)
            case .call(let r, let c, let args, _):
                if let r { lv(r, taken: false) }
                if case .indirect(let e) = c { ex(e) }
                // A builtin may write through its operand (va_start): keep those in memory.
                if case .builtin = c { for a in args { if case .read(let l) = a { lv(l, taken: true) } else { ex(a) } } }
                else { for a in args { ex(a) } }
            case .vaArg(let r, let l, _): lv(r, taken: false); ex(l)
            case .note(_, let e, _): ex(e)
            case .asm(let a, _): for o in a.outputs + a.inputs { ex(o.value); if let l = o.lvalue { lv(l, taken: true) } }
            }
        }
        func st(_ x: Stmt) {
            switch x {
            case .instr(let i): ins(i)
            case .block(let b): b.forEach(st)
            case .local(_, let i, _): if let i { ini(i) }
            case .if(let c, let t, let e, _): ex(c); st(t); if let e { st(e) }
            case .loop(let b, let n, _): st(b); if let n { st(n) }
            case .switch(let e, let b, _): ex(e); st(b)
            case .computedGoto(let e, _): ex(e)
            case .return(let e, _): if let e { ex(e) }
            case .break, .continue, .label, .goto: break
            }
        }
        if let b = fn.body { st(b) }
        return s
    }

    func compile(_ s: Stmt, fn: Function, path: inout Path, labels: inout [String: Path], sw: SwitchNode?, swDepth: Int) throws -> Node {
        func child(_ i: Int, _ x: Stmt) throws -> Node {
            path.append(i); defer { path.removeLast() }
            return try compile(x, fn: fn, path: &path, labels: &labels, sw: sw, swDepth: swDepth)
        }
        switch s {
        case .instr(let i): return .instr(i)
        case .block(let b): return .block(try b.enumerated().map { try child($0.offset, $0.element) })
        case .local(let id, let i, let l): return .local(id, i, l)
        case .if(let c, let t, let e, let l): return .cond(c, try child(0, t), try e.map { try child(1, $0) }, l)
        case .loop(let b, let n, let l): return .loop(try child(0, b), try n.map { try child(1, $0) }, l)
        case .break: return .brk
        case .continue: return .cont
        case .switch(let e, let b, let l):
            var k: IntKind = .int
            if case .int(let kk)? = scalar(program.typeOf(e, in: fn)) { k = kk }
            let node = SwitchNode(expr: e, loc: l, kind: k)
            path.append(0)
            node.body = try compile(b, fn: fn, path: &path, labels: &labels, sw: node, swDepth: path.count)
            path.removeLast()
            return .sw(node)
        case .label(let lab, let l):
            let rel = Array(path[swDepth...])
            switch lab {
            case .named(let n): labels[n] = path
            case .case(let v):
                guard let sw else { throw InterpreterError(.malformedIR, l, "case label outside a switch") }
                let v = norm(v, sw.kind)
                if sw.exact[v] == nil { sw.exact[v] = rel }
            case .caseRange(let lo, let hi):
                guard let sw else { throw InterpreterError(.malformedIR, l, "case label outside a switch") }
                sw.ranges.append((norm(lo, sw.kind), norm(hi, sw.kind), rel))
            case .default:
                guard let sw else { throw InterpreterError(.malformedIR, l, "default label outside a switch") }
                sw.defaultPath = rel
            }
            return .label
        case .goto(let n, let l): return .goto(n, l)
        case .computedGoto(let e, let l): return .computedGoto(e, l)
        case .return(let e, let l): return .ret(e, l)
        }
    }

    /// Calls function `id` with argument values (the callee converts them to its parameter types).
    func call(_ callee: FuncID, _ args: [Value]) throws -> Value {
        let id = try bound(callee)
        guard hasBody[id.index] else { return try external(program.functions[id.index], args) }
        if frames.count >= maxDepth { throw fail(.stackOverflow, "call depth exceeds \(maxDepth) (runaway recursion?)") }
        let info = try self.info(id)
        let fn = info.fn
        let f = Frame(fn: id, info: info, callLoc: loc)
        let fname = info.fn.sourceName
        for i in info.types.indices where !info.isReg[i] {
            if let size = info.sizes[i] {
                let o = allocate(size: size, kind: .local(name: info.fn.locals[i].sourceName, function: fname), align: info.aligns[i], loc: info.fn.locals[i].loc)
                f.slots[i] = o
                f.owned.append(o)
            }
        }
        frames.append(f)
        let saved = frame
        frame = f
        defer {
            for o in f.owned { objects[o].end(at: loc) }
            for v in f.vaLists { vaStates[v].live = false }
            frames.removeLast()
            frame = saved
        }
        for (j, p) in fn.params.enumerated() {
            let v = j < args.count ? args[j] : try zero(info.types[p.index])
            if info.isReg[p.index] { f.regs[p.index] = try cast(v, to: info.types[p.index]) }
            else { try store(.mem(Pointer(obj: f.slots[p.index], off: 0)), info.types[p.index], v) }
        }
        if args.count > fn.params.count { f.varargs = args[fn.params.count...] }
        loc = fn.loc
        var flow = try exec(info.body)
        while case .goto(let l) = flow {
            guard let path = info.labels[l] else { throw fail(.malformedIR, "goto to unknown label \(l)") }
            flow = try enter(info.body, path, 0)
        }
        if case .ret(let v) = flow { return v }
        return try zero(fn.type.result)
    }

    // MARK: Statements

    func exec(_ n: Node) throws -> Flow {
        steps += 1
        if steps > fuel { throw fail(.fuelExhausted, "the step limit (\(fuel)) was reached") }
        // Only the hot cases are handled inline: a debug build gives this
        // function a stack frame as large as its largest case needs.
        switch n {
        case .instr(let i):
            try execInstr(i)
            return .normal
        case .block(let ns):
            var i = 0
            let count = ns.count
            while i < count {
                let f = try exec(ns[i])
                if case .normal = f {} else { return f }
                i += 1
            }
            return .normal
        case .cond(let c, let t, let e, let l):
            loc = l
            if try truthy(eval(c)) { return try exec(t) }
            if let e { return try exec(e) }
            return .normal
        case .loop(let body, let next, let l):
            return try loop(body, next, l, startAtNext: false)
        case .brk: return .brk
        case .cont: return .cont
        case .label: return .normal
        default: return try execOther(n)
        }
    }

    func execOther(_ n: Node) throws -> Flow {
        switch n {
        case .local(let id, let ini, let l):
            loc = l
            let f = frame!
            if !f.info.isReg[id.index] && f.info.sizes[id.index] == nil {
                // A VLA: a new object each time its declaration is reached.
                let size = try sizeOf(f.info.types[id.index])
                if f.slots[id.index] != 0 { objects[f.slots[id.index]].end(at: l) }
                let o = allocate(size: size, kind: .local(name: f.info.fn.locals[id.index].sourceName, function: f.info.fn.sourceName),
                                 align: f.info.aligns[id.index], loc: l)
                f.slots[id.index] = o
                f.owned.append(o)
            }
            if let ini { try initializeLocal(id, ini) }
            return .normal
        case .sw(let s):
            loc = s.loc
            let v = norm(try intValue(eval(s.expr)), s.kind)
            let path: Path
            if let p = s.exact[v] { path = p }
            else if let r = s.ranges.first(where: { s.kind.isSigned ? ($0.lo <= v && v <= $0.hi) : (UInt64(bitPattern: $0.lo) <= UInt64(bitPattern: v) && UInt64(bitPattern: v) <= UInt64(bitPattern: $0.hi)) }) { path = r.path }
            else if let d = s.defaultPath { path = d }
            else { return .normal }
            let f = try enter(s.body, path, 0)
            if case .brk = f { return .normal }
            return f
        case .goto(let name, let l):
            loc = l
            return .goto(name)
        case .computedGoto(let e, let l):
            loc = l
            guard case .ptr(let p) = try eval(e), case .labels(let fn, let names) = objects[p.obj].kind, p.off >= 0, p.off < names.count else {
                throw fail(.invalidPointer, "goto * through a pointer that is not a label's address")
            }
            guard fn == frame!.fn else { throw fail(.invalidPointer, "goto * to label \(names[p.off]) of another function") }
            return .goto(names[p.off])
        case .ret(let e, let l):
            loc = l
            guard let e else { return .ret(.void) }
            return .ret(try cast(eval(e), to: frame!.info.fn.type.result))
        case .instr, .block, .cond, .loop, .brk, .cont, .label:
            return try exec(n)
        }
    }

    /// Runs `n` from the label at `path[pos...]` below it: what lies before
    /// the label in each block on the way is skipped, loops on the way go on
    /// looping after it, a switch on the way is entered without its test.
    func enter(_ n: Node, _ path: Path, _ pos: Int) throws -> Flow {
        if pos >= path.count { return try exec(n) }
        try tick()
        switch n {
        case .block(let ns):
            let i = path[pos]
            let f = try enter(ns[i], path, pos + 1)
            if case .normal = f {} else { return f }
            for x in ns[(i + 1)...] {
                let f = try exec(x)
                if case .normal = f {} else { return f }
            }
            return .normal
        case .cond(_, let t, let e, _):
            return path[pos] == 0 ? try enter(t, path, pos + 1) : try enter(e!, path, pos + 1)
        case .loop(let body, let next, let l):
            let inBody = path[pos] == 0
            let f = try enter(inBody ? body : next!, path, pos + 1)
            switch f {
            case .brk: return .normal
            case .ret, .goto: return f
            case .normal, .cont: break
            }
            return try loop(body, next, l, startAtNext: inBody)
        case .sw(let s):
            let f = try enter(s.body, path, pos + 1)
            if case .brk = f { return .normal }
            return f
        default:
            return try exec(n)
        }
    }

    /// `for (;;) { body; next }`, from the body or from `next`.
    func loop(_ body: Node, _ next: Node?, _ l: SourceLoc, startAtNext: Bool) throws -> Flow {
        var atNext = startAtNext
        while true {
            loc = l
            if !atNext {
                let f = try exec(body)
                switch f {
                case .brk: return .normal
                case .ret, .goto: return f
                case .normal, .cont: break
                }
            }
            atNext = false
            if let next {
                let f = try exec(next)
                switch f {
                case .brk: return .normal
                case .ret, .goto: return f
                case .normal, .cont: break
                }
            } else {
                try tick()  // an empty body still costs fuel
            }
        }
    }

    func execInstr(_ i: Instr) throws {
        switch i {
        case .assign(let lv, let e, let l):
            loc = l
            let v = try eval(e)
            if case .local(let id) = lv.host, let f = frame, f.info.isReg[id.index], lv.offsets.isEmpty {
                f.regs[id.index] = try convert(v, to: f.info.scalars[id.index]!)
                return
            }
            let (pl, t) = try place(lv)
            try store(pl, t, v)
        case .call(let result, let callee, let args, let l):
            try execCall(result, callee, args, l)
        case .vaArg(let result, let list, let l):
            try execVaArg(result, list, l)
        case .asm(_, let l):
            loc = l
            throw fail(.unsupported, "inline assembly")
        case .note(_, let e, let l):
            // What the runtime records (REP-3) the interpreter knows from
            // when the object was made: only the operand is evaluated.
            loc = l
            _ = try eval(e)
        }
    }

    func execCall(_ result: LValue?, _ callee: Callee, _ args: [Expr], _ l: SourceLoc) throws {
        loc = l
        let r: Value
        switch callee {
        case .direct(let f):
            r = try call(f, evalAll(args))
        case .indirect(let e):
            let fp = try eval(e)
            let vs = try evalAll(args)
            guard case .ptr(let p) = fp else { throw fail(.badFunctionPointer, "call through \(fp), not a pointer") }
            guard p.obj != 0 else {
                throw fail(p.off == 0 ? .nullDereference : .badFunctionPointer, p.off == 0 ? "call through a null function pointer" : "call through an address of no object")
            }
            guard case .function(let f) = objects[p.obj].kind, p.off == 0 else {
                throw fail(.badFunctionPointer, "call through a pointer to \(objects[p.obj].what)" + (p.off == 0 ? "" : " + \(p.off)") + ", not a function")
            }
            r = try call(f, vs)
        case .builtin(let name):
            r = try builtin(name, args)
        }
        loc = l
        if let result {
            let (pl, t) = try place(result)
            try store(pl, t, r)
        }
    }

    func execVaArg(_ result: LValue, _ list: Expr, _ l: SourceLoc) throws {
        loc = l
        let st = try vaState(eval(list))
        guard st.next < st.args.count else {
            throw fail(.badVarArg, "va_arg past the last of \(st.args.count) variadic argument\(st.args.count == 1 ? "" : "s")")
        }
        let v = st.args[st.args.startIndex + st.next]
        st.next += 1
        let (pl, t) = try place(result)
        let wantsScalar = scalar(t) != nil
        if case .agg = v, wantsScalar { throw fail(.badVarArg, "va_arg of type \(program.printed(t)), but the argument passed is a struct or union") }
        if case .agg = v {} else if !wantsScalar { throw fail(.badVarArg, "va_arg of type \(program.printed(t)), but the argument passed is a scalar") }
        try store(pl, t, v)
    }

    func evalAll(_ args: [Expr]) throws -> [Value] {
        var vs: [Value] = []
        vs.reserveCapacity(args.count)
        for a in args { vs.append(try eval(a)) }
        return vs
    }

    // MARK: va_list

    static let vaTag: Int64 = 0x5641 << 48

    func vaState(_ handle: Value) throws -> VaState {
        let h = try intValue(handle)
        let i = Int(h & 0xffff_ffff)
        guard h & ~0xffff_ffff == Machine.vaTag, i < vaStates.count else {
            throw fail(.badVarArg, "va_list not initialized by va_start or va_copy")
        }
        guard vaStates[i].live else { throw fail(.badVarArg, "va_list used after its function returned") }
        return vaStates[i]
    }

    func newVaList(_ args: ArraySlice<Value>, next: Int) -> Value {
        vaStates.append(VaState(args: args, next: next))
        frame?.vaLists.append(vaStates.count - 1)
        return .int(Machine.vaTag | Int64(vaStates.count - 1), .ulong)
    }
}

extension MemObject {
    func end(at l: SourceLoc) {
        if state == .live { state = .ended(l); data = [] }
    }
}
