// The graft IR: the whole language in one file.
//
// A C program after lowering is a `Program`: tables of records, enums,
// typedefs, global variables and functions, addressed by typed ids. The
// language has three levels, as CIL's:
//
//   Expr   pure: constants, reads of lvalues, address-of, operators with
//          their result type, explicit casts. No side effect, no call.
//   Instr  one side effect: assignment, call, va_arg, inline assembly.
//   Stmt   control flow: blocks, if, loop, switch, labels, goto, return,
//          and the declaration point of a local.
//
// Every conversion C performs implicitly is an explicit `cast` here; array
// decay is `startOf`; a function designator used as a value is `function`.
// `&&`, `||`, `?:` and `,` whose operands have side effects are control
// flow; `a[i]++` is a read into a temporary, an add and a store.
//
// Locations: every Instr, Stmt, local, global and function carries the
// source location it came from. Expressions do not: an expression belongs
// to the instruction or statement that evaluates it (CIL's choice; it keeps
// the tree small and equal-by-value).
//
// Identity: `Program` tables are indexed by `RecordID`, `FuncID`, … An
// entity's `identity` is its stable name across versions: the linkage name
// of an external, `file.c:name` for a file-scope static, and
// `file.c:function:name` for a static local.

// MARK: - Ids and locations

public struct RecordID: Hashable, Codable, Sendable, Comparable {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}
public struct EnumID: Hashable, Codable, Sendable, Comparable {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}
public struct TypedefID: Hashable, Codable, Sendable, Comparable {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}
public struct GlobalID: Hashable, Codable, Sendable, Comparable {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}
public struct FuncID: Hashable, Codable, Sendable, Comparable {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}
/// A local variable or parameter, an index into its function's `locals`.
public struct LocalID: Hashable, Codable, Sendable, Comparable {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

public struct SourceLoc: Hashable, Codable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file; self.line = line; self.column = column
    }
    public static let unknown = SourceLoc(file: "", line: 0, column: 0)
    public var description: String { "\(file):\(line):\(column)" }
}

// MARK: - Types

public enum IntKind: String, Hashable, Codable, Sendable, CaseIterable {
    case bool      // _Bool
    case char      // plain char (signed on x86-64, but a distinct type)
    case schar, uchar, short, ushort, int, uint, long, ulong, longlong, ulonglong
    case int128, uint128
}

public enum FloatKind: String, Hashable, Codable, Sendable, CaseIterable {
    case float, double, longDouble
    /// `__float128`
    case float128
}

public struct Qualifiers: OptionSet, Hashable, Codable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let const = Qualifiers(rawValue: 1)
    public static let volatile = Qualifiers(rawValue: 2)
    public static let restrict = Qualifiers(rawValue: 4)
}

public struct FunctionType: Hashable, Codable, Sendable {
    public var result: CType
    public var params: [CType]
    public var variadic: Bool
    /// false for a K&R declaration `int f();`: arguments get the default
    /// promotions and are not checked against `params` (which is empty).
    public var hasPrototype: Bool
    public init(result: CType, params: [CType], variadic: Bool = false, hasPrototype: Bool = true) {
        self.result = result; self.params = params; self.variadic = variadic; self.hasPrototype = hasPrototype
    }
}

/// A C type. Typedef names are kept (`.typedef`) for diagnostics and
/// readable output; `Program.unroll` sees through them and qualifiers.
public indirect enum CType: Hashable, Codable, Sendable {
    case void
    case int(IntKind)
    case float(FloatKind)
    case complex(FloatKind)
    case pointer(CType)
    /// `length == nil`: incomplete (`int a[]`, a flexible array member).
    case array(CType, length: Int?)
    /// A variable-length array; `length` is pure and is evaluated where the
    /// array's declaration (or the type's use in sizeof) is reached.
    case vla(CType, length: Expr)
    case function(FunctionType)
    case record(RecordID)
    case enumeration(EnumID)
    case typedef(TypedefID)
    case qualified(CType, Qualifiers)
    /// `_Atomic(T)`
    case atomic(CType)
    /// GNU `__attribute__((vector_size(N)))`: `count` lanes of `element`.
    case vector(CType, count: Int)
    /// `__builtin_va_list`
    case vaList
}

public extension CType {
    static let int = CType.int(.int)
    static let uint = CType.int(.uint)
    static let long = CType.int(.long)
    static let ulong = CType.int(.ulong)
    static let char = CType.int(.char)
    static let bool = CType.int(.bool)
    static let double = CType.float(.double)
    static let voidPtr = CType.pointer(.void)
    /// `size_t` on x86-64 Linux.
    static let sizeT = CType.int(.ulong)
}

// MARK: - Expressions

public enum UnaryOp: String, Hashable, Codable, Sendable, CaseIterable {
    case neg = "-", bitNot = "~", logNot = "!"
    /// `__real__` / `__imag__` of a complex value.
    case real = "__real__", imag = "__imag__"
}

public enum BinaryOp: String, Hashable, Codable, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", rem = "%"
    case shl = "<<", shr = ">>"
    case lt = "<", gt = ">", le = "<=", ge = ">=", eq = "==", ne = "!="
    case bitAnd = "&", bitXor = "^", bitOr = "|"
    /// `&&`, `||` on operands without side effects (pure; still short-circuit).
    case logAnd = "&&", logOr = "||"
    /// pointer + integer (scaled by the pointee size); result type = the pointer's.
    case ptrAdd = "+p", ptrSub = "-p"
    /// pointer - pointer, in elements; result type `long` (ptrdiff_t).
    case ptrDiff = "-pp"
}

public enum Constant: Hashable, Codable, Sendable {
    /// An integer of the expression's type, as a two's-complement bit pattern
    /// truncated to 64 bits (wider constants are built with casts and shifts).
    case int(Int64)
    /// A floating constant; `spelling` keeps the source text (`1.1L`) where
    /// a double would lose precision.
    case float(Double, spelling: String?)
    /// A string literal: its code units without the terminating NUL; `width`
    /// 1 for `"…"`/`u8"…"`, 2 for `u"…"`, 4 for `L"…"`/`U"…"`.
    case string([UInt32], width: Int)
    /// An enumerator, kept by name for readable output.
    case enumerator(name: String, value: Int64)
}

public indirect enum Expr: Hashable, Codable, Sendable {
    /// A constant of type `type`. A string constant has its array type.
    case const(Constant, CType)
    /// Read of an lvalue (C's lvalue-to-rvalue conversion).
    case read(LValue)
    /// `&lv`: pointer to the lvalue's type.
    case addrOf(LValue)
    /// Array-to-pointer decay of an array lvalue: pointer to its first element.
    case startOf(LValue)
    /// A function designator used as a value: a pointer to the function.
    case function(FuncID)
    /// `&&label` (GNU computed goto): `void *`.
    case labelAddr(String)
    case unary(UnaryOp, Expr, CType)
    case binary(BinaryOp, Expr, Expr, CType)
    /// Pure `c ? a : b` (all three free of side effects).
    case cond(Expr, Expr, Expr, CType)
    /// An explicit conversion to `type`.
    case cast(CType, Expr)
    /// `sizeof`/`_Alignof` folded by clang: the value is known, the operand
    /// type is kept for diagnostics and for re-targeting. Type `size_t`.
    case sizeOf(CType, value: Int)
    case alignOf(CType, value: Int)
    /// `(T){ … }`: a compound literal, an lvalue-like object of `type`
    /// initialized by `init` (pure initializer). Read it through `.compound`.
    case compoundLiteral(CType, Initializer)
    /// Instrumentation (Specs/representation.md REP-2): `e`, a pointer to a
    /// struct of the record, brought to this code's representation of it —
    /// `e` itself while no patch has changed the record, else the runtime's
    /// converted (possibly moved) object. Same type as `e`. Only the
    /// updatable build's wrapping pass (Sources/Instrument) makes it.
    case current(RecordID, Expr)
    /// Instrumentation (Specs/representation.md REP-8): the address of
    /// pinned field `k` of the struct of the record at `e` (its flexible
    /// array member, or a field whose address the program hands to code
    /// graft does not build) — a pointer to the field's type. Where the
    /// layout the object was made with put it, which never moves:
    /// `&e->field` while no patch has changed the record. Only the
    /// wrapping pass makes it.
    case pinned(RecordID, Int, Expr)
}

public enum LHost: Hashable, Codable, Sendable {
    case local(LocalID)
    case global(GlobalID)
    /// `*e`: the object that `e` (a pointer) points to.
    case mem(Expr)
    /// A compound literal as an lvalue (`(struct P){1,2}.x`, `&(int){3}`).
    case compound(CType, Initializer)
}

public enum Offset: Hashable, Codable, Sendable {
    /// Field `index` of record `record` (anonymous members are explicit hops).
    case field(RecordID, index: Int)
    /// Element `i` of an array (or vector) lvalue.
    case index(Expr)
}

/// An lvalue: a host and a path of field and index offsets into it.
public struct LValue: Hashable, Codable, Sendable {
    public var host: LHost
    public var offsets: [Offset]
    public init(_ host: LHost, _ offsets: [Offset] = []) { self.host = host; self.offsets = offsets }
    public static func local(_ id: LocalID) -> LValue { LValue(.local(id)) }
    public static func global(_ id: GlobalID) -> LValue { LValue(.global(id)) }
    public static func mem(_ e: Expr) -> LValue { LValue(.mem(e)) }
    public func appending(_ o: Offset) -> LValue { LValue(host, offsets + [o]) }
}

// MARK: - Initializers

/// A fully resolved initializer: brace elision done, designators resolved to
/// positions, GNU ranges expanded into `range` entries. Anything not listed
/// in a `compound` is zero-initialized (C11 6.7.9p21).
public indirect enum Initializer: Hashable, Codable, Sendable {
    case expr(Expr)
    case compound(CType, [InitEntry])
}

public struct InitEntry: Hashable, Codable, Sendable {
    public enum Designator: Hashable, Codable, Sendable {
        case field(index: Int)
        case index(Int)
        /// GNU `[lo ... hi] = v`: every element from lo to hi inclusive.
        case range(Int, Int)
    }
    public var designator: Designator
    public var value: Initializer
    public init(_ designator: Designator, _ value: Initializer) { self.designator = designator; self.value = value }
}

// MARK: - Instructions

public enum Callee: Hashable, Codable, Sendable {
    case direct(FuncID)
    /// Through a pointer to a function.
    case indirect(Expr)
    /// A compiler builtin (`__builtin_memcpy`, `__sync_fetch_and_add`, …).
    case builtin(String)
}

public struct InlineAsm: Hashable, Codable, Sendable {
    public struct Operand: Hashable, Codable, Sendable {
        public var name: String?      // `[name]`
        public var constraint: String // "=r", "m", …
        public var value: Expr        // an lvalue's address for outputs: see `lvalue`
        public var lvalue: LValue?    // outputs (and in-outs) write here
        public init(name: String?, constraint: String, value: Expr, lvalue: LValue?) {
            self.name = name; self.constraint = constraint; self.value = value; self.lvalue = lvalue
        }
    }
    public var template: String
    public var outputs: [Operand]
    public var inputs: [Operand]
    public var clobbers: [String]
    public var labels: [String]     // asm goto
    public var isVolatile: Bool
    public init(template: String, outputs: [Operand], inputs: [Operand], clobbers: [String], labels: [String], isVolatile: Bool) {
        self.template = template; self.outputs = outputs; self.inputs = inputs
        self.clobbers = clobbers; self.labels = labels; self.isVolatile = isVolatile
    }
}

public enum Instr: Hashable, Codable, Sendable {
    case assign(LValue, Expr, SourceLoc)
    case call(result: LValue?, callee: Callee, args: [Expr], SourceLoc)
    /// `result = va_arg(list, typeof(result))`.
    case vaArg(result: LValue, list: Expr, SourceLoc)
    case asm(InlineAsm, SourceLoc)
    /// Instrumentation (Specs/representation.md REP-3): the object `e`
    /// points to, of type `type`, is new and of this code's representation —
    /// it and every wrapped record it holds by value (fields, array
    /// elements) — once a patch has made their records pending. Only the
    /// updatable build's wrapping pass makes it.
    case note(CType, Expr, SourceLoc)

    public var loc: SourceLoc {
        switch self {
        case .assign(_, _, let l), .call(_, _, _, let l), .vaArg(_, _, let l), .asm(_, let l), .note(_, _, let l): return l
        }
    }
}

// MARK: - Statements

public enum Label: Hashable, Codable, Sendable {
    case named(String)
    /// `case v:` — `v` already converted to the switch's promoted type.
    case `case`(Int64)
    /// GNU `case lo ... hi:`
    case caseRange(Int64, Int64)
    case `default`
}

public indirect enum Stmt: Hashable, Codable, Sendable {
    case instr(Instr)
    /// A C block: a scope for the locals declared in it.
    case block([Stmt])
    /// Declaration point of a local (its scope: the enclosing block), with
    /// its pure initializer. Reaching it again re-initializes it; a VLA is
    /// allocated here.
    case local(LocalID, Initializer?, SourceLoc)
    case `if`(Expr, then: Stmt, else: Stmt?, SourceLoc)
    /// `for (;;) { body; next }`. `continue` in `body` runs `next` and then
    /// the next iteration; `break` leaves. Conditions are explicit
    /// `if (!c) break;` at the head of `body` (while, for) or in `next`
    /// (do-while).
    case loop(body: Stmt, next: Stmt?, SourceLoc)
    case `break`(SourceLoc)
    case `continue`(SourceLoc)
    /// `switch (e) body`; the body holds `.label(.case…)` markers.
    case `switch`(Expr, body: Stmt, SourceLoc)
    /// A label marker; execution falls through it.
    case label(Label, SourceLoc)
    case goto(String, SourceLoc)
    /// GNU `goto *e`.
    case computedGoto(Expr, SourceLoc)
    case `return`(Expr?, SourceLoc)
}

// MARK: - Declarations

public enum Storage: String, Hashable, Codable, Sendable {
    case none      // external linkage, defined here or tentative
    case `extern`  // declared, defined elsewhere (or later)
    case `static`  // internal linkage
}

/// An attribute kept as written: `name(args…)`, args as C source text.
public struct Attribute: Hashable, Codable, Sendable {
    public var name: String
    public var args: [String]
    public init(_ name: String, _ args: [String] = []) { self.name = name; self.args = args }
    /// On a record: `#pragma pack(N)` was in force at its definition (args: [N]).
    public static let pragmaPack = "#pragma pack"
    /// An attribute name without GNU's `__x__` decoration.
    public static func bareName(_ n: String) -> String {
        var s = Substring(n)
        if s.hasPrefix("__") && s.hasSuffix("__") && s.count > 4 { s = s.dropFirst(2).dropLast(2) }
        return String(s)
    }
}

public struct Field: Hashable, Codable, Sendable {
    /// nil for an anonymous member (a nested anonymous struct/union) or an
    /// unnamed bit-field.
    public var name: String?
    public var type: CType
    public var bitWidth: Int?
    /// Offset from the start of the record, in bits (clang's layout).
    public var offsetBits: Int
    public var attributes: [Attribute]
    public init(name: String?, type: CType, bitWidth: Int? = nil, offsetBits: Int, attributes: [Attribute] = []) {
        self.name = name; self.type = type; self.bitWidth = bitWidth; self.offsetBits = offsetBits; self.attributes = attributes
    }
}

public struct Record: Hashable, Codable, Sendable {
    public enum Kind: String, Hashable, Codable, Sendable { case `struct`, union }
    public var id: RecordID
    public var kind: Kind
    /// The tag as written; a record without a tag gets a generated one
    /// (`__anon_struct_N`) unless it is an anonymous member (`isAnonymousMember`).
    public var tag: String
    public var isAnonymousMember: Bool
    /// nil: incomplete (declared, never defined).
    public var fields: [Field]?
    public var size: Int
    public var align: Int
    public var attributes: [Attribute]
    public var identity: String
    public var loc: SourceLoc
    public init(id: RecordID, kind: Kind, tag: String, isAnonymousMember: Bool = false, fields: [Field]?, size: Int, align: Int,
                attributes: [Attribute] = [], identity: String, loc: SourceLoc) {
        self.id = id; self.kind = kind; self.tag = tag; self.isAnonymousMember = isAnonymousMember; self.fields = fields
        self.size = size; self.align = align; self.attributes = attributes; self.identity = identity; self.loc = loc
    }
}

public struct EnumDef: Hashable, Codable, Sendable {
    public var id: EnumID
    public var tag: String
    public var items: [(name: String, value: Int64)] {
        get { zip(names, values).map { ($0, $1) } }
        set { names = newValue.map(\.name); values = newValue.map(\.value) }
    }
    public var names: [String]
    public var values: [Int64]
    /// The compatible integer type clang chose.
    public var underlying: IntKind
    public var isComplete: Bool
    public var attributes: [Attribute]
    public var identity: String
    public var loc: SourceLoc
    public init(id: EnumID, tag: String, items: [(name: String, value: Int64)], underlying: IntKind, isComplete: Bool = true,
                attributes: [Attribute] = [], identity: String, loc: SourceLoc) {
        self.id = id; self.tag = tag; self.names = items.map(\.name); self.values = items.map(\.value)
        self.underlying = underlying; self.isComplete = isComplete; self.attributes = attributes; self.identity = identity; self.loc = loc
    }
}

public struct Typedef: Hashable, Codable, Sendable {
    public var id: TypedefID
    public var name: String
    public var type: CType
    public var identity: String
    public var loc: SourceLoc
    public init(id: TypedefID, name: String, type: CType, identity: String, loc: SourceLoc) {
        self.id = id; self.name = name; self.type = type; self.identity = identity; self.loc = loc
    }
}

public struct GlobalVar: Hashable, Codable, Sendable {
    public var id: GlobalID
    /// The name used in emitted code; unique in the program.
    public var name: String
    /// The name as written in the source (a renamed static keeps it here).
    public var sourceName: String
    public var type: CType
    public var storage: Storage
    /// nil: no initializer (a declaration, or a tentative definition when
    /// `storage != .extern`).
    public var initializer: Initializer?
    public var isThreadLocal: Bool
    public var attributes: [Attribute]
    public var identity: String
    public var loc: SourceLoc
    public init(id: GlobalID, name: String, sourceName: String? = nil, type: CType, storage: Storage, initializer: Initializer?,
                isThreadLocal: Bool = false, attributes: [Attribute] = [], identity: String, loc: SourceLoc) {
        self.id = id; self.name = name; self.sourceName = sourceName ?? name; self.type = type; self.storage = storage
        self.initializer = initializer; self.isThreadLocal = isThreadLocal; self.attributes = attributes
        self.identity = identity; self.loc = loc
    }
}

public struct Local: Hashable, Codable, Sendable {
    public var id: LocalID
    /// Unique within the function (block-scope shadowing renamed apart).
    public var name: String
    public var sourceName: String
    public var type: CType
    public var isParam: Bool
    /// Compiler-made temporary.
    public var isTemp: Bool
    public var isRegister: Bool
    public var attributes: [Attribute]
    public var loc: SourceLoc
    public init(id: LocalID, name: String, sourceName: String? = nil, type: CType, isParam: Bool = false, isTemp: Bool = false,
                isRegister: Bool = false, attributes: [Attribute] = [], loc: SourceLoc) {
        self.id = id; self.name = name; self.sourceName = sourceName ?? name; self.type = type; self.isParam = isParam
        self.isTemp = isTemp; self.isRegister = isRegister; self.attributes = attributes; self.loc = loc
    }
}

public struct Function: Hashable, Codable, Sendable {
    public var id: FuncID
    public var name: String
    public var sourceName: String
    public var type: FunctionType
    public var storage: Storage
    /// Written with `inline` (C99 inline semantics depend on it with `storage`).
    public var isInline: Bool
    /// Parameters in order (indices into `locals`).
    public var params: [LocalID]
    public var locals: [Local]
    /// nil: declaration only.
    public var body: Stmt?
    public var attributes: [Attribute]
    public var identity: String
    public var loc: SourceLoc
    public init(id: FuncID, name: String, sourceName: String? = nil, type: FunctionType, storage: Storage, isInline: Bool = false,
                params: [LocalID] = [], locals: [Local] = [], body: Stmt? = nil, attributes: [Attribute] = [],
                identity: String, loc: SourceLoc) {
        self.id = id; self.name = name; self.sourceName = sourceName ?? name; self.type = type; self.storage = storage
        self.isInline = isInline; self.params = params; self.locals = locals; self.body = body
        self.attributes = attributes; self.identity = identity; self.loc = loc
    }
    public var isDefinition: Bool { body != nil }
}

/// A top-level entity, in source order (`Program.order`).
public enum TopLevel: Hashable, Codable, Sendable {
    case record(RecordID)
    case enumeration(EnumID)
    case typedef(TypedefID)
    case global(GlobalID)
    case function(FuncID)
    /// File-scope `asm("…")`.
    case asm(String)
}

/// A whole program (or one translation unit before merging).
public struct Program: Hashable, Codable, Sendable {
    public var records: [Record] = []
    public var enums: [EnumDef] = []
    public var typedefs: [Typedef] = []
    public var globals: [GlobalVar] = []
    public var functions: [Function] = []
    public var order: [TopLevel] = []
    /// The translation units it was lowered from.
    public var sources: [String] = []
    public init() {}

    public subscript(_ id: RecordID) -> Record { get { records[id.index] } set { records[id.index] = newValue } }
    public subscript(_ id: EnumID) -> EnumDef { get { enums[id.index] } set { enums[id.index] = newValue } }
    public subscript(_ id: TypedefID) -> Typedef { get { typedefs[id.index] } set { typedefs[id.index] = newValue } }
    public subscript(_ id: GlobalID) -> GlobalVar { get { globals[id.index] } set { globals[id.index] = newValue } }
    public subscript(_ id: FuncID) -> Function { get { functions[id.index] } set { functions[id.index] = newValue } }
}
