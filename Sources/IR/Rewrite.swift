// Renumbering ids through the IR.
//
// `IDMapper` holds one function per kind of program-level id (and one for
// enumerator names, which expressions carry by name) and rebuilds any IR
// value with every id it contains passed through them. It walks the whole
// tree: types (including VLA length expressions), expressions, lvalues,
// initializers, instructions, statements and declarations. Local ids are
// left alone: they index their own function's `locals`.
//
// The TU merge uses it to move each unit into the merged program's tables;
// any pass that renumbers or drops table entries can reuse it.

public struct IDMapper {
    public var record: (RecordID) -> RecordID
    public var enumeration: (EnumID) -> EnumID
    public var typedef: (TypedefID) -> TypedefID
    public var global: (GlobalID) -> GlobalID
    public var function: (FuncID) -> FuncID
    /// Enumerator constants are referred to by name (`Constant.enumerator`).
    public var enumerator: (String) -> String
    /// When set, a typedef name is replaced by (the mapping of) the type it
    /// stands for, and nested qualifiers merge: the result sees through
    /// typedefs (patch fingerprints, Specs/patch.md PATCH-1).
    public var typedefType: ((TypedefID) -> CType)? = nil

    /// Every argument defaults to the identity.
    public init(record: @escaping (RecordID) -> RecordID = { $0 },
                enumeration: @escaping (EnumID) -> EnumID = { $0 },
                typedef: @escaping (TypedefID) -> TypedefID = { $0 },
                global: @escaping (GlobalID) -> GlobalID = { $0 },
                function: @escaping (FuncID) -> FuncID = { $0 },
                enumerator: @escaping (String) -> String = { $0 }) {
        self.record = record; self.enumeration = enumeration; self.typedef = typedef
        self.global = global; self.function = function; self.enumerator = enumerator
    }

    // MARK: Types

    public func map(_ t: CType) -> CType {
        switch t {
        case .void, .int, .float, .complex, .vaList: return t
        case .pointer(let p): return .pointer(map(p))
        case .array(let e, let n): return .array(map(e), length: n)
        case .vla(let e, let n): return .vla(map(e), length: map(n))
        case .function(let f): return .function(map(f))
        case .record(let id): return .record(record(id))
        case .enumeration(let id): return .enumeration(enumeration(id))
        case .typedef(let id):
            if let resolve = typedefType { return map(resolve(id)) }
            return .typedef(typedef(id))
        case .qualified(let inner, let q):
            let m = map(inner)
            if typedefType != nil, case .qualified(let i2, let q2) = m { return .qualified(i2, q.union(q2)) }
            return .qualified(m, q)
        case .atomic(let inner): return .atomic(map(inner))
        case .vector(let e, let n): return .vector(map(e), count: n)
        }
    }

    public func map(_ f: FunctionType) -> FunctionType {
        FunctionType(result: map(f.result), params: f.params.map(map), variadic: f.variadic, hasPrototype: f.hasPrototype)
    }

    // MARK: Expressions and lvalues

    public func map(_ c: Constant) -> Constant {
        if case .enumerator(let name, let value) = c { return .enumerator(name: enumerator(name), value: value) }
        return c
    }

    public func map(_ e: Expr) -> Expr {
        switch e {
        case .const(let c, let t): return .const(map(c), map(t))
        case .read(let lv): return .read(map(lv))
        case .addrOf(let lv): return .addrOf(map(lv))
        case .startOf(let lv): return .startOf(map(lv))
        case .function(let id): return .function(function(id))
        case .labelAddr: return e
        case .unary(let op, let a, let t): return .unary(op, map(a), map(t))
        case .binary(let op, let a, let b, let t): return .binary(op, map(a), map(b), map(t))
        case .cond(let c, let a, let b, let t): return .cond(map(c), map(a), map(b), map(t))
        case .cast(let t, let a): return .cast(map(t), map(a))
        case .sizeOf(let t, let v): return .sizeOf(map(t), value: v)
        case .alignOf(let t, let v): return .alignOf(map(t), value: v)
        case .compoundLiteral(let t, let i): return .compoundLiteral(map(t), map(i))
        case .current(let r, let a): return .current(record(r), map(a))
        case .pinned(let r, let k, let a): return .pinned(record(r), k, map(a))
        }
    }

    public func map(_ h: LHost) -> LHost {
        switch h {
        case .local: return h
        case .global(let id): return .global(global(id))
        case .mem(let e): return .mem(map(e))
        case .compound(let t, let i): return .compound(map(t), map(i))
        }
    }

    public func map(_ o: Offset) -> Offset {
        switch o {
        case .field(let rid, let i): return .field(record(rid), index: i)
        case .index(let e): return .index(map(e))
        }
    }

    public func map(_ lv: LValue) -> LValue { LValue(map(lv.host), lv.offsets.map(map)) }

    public func map(_ i: Initializer) -> Initializer {
        switch i {
        case .expr(let e): return .expr(map(e))
        case .compound(let t, let entries):
            return .compound(map(t), entries.map { InitEntry($0.designator, map($0.value)) })
        }
    }

    // MARK: Instructions and statements

    public func map(_ c: Callee) -> Callee {
        switch c {
        case .direct(let id): return .direct(function(id))
        case .indirect(let e): return .indirect(map(e))
        case .builtin: return c
        }
    }

    public func map(_ op: InlineAsm.Operand) -> InlineAsm.Operand {
        InlineAsm.Operand(name: op.name, constraint: op.constraint, value: map(op.value), lvalue: op.lvalue.map(map))
    }

    public func map(_ i: Instr) -> Instr {
        switch i {
        case .assign(let lv, let e, let l): return .assign(map(lv), map(e), l)
        case .call(let r, let c, let args, let l): return .call(result: r.map(map), callee: map(c), args: args.map(map), l)
        case .vaArg(let r, let list, let l): return .vaArg(result: map(r), list: map(list), l)
        case .note(let t, let e, let l): return .note(map(t), map(e), l)
        case .asm(var a, let l):
            a.outputs = a.outputs.map(map); a.inputs = a.inputs.map(map)
            return .asm(a, l)
        }
    }

    public func map(_ s: Stmt) -> Stmt {
        switch s {
        case .instr(let i): return .instr(map(i))
        case .block(let ss): return .block(ss.map(map))
        case .local(let id, let i, let l): return .local(id, i.map(map), l)
        case .if(let c, let t, let e, let l): return .if(map(c), then: map(t), else: e.map(map), l)
        case .loop(let b, let n, let l): return .loop(body: map(b), next: n.map(map), l)
        case .break, .continue, .label, .goto: return s
        case .switch(let e, let b, let l): return .switch(map(e), body: map(b), l)
        case .computedGoto(let e, let l): return .computedGoto(map(e), l)
        case .return(let e, let l): return .return(e.map(map), l)
        }
    }

    // MARK: Declarations (their own id included)

    public func map(_ f: Field) -> Field {
        var f = f; f.type = map(f.type); return f
    }

    public func map(_ r: Record) -> Record {
        var r = r; r.id = record(r.id); r.fields = r.fields?.map(map); return r
    }

    public func map(_ e: EnumDef) -> EnumDef {
        var e = e; e.id = enumeration(e.id); e.names = e.names.map(enumerator); return e
    }

    public func map(_ t: Typedef) -> Typedef {
        var t = t; t.id = typedef(t.id); t.type = map(t.type); return t
    }

    public func map(_ g: GlobalVar) -> GlobalVar {
        var g = g; g.id = global(g.id); g.type = map(g.type); g.initializer = g.initializer.map(map); return g
    }

    public func map(_ l: Local) -> Local {
        var l = l; l.type = map(l.type); return l
    }

    public func map(_ f: Function) -> Function {
        var f = f
        f.id = function(f.id); f.type = map(f.type); f.locals = f.locals.map(map); f.body = f.body.map(map)
        return f
    }

    public func map(_ t: TopLevel) -> TopLevel {
        switch t {
        case .record(let id): return .record(record(id))
        case .enumeration(let id): return .enumeration(enumeration(id))
        case .typedef(let id): return .typedef(typedef(id))
        case .global(let id): return .global(global(id))
        case .function(let id): return .function(function(id))
        case .asm: return t
        }
    }
}

public extension Program {
    /// The program with every id passed through `mapper`, tables kept in
    /// place (the mapper must send each table's ids to a permutation of
    /// themselves for the result to be consistent; entries are re-sorted by id).
    func mappingIDs(_ mapper: IDMapper) -> Program {
        var p = Program()
        p.records = records.map(mapper.map).sorted { $0.id < $1.id }
        p.enums = enums.map(mapper.map).sorted { $0.id < $1.id }
        p.typedefs = typedefs.map(mapper.map).sorted { $0.id < $1.id }
        p.globals = globals.map(mapper.map).sorted { $0.id < $1.id }
        p.functions = functions.map(mapper.map).sorted { $0.id < $1.id }
        p.order = order.map(mapper.map)
        p.sources = sources
        return p
    }
}
