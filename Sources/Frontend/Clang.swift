// Thin Swift access to libclang cursors, types and tokens. Nothing outside
// the Frontend sees a libclang type: `Frontend.lower` returns IR values.

import CClang
import Foundation
import IR

/// Owns an index and a parsed translation unit; frees both on deinit.
final class ParsedUnit {
    let index: CXIndex
    let tu: CXTranslationUnit
    let file: String

    init(file: String, arguments: [String]) throws {
        let index = clang_createIndex(0, 0)!
        self.index = index
        var args = ["-x", "c"] + arguments
        if !arguments.contains(where: { $0.hasPrefix("-std=") }) { args.append("-std=gnu17") }
        // Our own header: graft_update_point() becomes a real call in graft builds.
        args.append("-D__GRAFT__=1")
        // Accept what gcc-12 accepts with a warning (old C in real code and in gcc's own tests).
        args += ["-Wno-error=implicit-function-declaration", "-Wno-error=implicit-int", "-Wno-error=int-conversion",
                 "-Wno-error=incompatible-pointer-types", "-Wno-error=return-type",
                 "-Wno-error=incompatible-function-pointer-types", "-Wno-error=return-mismatch"]
        let cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        defer { cArgs.forEach { free($0) } }
        var unit: CXTranslationUnit?
        let err = cArgs.withUnsafeBufferPointer { buf -> CXErrorCode in
            buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) { p in
                clang_parseTranslationUnit2(index, file, p, Int32(buf.count), nil, 0,
                                            UInt32(CXTranslationUnit_None.rawValue), &unit)
            }
        }
        guard err == CXError_Success, let unit else {
            clang_disposeIndex(index)
            throw Diagnostics([Diagnostic(.error, SourceLoc(file: file, line: 0, column: 0),
                                          "cannot parse (libclang error \(err.rawValue)): is the file readable?")])
        }
        tu = unit
        self.file = file
    }

    deinit {
        clang_disposeTranslationUnit(tu)
        clang_disposeIndex(index)
    }

    var root: CXCursor { clang_getTranslationUnitCursor(tu) }

    /// clang's errors (and fatal errors) as diagnostics.
    func errors() -> [Diagnostic] {
        var out: [Diagnostic] = []
        for i in 0..<clang_getNumDiagnostics(tu) {
            let d = clang_getDiagnostic(tu, i)
            defer { clang_disposeDiagnostic(d) }
            let sev = clang_getDiagnosticSeverity(d)
            guard sev == CXDiagnostic_Error || sev == CXDiagnostic_Fatal else { continue }
            let loc = Loc.of(clang_getDiagnosticLocation(d))
            out.append(Diagnostic(.error, loc, string(clang_getDiagnosticSpelling(d))))
        }
        return out
    }

    /// The tokens of a source range, as strings.
    func tokens(_ range: CXSourceRange) -> [String] {
        var toks: UnsafeMutablePointer<CXToken>?
        var n: UInt32 = 0
        clang_tokenize(tu, range, &toks, &n)
        guard let toks else { return [] }
        defer { clang_disposeTokens(tu, toks, n) }
        return (0..<Int(n)).map { string(clang_getTokenSpelling(tu, toks[$0])) }
    }

    /// Tokens with their kinds and file offsets.
    func tokensWithOffsets(_ range: CXSourceRange) -> [(text: String, kind: CXTokenKind, offset: Int)] {
        var toks: UnsafeMutablePointer<CXToken>?
        var n: UInt32 = 0
        clang_tokenize(tu, range, &toks, &n)
        guard let toks else { return [] }
        defer { clang_disposeTokens(tu, toks, n) }
        return (0..<Int(n)).map { i in
            var off: UInt32 = 0
            clang_getSpellingLocation(clang_getTokenLocation(tu, toks[i]), nil, nil, nil, &off)
            return (string(clang_getTokenSpelling(tu, toks[i])), clang_getTokenKind(toks[i]), Int(off))
        }
    }

    /// The first token written at the spelling location of `c` (looks
    /// through macro expansions to the text that produced the cursor).
    func firstSpelledToken(_ c: CXCursor) -> String? {
        spelledTokens(c, bytes: 256).first
    }

    /// Where `c`'s spelling starts: its file, the byte offset there, and
    /// the file's text (libclang's buffer, alive as long as the unit).
    func spellingStart(_ c: CXCursor) -> (file: CXFile, offset: Int, text: UnsafeRawBufferPointer)? {
        var file: CXFile?
        var off: UInt32 = 0
        clang_getSpellingLocation(clang_getRangeStart(clang_getCursorExtent(c)), &file, nil, nil, &off)
        guard let file else { return nil }
        var size = 0
        guard let buf = clang_getFileContents(tu, file, &size) else { return nil }
        return (file, Int(off), UnsafeRawBufferPointer(start: buf, count: size))
    }

    /// The range of `file` between two byte offsets.
    func range(in file: CXFile, _ from: Int, _ to: Int) -> CXSourceRange {
        clang_getRange(clang_getLocationForOffset(tu, file, UInt32(from)), clang_getLocationForOffset(tu, file, UInt32(to)))
    }

    /// The tokens written from the spelling location of `c` on (up to
    /// `bytes` of text): what a macro expansion's cursor was written as.
    func spelledTokens(_ c: CXCursor, bytes: Int) -> [String] {
        guard let s = spellingStart(c) else { return [] }
        return tokens(range(in: s.file, s.offset, min(s.text.count, s.offset + bytes)))
    }

    /// The tokens of `c`'s extent as written at the place it is expanded
    /// (for a statement written through a macro: the macro's name and
    /// arguments), empty when the extent does not lie in one file.
    func expansionTokens(_ c: CXCursor) -> [String] {
        let r = clang_getCursorExtent(c)
        var f1: CXFile?, f2: CXFile?
        var o1: UInt32 = 0, o2: UInt32 = 0
        clang_getExpansionLocation(clang_getRangeStart(r), &f1, nil, nil, &o1)
        clang_getExpansionLocation(clang_getRangeEnd(r), &f2, nil, nil, &o2)
        guard let f1, let f2, clang_File_isEqual(f1, f2) != 0, o2 >= o1 else { return [] }
        return tokens(range(in: f1, Int(o1), Int(o2)))
    }

    /// The tokens of the logical line (a macro's body) from where `c`'s
    /// spelling starts.
    func spelledLine(_ c: CXCursor) -> [String] {
        guard let s = spellingStart(c) else { return [] }
        let bytes = s.text
        var end = s.offset, prev: UInt8 = 0
        while end < bytes.count, !(bytes[end] == 10 && prev != 92) { if bytes[end] != 13 { prev = bytes[end] }; end += 1 }
        return tokens(range(in: s.file, s.offset, end))
    }

    /// The statement whose expansion `c` is, as written where its spelling
    /// starts (a macro's body), up to the `)` that closes its first `(`;
    /// nil when that text is not on one logical line (a macro body ends at
    /// a newline without a backslash before it), so the statement was not
    /// written whole in one place.
    func spelledStatement(_ c: CXCursor) -> [String]? {
        guard let s = spellingStart(c) else { return nil }
        let bytes = s.text
        var depth = 0, out: [String] = []
        for t in tokensWithOffsets(range(in: s.file, s.offset, min(bytes.count, s.offset + 16384))) {
            out.append(t.text)
            if t.text == "(" { depth += 1 }
            guard t.text == ")" else { continue }
            depth -= 1
            guard depth == 0 else { continue }
            // No line ends on the way, except escaped ones.
            var prev: UInt8 = 0
            for k in s.offset..<min(bytes.count, t.offset) {
                if bytes[k] == 10 && prev != 92 && prev != 13 { return nil }
                if bytes[k] != 13 { prev = bytes[k] }
            }
            return out
        }
        return nil
    }
}

func string(_ s: CXString) -> String {
    defer { clang_disposeString(s) }
    guard let p = clang_getCString(s) else { return "" }
    return String(cString: p)
}

enum Loc {
    /// The expansion location: where the user wrote it (a macro's use site).
    static func of(_ l: CXSourceLocation) -> SourceLoc {
        var file: CXFile?
        var line: UInt32 = 0, col: UInt32 = 0
        clang_getExpansionLocation(l, &file, &line, &col, nil)
        let name = file.map { string(clang_getFileName($0)) } ?? ""
        return SourceLoc(file: name, line: Int(line), column: Int(col))
    }
}

extension CXCursor {
    var children: [CXCursor] {
        final class Box { var items: [CXCursor] = [] }
        let box = Box()
        withExtendedLifetime(box) {
            _ = clang_visitChildren(self, { c, _, ctx in
                Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().items.append(c)
                return CXChildVisit_Continue
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.items
    }
    var spelling: String { string(clang_getCursorSpelling(self)) }
    var type: CXType { clang_getCursorType(self) }
    var loc: SourceLoc { Loc.of(clang_getCursorLocation(self)) }
    var isNull: Bool { clang_Cursor_isNull(self) != 0 }
    var referenced: CXCursor { clang_getCursorReferenced(self) }
    var canonical: CXCursor { clang_getCanonicalCursor(self) }
    var kindName: String { string(clang_getCursorKindSpelling(self.kind)) }
    var isExpression: Bool { clang_isExpression(self.kind) != 0 }
    var isStatement: Bool { clang_isStatement(self.kind) != 0 }
    var isDeclaration: Bool { clang_isDeclaration(self.kind) != 0 }
    var isAttribute: Bool { clang_isAttribute(self.kind) != 0 }
    /// The clang `Decl*` of a declaration cursor: an exact identity.
    var declPointer: UnsafeRawPointer? { data.0 }
    /// The clang `Stmt*` of a statement or expression cursor.
    var stmtPointer: UnsafeRawPointer? { data.1 }
}

extension CXType {
    var canonical: CXType { clang_getCanonicalType(self) }
    var spelling: String { string(clang_getTypeSpelling(self)) }
    var pointee: CXType { clang_getPointeeType(self) }
    var isConst: Bool { clang_isConstQualifiedType(self) != 0 }
    var isVolatile: Bool { clang_isVolatileQualifiedType(self) != 0 }
    var isRestrict: Bool { clang_isRestrictQualifiedType(self) != 0 }
    var sizeOf: Int { Int(clang_Type_getSizeOf(self)) }
    var alignOf: Int { Int(clang_Type_getAlignOf(self)) }
    var declaration: CXCursor { clang_getTypeDeclaration(self) }
}

/// Keys for declarations: the clang `Decl*` of the canonical declaration.
struct DeclKey: Hashable {
    let pointer: UnsafeRawPointer?
    init(_ c: CXCursor) { pointer = c.canonical.declPointer }
}

/// Evaluates a constant expression cursor.
enum Eval {
    enum Value { case int(Int64, unsigned: Bool), float(Double), string(String) }
    static func of(_ c: CXCursor) -> Value? {
        guard let r = clang_Cursor_Evaluate(c) else { return nil }
        defer { clang_EvalResult_dispose(r) }
        switch clang_EvalResult_getKind(r) {
        case CXEval_Int:
            if clang_EvalResult_isUnsignedInt(r) != 0 {
                return .int(Int64(bitPattern: UInt64(clang_EvalResult_getAsUnsigned(r))), unsigned: true)
            }
            return .int(Int64(clang_EvalResult_getAsLongLong(r)), unsigned: false)
        case CXEval_Float: return .float(clang_EvalResult_getAsDouble(r))
        case CXEval_StrLiteral: return clang_EvalResult_getAsStr(r).map { .string(String(cString: $0)) }
        default: return nil
        }
    }
    static func int(_ c: CXCursor) -> Int64? {
        if case .int(let v, _)? = of(c) { return v }
        return nil
    }
}
