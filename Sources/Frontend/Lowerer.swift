// Lowering one translation unit: declarations and types.
//
// A `Lowerer` walks the top-level cursors of a parsed unit in order and
// fills a `Program`. Types are lowered on demand (a record is given its id
// before its fields, so recursive types close through ids). Function bodies
// are lowered by the statement and expression parts (LowerStmt.swift,
// LowerExpr.swift) into a `FunctionBuilder`.

import CClang
import Foundation
import IR

/// A construct graft does not handle (yet): reported at its location,
/// never lowered to something approximate.
struct Unsupported: Error {
    let loc: SourceLoc
    let what: String
}

final class FunctionBuilder {
    var function: Function
    var localIDs: [DeclKey: LocalID] = [:]
    var usedNames: Set<String> = []
    /// The statement lists being filled, innermost last.
    var blocks: [[Stmt]] = [[]]
    var tempCount = 0
    init(function: Function) { self.function = function }

    func addLocal(name: String, type: CType, isParam: Bool = false, isTemp: Bool = false, isRegister: Bool = false,
                  attributes: [Attribute] = [], loc: SourceLoc) -> LocalID {
        var unique = name
        var n = 1
        while usedNames.contains(unique) { n += 1; unique = "\(name)__\(n)" }
        usedNames.insert(unique)
        let id = LocalID(function.locals.count)
        function.locals.append(Local(id: id, name: unique, sourceName: name, type: type, isParam: isParam, isTemp: isTemp,
                                     isRegister: isRegister, attributes: attributes, loc: loc))
        return id
    }

    func emit(_ s: Stmt) { blocks[blocks.count - 1].append(s) }
    func emit(_ i: Instr) { emit(.instr(i)) }
    var position: Int { blocks[blocks.count - 1].count }
    func insert(_ s: Stmt, at index: Int) { blocks[blocks.count - 1].insert(s, at: index) }

    /// Runs `body` collecting what it emits into a fresh list.
    func collect(_ body: () throws -> Void) rethrows -> [Stmt] {
        blocks.append([])
        do { try body() } catch { _ = blocks.popLast(); throw error }
        return blocks.popLast()!
    }
}

final class Lowerer {
    let unit: ParsedUnit
    var program = Program()
    /// The translation unit's file name as given (used in identities of statics).
    let unitName: String

    var recordIDs: [DeclKey: RecordID] = [:]
    var enumIDs: [DeclKey: EnumID] = [:]
    var typedefIDs: [DeclKey: TypedefID] = [:]
    var globalIDs: [DeclKey: GlobalID] = [:]
    var funcIDs: [DeclKey: FuncID] = [:]
    var globalNames: [String: Int] = [:]
    /// Functions called somewhere while they had no prototype (LINK-3).
    var unprototypedCallees: Set<FuncID> = []
    /// Identities given to static locals so far (LINK-2).
    var staticLocalIdentities: Set<String> = []
    var anonCount = 0
    /// Records whose fields have been lowered (or are being lowered).
    var completedRecords: Set<RecordID> = []
    var fn: FunctionBuilder?
    /// Sizes of VLA dimensions for the declaration being lowered, outermost first.
    var pendingVLASizes: [Expr] = []
    /// Lowering a static initializer: compound literals are static objects.
    var inStaticInitializer = false
    var usedTags: Set<String> = []
    /// Lowering a function type: VLA dimensions become unknown lengths.
    var vlaAsIncomplete = false
    /// Sizes of block-scope VLA typedefs, captured where they are declared.
    var vlaTypedefSizes: [DeclKey: [Expr]] = [:]
    var inlineInfo: [FuncID: (allInline: Bool, anyExtern: Bool)] = [:]
    var ordered: Set<TopLevel> = []

    func appendOrder(_ t: TopLevel) {
        if ordered.insert(t).inserted { program.order.append(t) }
    }

    init(unit: ParsedUnit) {
        self.unit = unit
        self.unitName = Lowerer.stableUnitName(unit.file)
        program.sources = [unit.file]
    }

    /// The name a unit's statics are known by across builds: the path
    /// relative to the working directory when the file is under it (as
    /// make passes it), otherwise the file's own name — never a temporary
    /// folder that changes from build to build.
    static func stableUnitName(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let abs = path.hasPrefix("/") ? path : cwd + "/" + path
        let standardized = URL(fileURLWithPath: abs).standardizedFileURL.path
        if standardized.hasPrefix(cwd + "/") { return String(standardized.dropFirst(cwd.count + 1)) }
        return URL(fileURLWithPath: standardized).lastPathComponent
    }

    func unsupported(_ c: CXCursor, _ what: String) -> Unsupported { Unsupported(loc: c.loc, what: what) }

    // MARK: Top level

    func lowerUnit() throws {
        for c in unit.root.children {
            try lowerTopLevel(c)
        }
        applyInlineSemantics()
        try convertUnprototypedCalls()
    }

    /// LINK-3 within the unit: calls made before the function's prototype
    /// (`int f();` … `f(1L)` … `int f(int x) { … }`) pass the promoted
    /// arguments; they are converted to the prototype as at the link.
    func convertUnprototypedCalls() throws {
        guard !unprototypedCallees.isEmpty else { return }
        var problems: [Diagnostic] = []
        for i in program.functions.indices where program.functions[i].isDefinition {
            let callees = Dictionary(uniqueKeysWithValues: unprototypedCallees.map { ($0, Merge.CallerView.noPrototype) })
            let (f, p) = Merge.convertUnprototypedCalls(program.functions[i], calling: callees, in: program)
            program.functions[i] = f
            problems += p
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    /// C99 6.7.4p7: a function with external linkage whose every file-scope
    /// declaration says `inline` and none `extern` has an inline definition
    /// only; otherwise its definition is external and `inline` is a hint.
    func applyInlineSemantics() {
        for (id, info) in inlineInfo {
            var f = program.functions[id.index]
            guard f.storage != .static, f.isInline else { continue }
            if f.attributes.contains(where: { $0.name == "gnu_inline" || $0.name == "__gnu_inline__" }) {
                // GNU inline: `extern inline` is an inline-only definition, never emitted out of line.
                if info.anyExtern && f.isDefinition { f.storage = .extern }
                program.functions[id.index] = f
                continue
            }
            f.isInline = info.allInline && !info.anyExtern
            program.functions[id.index] = f
        }
    }

    /// The `inline` and `extern` specifiers written before a declaration's name.
    func declarationSpecifiers(_ c: CXCursor) -> (inline: Bool, extern: Bool) {
        let start = clang_getRangeStart(clang_getCursorExtent(c))
        let toks = unit.tokens(clang_getRange(start, clang_getCursorLocation(c)))
        // glibc's __extern_inline and __extern_always_inline: `extern __inline` with gnu_inline.
        let glibc = toks.contains { $0 == "__extern_inline" || $0 == "__extern_always_inline" }
        let inl = glibc || toks.contains { $0 == "inline" || $0 == "__inline" || $0 == "__inline__" }
        let ext = glibc || toks.contains("extern")
        return (inl, ext)
    }

    func lowerTopLevel(_ c: CXCursor) throws {
        switch c.kind {
        case CXCursor_FunctionDecl:
            _ = try functionID(c, define: true)
        case CXCursor_VarDecl:
            _ = try globalID(c, declare: true)
        case CXCursor_StructDecl, CXCursor_UnionDecl:
            let id = try recordID(forDecl: c)
            appendOrder(.record(id))
        case CXCursor_EnumDecl:
            let id = try enumID(forDecl: c)
            appendOrder(.enumeration(id))
        case CXCursor_TypedefDecl:
            if let id = try typedefID(c) { appendOrder(.typedef(id)) }
        case CXCursor_StaticAssert:
            break  // checked by clang already
        case CXCursor_UnexposedDecl:
            // File-scope asm("…") (FileScopeAsmDecl) shows as an unexposed decl.
            let toks = unit.tokens(clang_getCursorExtent(c))
            if let first = toks.first, ["asm", "__asm__", "__asm"].contains(first) {
                let strings = toks.filter { $0.hasPrefix("\"") }
                let text = strings.map { decodeStringToken($0).map { String(UnicodeScalar(UInt8(truncatingIfNeeded: $0))) }.joined() }.joined()
                program.order.append(.asm(text))
            } else if !toks.isEmpty && toks != [";"] {
                throw unsupported(c, "declaration '\(toks.prefix(4).joined(separator: " "))'")
            }
        default:
            if c.isAttribute { break }
            throw unsupported(c, "top-level \(c.kindName)")
        }
    }

    // MARK: Names and identities

    func uniqueGlobalName(_ name: String) -> String {
        var unique = name
        var n = globalNames[name, default: 0]
        while globalNames[unique] != nil { n += 1; unique = "\(name)__\(n)" }
        globalNames[unique] = 0
        globalNames[name] = n
        return unique
    }

    func identity(_ name: String, isStatic: Bool, function: String? = nil) -> String {
        if let function { return "\(unitName):\(function):\(name)" }
        return isStatic ? "\(unitName):\(name)" : name
    }

    /// LINK-2: a function's second static local of one name (in another
    /// block) is `file:f:name#2`, the third `#3`, in source order.
    func distinctStaticLocal(_ identity: String) -> String {
        var unique = identity, n = 1
        while staticLocalIdentities.contains(unique) { n += 1; unique = "\(identity)#\(n)" }
        staticLocalIdentities.insert(unique)
        return unique
    }

    // MARK: Attributes

    /// The attributes attached to a declaration, as written.
    func attributes(of c: CXCursor) -> [Attribute] {
        var out: [Attribute] = []
        for a in c.children where a.isAttribute {
            switch a.kind {
            case CXCursor_PackedAttr: out.append(Attribute("packed"))
            case CXCursor_AlignedAttr:
                let toks = attrTokens(a)
                out.append(parseAttribute(toks) ?? Attribute("aligned"))
            case CXCursor_ConstAttr: out.append(Attribute("const"))
            case CXCursor_PureAttr: out.append(Attribute("pure"))
            case CXCursor_NoDuplicateAttr: out.append(Attribute("noduplicate"))
            case CXCursor_VisibilityAttr:
                out.append(Attribute("visibility", ["\"\(a.spelling)\""]))
            case CXCursor_WarnUnusedResultAttr: out.append(Attribute("warn_unused_result"))
            case CXCursor_AnnotateAttr: break
            case CXCursor_AsmLabelAttr:
                // `f(…) __asm__("g")` (glibc's __REDIRECT: `__fgets_alias` is `fgets`): the symbol it links as.
                out.append(Attribute("asm", ["\"" + a.spelling + "\""]))
            default:
                if let attr = parseAttribute(attrTokens(a)) { out.append(attr) }
            }
        }
        return out
    }

    /// An attribute's tokens; through a macro, the text it was spelled as
    /// (the first `name` or `name(…)` written there).
    func attrTokens(_ a: CXCursor) -> [String] {
        let toks = unit.tokens(clang_getCursorExtent(a))
        if !toks.isEmpty { return toks }
        let spelled = unit.spelledTokens(a, bytes: 200)
        guard let first = spelled.first else { return [] }
        var out = [first]
        if spelled.count > 1, spelled[1] == "(" {
            var depth = 0
            for t in spelled.dropFirst() {
                out.append(t)
                if t == "(" { depth += 1 }
                if t == ")" { depth -= 1; if depth == 0 { break } }
            }
        }
        return out
    }

    /// `name ( args )` from the tokens of one attribute.
    func parseAttribute(_ toks: [String]) -> Attribute? {
        guard var name = toks.first, name.first?.isLetter == true || name.first == "_" else { return nil }
        if name.hasPrefix("__") && name.hasSuffix("__") && name.count > 4 { name = String(name.dropFirst(2).dropLast(2)) }
        // Attributes that only matter to clang's own checks, or that clang already folded into types.
        let known: Set<String> = ["noinline", "always_inline", "noreturn", "section", "weak", "alias", "visibility",
                                  "constructor", "destructor", "cleanup", "used", "unused", "cold", "hot", "aligned",
                                  "packed", "format", "nonnull", "malloc", "noclone", "noipa", "weakref", "optimize",
                                  "returns_twice", "nothrow", "leaf", "sentinel", "may_alias", "transparent_union",
                                  "const", "pure", "gnu_inline", "externally_visible", "no_instrument_function",
                                  "warn_unused_result", "deprecated", "artificial", "flatten", "target", "mode",
                                  "vector_size", "regparm", "stdcall", "cdecl", "fastcall", "ms_abi", "sysv_abi",
                                  "no_reorder", "nocommon", "common", "tls_model", "alloc_size", "format_arg",
                                  "nonstring", "access", "fallthrough", "designated_init", "scalar_storage_order",
                                  "error", "warning", "copy", "naked", "interrupt", "ifunc", "symver", "retain"]
        guard known.contains(name) else { return nil }
        if ["mode", "vector_size", "fallthrough", "deprecated", "format", "nonnull", "access", "alloc_size",
            "format_arg", "sentinel", "target", "optimize", "warning", "error"].contains(name) {
            return nil  // already in the types, or diagnostics only
        }
        var args: [String] = []
        if toks.count > 2, toks[1] == "(" {
            var depth = 0
            var cur: [String] = []
            for t in toks[1...] {
                if t == "(" { depth += 1; if depth == 1 { continue } }
                if t == ")" { depth -= 1; if depth == 0 { break } }
                if t == "," && depth == 1 { args.append(cur.joined(separator: " ")); cur = []; continue }
                cur.append(t)
            }
            if !cur.isEmpty { args.append(cur.joined(separator: " ")) }
        }
        return Attribute(name, args)
    }

    // MARK: Types

    func qualifiers(_ t: CXType) -> Qualifiers {
        var q: Qualifiers = []
        if t.isConst { q.insert(.const) }
        if t.isVolatile { q.insert(.volatile) }
        if t.isRestrict { q.insert(.restrict) }
        return q
    }

    func lowerType(_ t: CXType, at c: CXCursor) throws -> CType {
        let q = qualifiers(t)
        let base = try lowerUnqualified(t, at: c)
        if q.isEmpty { return base }
        if case .qualified(let inner, let q2) = base { return .qualified(inner, q.union(q2)) }
        return .qualified(base, q)
    }

    private func lowerUnqualified(_ t: CXType, at c: CXCursor) throws -> CType {
        switch t.kind {
        case CXType_Void: return .void
        case CXType_Bool: return .int(.bool)
        case CXType_Char_S, CXType_Char_U: return .int(.char)
        case CXType_SChar: return .int(.schar)
        case CXType_UChar: return .int(.uchar)
        case CXType_Short: return .int(.short)
        case CXType_UShort: return .int(.ushort)
        case CXType_Int: return .int(.int)
        case CXType_UInt: return .int(.uint)
        case CXType_Long: return .int(.long)
        case CXType_ULong: return .int(.ulong)
        case CXType_LongLong: return .int(.longlong)
        case CXType_ULongLong: return .int(.ulonglong)
        case CXType_Int128: return .int(.int128)
        case CXType_UInt128: return .int(.uint128)
        case CXType_Float: return .float(.float)
        case CXType_Double: return .float(.double)
        case CXType_LongDouble: return .float(.longDouble)
        case CXType_Float128: return .float(.float128)
        case CXType_WChar: return .int(.int)
        case CXType_Pointer:
            let p = t.pointee
            if isVaListTag(p) { return .vaList }
            return .pointer(try lowerType(p, at: c))
        case CXType_ConstantArray:
            return .array(try lowerType(clang_getArrayElementType(t), at: c), length: Int(clang_getArraySize(t)))
        case CXType_IncompleteArray:
            return .array(try lowerType(clang_getArrayElementType(t), at: c), length: nil)
        case CXType_VariableArray:
            if vlaAsIncomplete { return .array(try lowerType(clang_getArrayElementType(t), at: c), length: nil) }
            guard !pendingVLASizes.isEmpty else { throw unsupported(c, "variable-length array type in this position") }
            // libclang lists a declarator's size expressions innermost first.
            let len = pendingVLASizes.removeLast()
            return .vla(try lowerType(clang_getArrayElementType(t), at: c), length: len)
        case CXType_FunctionProto, CXType_FunctionNoProto:
            return .function(try lowerFunctionType(t, at: c))
        case CXType_Record:
            let decl = t.declaration
            if isVaListTagDecl(decl) { throw unsupported(c, "direct use of struct __va_list_tag") }
            return .record(try recordID(forDecl: decl))
        case CXType_Enum:
            return .enumeration(try enumID(forDecl: t.declaration))
        case CXType_Typedef:
            let decl = t.declaration
            let name = decl.spelling
            if name == "__builtin_va_list" { return .vaList }
            if let sizes = vlaTypedefSizes[DeclKey(decl)] {
                // A block-scope VLA typedef: its sizes were evaluated at its declaration.
                let saved = pendingVLASizes
                pendingVLASizes = sizes
                defer { pendingVLASizes = saved }
                return try lowerType(clang_getTypedefDeclUnderlyingType(decl), at: c)
            }
            if decl.loc.file.isEmpty || clang_getCursorSemanticParent(decl).kind != CXCursor_TranslationUnit {
                // Builtin typedefs (__int128_t, …) and block-scope typedefs: use what they name.
                return try lowerType(clang_getTypedefDeclUnderlyingType(decl), at: c)
            }
            if let id = try typedefID(decl) { return .typedef(id) }
            return try lowerType(clang_getTypedefDeclUnderlyingType(decl), at: c)
        case CXType_Elaborated:
            return try lowerType(clang_Type_getNamedType(t), at: c)
        case CXType_Attributed:
            return try lowerType(clang_Type_getModifiedType(t), at: c)
        case CXType_Complex:
            guard case .float(let k) = try lowerType(clang_getElementType(t), at: c) else {
                throw unsupported(c, "integer _Complex type")
            }
            return .complex(k)
        case CXType_Atomic:
            return .atomic(try lowerType(clang_Type_getValueType(t), at: c))
        case CXType_Vector, CXType_ExtVector:
            return .vector(try lowerType(clang_getElementType(t), at: c), count: Int(clang_getNumElements(t)))
        case CXType_Unexposed:
            let can = t.canonical
            if can.kind == CXType_Unexposed { throw unsupported(c, "type '\(t.spelling)'") }
            // typeof(x), decayed parameters, …: what they stand for.
            return try lowerType(can, at: c)
        default:
            throw unsupported(c, "type '\(t.spelling)'")
        }
    }

    func isVaListTagDecl(_ d: CXCursor) -> Bool { d.spelling == "__va_list_tag" && d.loc.file.isEmpty }
    func isVaListTag(_ t: CXType) -> Bool {
        let can = t.canonical
        return can.kind == CXType_Record && isVaListTagDecl(can.declaration)
    }

    func lowerFunctionType(_ t: CXType, at c: CXCursor) throws -> FunctionType {
        // In a prototype a VLA parameter's size is not part of the type: `int (*)[*]`.
        let saved = vlaAsIncomplete
        vlaAsIncomplete = true
        defer { vlaAsIncomplete = saved }
        let result = try lowerType(clang_getResultType(t), at: c)
        if t.kind == CXType_FunctionNoProto {
            return FunctionType(result: result, params: [], variadic: false, hasPrototype: false)
        }
        let n = Int(clang_getNumArgTypes(t))
        var params: [CType] = []
        for i in 0..<max(n, 0) { params.append(adjustParameter(try lowerType(clang_getArgType(t, UInt32(i)), at: c))) }
        return FunctionType(result: result, params: params, variadic: clang_isFunctionTypeVariadic(t) != 0, hasPrototype: true)
    }

    /// A parameter of array or function type is a pointer (C11 6.7.6.3p7–8);
    /// va_list keeps its name and decays by itself.
    func adjustParameter(_ t: CType) -> CType {
        switch program.unroll(t) {
        case .array(let e, _), .vla(let e, _): return .pointer(e)
        case .function: return .pointer(program.unroll(t))
        default: return t
        }
    }

    // MARK: Records

    func recordID(forDecl d0: CXCursor) throws -> RecordID {
        let key = DeclKey(d0)
        let def = clang_getCursorDefinition(d0)
        if let id = recordIDs[key] {
            if !def.isNull, !completedRecords.contains(id) { try completeRecord(id, def) }
            return id
        }
        let d = def.isNull ? d0 : def
        let kind: Record.Kind = d.kind == CXCursor_UnionDecl ? .union : .struct
        let isAnonMember = clang_Cursor_isAnonymousRecordDecl(d) != 0
        var tag = d.spelling
        if tag.isEmpty || tag.contains("(anonymous") || tag.contains("(unnamed") {
            // Named after where it is written, so the same header gives the same tag in every unit.
            tag = "__anon_\(kind.rawValue)_" + locationHash(d.loc)
        }
        // Tags are unique in the program: a block-scope struct may reuse a tag.
        var n = 1
        let written = tag
        while usedTags.contains("\(kind.rawValue) \(tag)") { n += 1; tag = "\(written)__\(n)" }
        usedTags.insert("\(kind.rawValue) \(tag)")
        let id = RecordID(program.records.count)
        recordIDs[key] = id
        program.records.append(Record(id: id, kind: kind, tag: tag, isAnonymousMember: isAnonMember, fields: nil,
                                      size: 0, align: 1, identity: recordIdentity(kind, written: written, tag: tag, d), loc: d.loc))
        if !def.isNull { try completeRecord(id, def) }
        return id
    }

    func locationHash(_ l: SourceLoc) -> String {
        String(String(fnv1a64("\(Lowerer.stableFileName(l.file)):\(l.line):\(l.column)"), radix: 16).prefix(10))
    }

    /// A header as every unit of a build names it, whatever the folder the unit is compiled in and
    /// the path it was included by: its path below the deepest folder it shares with the working
    /// directory. OpenSSH's `channels.h` is "./channels.h" to serverloop.c and "../channels.h" to
    /// openbsd-compat/port-net.c, compiled in its folder with -I..: "channels.h" to both; a system
    /// header is "usr/include/…" to every unit.
    static func stableFileName(_ path: String) -> String {
        guard !path.isEmpty else { return path }
        let cwd = FileManager.default.currentDirectoryPath
        let file = URL(fileURLWithPath: path.hasPrefix("/") ? path : cwd + "/" + path).standardizedFileURL.pathComponents
        let here = URL(fileURLWithPath: cwd).standardizedFileURL.pathComponents
        var k = 0
        while k < min(file.count - 1, here.count), file[k] == here[k] { k += 1 }
        return file[k...].joined(separator: "/")
    }

    /// A record's identity across translation units and versions: its tag;
    /// an untagged record has none, so where it is written stands in (the
    /// same header gives the same identity in every unit).
    func recordIdentity(_ kind: Record.Kind, written: String, tag: String, _ d: CXCursor) -> String {
        if !written.hasPrefix("__anon_") { return "\(kind.rawValue) \(written)" }
        let l = d.loc
        return "\(kind.rawValue) (anonymous at \(Lowerer.stableFileName(l.file)):\(l.line):\(l.column))"
    }

    private func completeRecord(_ id: RecordID, _ def: CXCursor) throws {
        completedRecords.insert(id)
        let t = def.type
        var fields: [Field] = []
        // Fields in order, including the unnamed field of an anonymous member.
        final class Box { var items: [CXCursor] = [] }
        let box = Box()
        withExtendedLifetime(box) {
            _ = clang_Type_visitFields(t, { c, ctx in
                Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().items.append(c)
                return CXVisit_Continue
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        for f in box.items {
            let ft = f.type
            let name = f.spelling
            let isBit = clang_Cursor_isBitField(f) != 0
            let lowered = try lowerType(ft, at: f)
            let anonymous = name.isEmpty || ((name.contains("(anonymous") || name.contains("(unnamed"))
                && clang_Cursor_isAnonymousRecordDecl(ft.canonical.declaration) != 0)
            fields.append(Field(name: anonymous ? nil : name, type: lowered,
                                bitWidth: isBit ? Int(clang_getFieldDeclBitWidth(f)) : nil,
                                offsetBits: Int(clang_Cursor_getOffsetOfField(f)),
                                attributes: attributes(of: f)))
        }
        program.records[id.index].fields = fields
        let size = t.sizeOf
        program.records[id.index].size = max(size, 0)
        program.records[id.index].align = max(t.alignOf, 1)
        var attrs = attributes(of: def).map { a -> Attribute in
            // aligned(N) as clang computed it: the written argument may be a macro or an expression.
            guard a.name == "aligned", !(a.args.first.map { Int($0) != nil } ?? false) else { return a }
            return Attribute("aligned", [String(t.alignOf)])
        }
        // `#pragma pack` leaves no attribute libclang shows: a record aligned
        // less than its fields, without `packed`, was defined under one.
        let natural = fields.filter { $0.name != nil || $0.bitWidth == nil }.compactMap { program.align(of: $0.type) }.max() ?? 1
        let hasAlignedField = fields.contains { f in f.attributes.contains { $0.name == "aligned" } }
        if t.alignOf < natural, !attrs.contains(where: { $0.name == "packed" }), !hasAlignedField {
            attrs.append(Attribute(Attribute.pragmaPack, [String(t.alignOf)]))
        }
        program.records[id.index].attributes = attrs
        program.records[id.index].loc = def.loc
    }

    // MARK: Enums and typedefs

    func enumID(forDecl d0: CXCursor) throws -> EnumID {
        let key = DeclKey(d0)
        if let id = enumIDs[key] { return id }
        let def = clang_getCursorDefinition(d0)
        let d = def.isNull ? d0 : def
        var tag = d.spelling
        if tag.isEmpty || tag.contains("(anonymous") || tag.contains("(unnamed") {
            anonCount += 1
            tag = "__anon_enum_\(anonCount)"
        }
        let items = d.children.filter { $0.kind == CXCursor_EnumConstantDecl }.map {
            (name: $0.spelling, value: Int64(clang_getEnumConstantDeclValue($0)))
        }
        let under = try lowerType(clang_getEnumDeclIntegerType(d), at: d)
        guard case .int(let k) = under else { throw unsupported(d, "enum with underlying type \(under)") }
        let id = EnumID(program.enums.count)
        enumIDs[key] = id
        program.enums.append(EnumDef(id: id, tag: tag, items: items, underlying: k, isComplete: !def.isNull,
                                     attributes: attributes(of: d), identity: "enum \(tag)", loc: d.loc))
        return id
    }

    func typedefID(_ d: CXCursor) throws -> TypedefID? {
        let key = DeclKey(d)
        if let id = typedefIDs[key] { return id }
        let under = clang_getTypedefDeclUnderlyingType(d)
        if under.canonical.kind == CXType_VariableArray { return nil }
        let name = d.spelling
        if name == "__builtin_va_list" { return nil }
        let type = try lowerType(under, at: d)
        if let existing = typedefIDs[key] { return existing }
        let id = TypedefID(program.typedefs.count)
        typedefIDs[key] = id
        program.typedefs.append(Typedef(id: id, name: name, type: type, identity: "typedef \(name)", loc: d.loc))
        return id
    }

    // MARK: Globals

    /// The global a declaration or a reference names; `declare` merges this
    /// declaration (type, storage, initializer) into it — references do not.
    func globalID(_ c: CXCursor, declare: Bool = false) throws -> GlobalID {
        let key = DeclKey(c)
        let storage = clang_Cursor_getStorageClass(c)
        if let id = globalIDs[key] {
            if declare { try updateGlobal(id, from: c) }
            return id
        }
        let isStatic = storage == CX_SC_Static
        let sourceName = c.spelling
        let inFunction = fn != nil && clang_getCursorSemanticParent(c).kind != CXCursor_TranslationUnit
        let name: String
        let ident: String
        if inFunction && isStatic, let f = fn {
            name = uniqueGlobalName("\(f.function.name)__\(sourceName)")
            ident = distinctStaticLocal(identity(sourceName, isStatic: true, function: f.function.sourceName))
        } else {
            name = uniqueGlobalName(sourceName)
            ident = identity(sourceName, isStatic: isStatic)
        }
        let id = GlobalID(program.globals.count)
        globalIDs[key] = id
        program.globals.append(GlobalVar(id: id, name: name, sourceName: sourceName, type: .int, storage: .extern,
                                         initializer: nil, identity: ident, loc: c.loc))
        appendOrder(.global(id))
        try updateGlobal(id, from: c)
        return id
    }

    /// Merges a (re)declaration into the global: the most complete type, the
    /// definition's storage and initializer.
    private func updateGlobal(_ id: GlobalID, from c: CXCursor) throws {
        let storage = clang_Cursor_getStorageClass(c)
        var g = program.globals[id.index]
        let t = try lowerType(c.type, at: c)
        if case .array(_, nil) = program.unroll(g.type) { g.type = t } else if g.loc == c.loc || g.storage == .extern { g.type = t }
        switch storage {
        case CX_SC_Static: g.storage = .static
        case CX_SC_Extern: if g.storage == .extern { g.storage = .extern }
        default: g.storage = g.storage == .static ? .static : .none
        }
        // A block-scope static is a definition even without an initializer.
        if storage == CX_SC_Static, fn != nil { g.storage = .static }
        if clang_getCursorTLSKind(c) != CXTLS_None { g.isThreadLocal = true }
        let attrs = attributes(of: c)
        for a in attrs where !g.attributes.contains(a) { g.attributes.append(a) }
        let initC = clang_Cursor_getVarDeclInitializer(c)
        if !initC.isNull, let initCursor = Optional(initC) {
            program.globals[id.index] = g
            let initializer = try lowerStaticInitializer(initCursor, type: t)
            g = program.globals[id.index]
            g.initializer = initializer
            g.type = t
            if g.storage == .extern { g.storage = .none }
            g.loc = c.loc
        }
        program.globals[id.index] = g
    }

    // MARK: Functions

    func functionID(_ c: CXCursor, define: Bool = false) throws -> FuncID {
        let key = DeclKey(c)
        let id: FuncID
        if let existing = funcIDs[key] {
            id = existing
        } else {
            let sourceName = c.spelling
            let storage = clang_Cursor_getStorageClass(c)
            let isStatic = storage == CX_SC_Static
            let fnType = try lowerFunctionType(c.type, at: c)
            id = FuncID(program.functions.count)
            funcIDs[key] = id
            let name = uniqueGlobalName(sourceName)
            program.functions.append(Function(id: id, name: name, sourceName: sourceName, type: fnType,
                                              storage: isStatic ? .static : .extern, identity: identity(sourceName, isStatic: isStatic),
                                              loc: c.loc))
            appendOrder(.function(id))
        }
        var f = program.functions[id.index]
        let storage = clang_Cursor_getStorageClass(c)
        if storage == CX_SC_Static || clang_getCursorLinkage(c) == CXLinkage_Internal { f.storage = .static }
        if clang_Cursor_isFunctionInlined(c) != 0 { f.isInline = true }
        if clang_getCursorSemanticParent(c).kind == CXCursor_TranslationUnit {
            let spec = declarationSpecifiers(c)
            var info = inlineInfo[id] ?? (allInline: true, anyExtern: false)
            info.allInline = info.allInline && spec.inline
            // clang's storage class counts too: a declaration written inside a macro (glibc's
            // __SYSMACROS_IMPL_TEMPL for gnu_dev_major: `__extension__ __extern_inline …`) has no such tokens.
            info.anyExtern = info.anyExtern || spec.extern || storage == CX_SC_Extern
            inlineInfo[id] = info
        }
        for a in attributes(of: c) where !f.attributes.contains(a) { f.attributes.append(a) }
        let t = try lowerFunctionType(c.type, at: c)
        if t.hasPrototype || !f.type.hasPrototype { f.type = t }
        program.functions[id.index] = f
        if define, clang_isCursorDefinition(c) != 0, program.functions[id.index].body == nil {
            try lowerFunctionBody(id, c)
        }
        return id
    }

    private func lowerFunctionBody(_ id: FuncID, _ c: CXCursor) throws {
        var f = program.functions[id.index]
        let storage = clang_Cursor_getStorageClass(c)
        // A definition: external unless static; `extern inline` keeps its meaning through isInline + extern.
        f.storage = storage == CX_SC_Static || clang_getCursorLinkage(c) == CXLinkage_Internal ? .static : .none
        f.loc = c.loc
        f.type = try lowerFunctionType(c.type, at: c)
        let b = FunctionBuilder(function: f)
        b.usedNames = []
        let saved = fn
        fn = b
        defer { fn = saved }
        let kids = c.children
        var params: [LocalID] = []
        let paramCursors = kids.filter { $0.kind == CXCursor_ParmDecl }
        for (i, p) in paramCursors.enumerated() {
            let name = p.spelling.isEmpty ? "__arg\(i)" : p.spelling
            var pt: CType
            if containsVLA(p.type) {
                // `int a[n][m]`: a pointer to `int[m]`, m read from the parameters already bound.
                pendingVLASizes = try p.children.filter { $0.isExpression }.map { try lowerExpr($0) }
                defer { pendingVLASizes = [] }
                pt = adjustParameter(try lowerType(p.type, at: p))
            } else {
                pt = adjustParameter(try lowerType(p.type, at: p))
                // A parameter declared with array or function type is a pointer (C11 6.7.6.3p7–8).
                if i < f.type.params.count { pt = f.type.params[i] }
            }
            let lid = b.addLocal(name: name, type: pt, isParam: true, isRegister: clang_Cursor_getStorageClass(p) == CX_SC_Register,
                                 attributes: attributes(of: p), loc: p.loc)
            b.localIDs[DeclKey(p)] = lid
            params.append(lid)
        }
        b.function.params = params
        guard let body = kids.last(where: { $0.kind == CXCursor_CompoundStmt }) else {
            throw unsupported(c, "function definition without a body")
        }
        let stmts = try b.collect { try lowerStmt(body) }
        // Size expressions of VLA parameters are evaluated on entry, before the body.
        let entry = b.blocks[0]
        b.function.body = entry.isEmpty && stmts.count == 1 ? stmts[0] : .block(entry + stmts)
        b.function.attributes = program.functions[id.index].attributes
        b.function.isInline = program.functions[id.index].isInline
        program.functions[id.index] = b.function
    }
}
