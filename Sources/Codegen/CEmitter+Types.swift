// Types: C declarators for arbitrary types, and record definitions in
// dependency order with layout assertions.

import Checker
import IR
import Instrument

extension Emitter {
    // MARK: Declarators

    /// A type name (abstract declarator): `int (*)[3]`.
    func typeName(_ t: CType) -> String { decl(t, "") }

    /// The declaration of `d` (a declarator, possibly empty) with type `t`.
    /// Built inside out: pointers prefix `*`, arrays and functions suffix, and
    /// a suffix applied to a declarator that starts with `*` needs parentheses.
    func decl(_ t: CType, _ d: String) -> String {
        switch t {
        case .void: return base("void", d)
        case .int(let k): return base(k.spelling, d)
        case .float(let k): return base(k.spelling, d)
        case .complex(let k): return base("_Complex " + k.spelling, d)
        case .vaList: return base("__builtin_va_list", d)
        case .record(let id): return base(recordSpecifier(id), d)
        case .enumeration(let id):
            guard id.index >= 0, id.index < p.enums.count else { return base("int", d) }
            return base(p.enums[id.index].underlying.spelling, d)
        case .typedef(let id):
            guard id.index >= 0, id.index < p.typedefs.count else { return base("int", d) }
            return decl(p.typedefs[id.index].type, d)
        case .atomic(let inner): return base("_Atomic(\(typeName(inner)))", d)
        case .vector: return base(vectorTypeName(t), d)
        case .pointer(let pt): return decl(pt, "*" + d)
        case .array(let e, let n): return decl(e, suffixable(d) + "[" + (n.map { String($0) } ?? "") + "]")
        case .vla(let e, let n):
            let len = starVLA > 0 || fn == nil ? "*" : expr(n)
            return decl(e, suffixable(d) + "[" + len + "]")
        case .function(let ft): return decl(ft.result, suffixable(d) + "(" + parameterTypes(ft) + ")")
        case .qualified(let inner, let q0):
            var q = q0
            var i = inner
            while true {
                if case .typedef(let id) = i, id.index >= 0, id.index < p.typedefs.count { i = p.typedefs[id.index].type; continue }
                if case .qualified(let j, let q2) = i { q.formUnion(q2); i = j; continue }
                break
            }
            switch i {
            case .pointer(let pt):
                let qs = qualifierString(q)
                return decl(pt, "*" + qs + (d.isEmpty || qs.isEmpty ? "" : " ") + d)
            case .array(let e, let n): return decl(.array(.qualified(e, q), length: n), d)
            case .vla(let e, let n): return decl(.vla(.qualified(e, q), length: n), d)
            case .function: return decl(i, d)
            default:
                q.remove(.restrict)
                let qs = qualifierString(q)
                return qs.isEmpty ? decl(i, d) : qs + " " + decl(i, d)
            }
        }
    }

    private func base(_ spec: String, _ d: String) -> String { d.isEmpty ? spec : spec + " " + d }
    private func suffixable(_ d: String) -> String { d.hasPrefix("*") ? "(" + d + ")" : d }

    func qualifierString(_ q: Qualifiers) -> String {
        var parts: [String] = []
        if q.contains(.const) { parts.append("const") }
        if q.contains(.volatile) { parts.append("volatile") }
        if q.contains(.restrict) { parts.append("__restrict") }
        return parts.joined(separator: " ")
    }

    /// The parameter list of a function type, names omitted.
    func parameterTypes(_ ft: FunctionType) -> String {
        if !ft.hasPrototype { return "" }
        if ft.params.isEmpty { return ft.variadic ? "..." : "void" }
        starVLA += 1
        defer { starVLA -= 1 }
        var s = ft.params.map { typeName(adjustParameter($0)) }.joined(separator: ", ")
        if ft.variadic { s += ", ..." }
        return s
    }

    /// A parameter of function type is a pointer to it (C11 6.7.6.3p8).
    func adjustParameter(_ t: CType) -> CType {
        if case .function = p.unroll(t) { return .pointer(t) }
        return t
    }

    func recordSpecifier(_ id: RecordID) -> String {
        guard id.index >= 0, id.index < p.records.count else { return "int" }
        let r = p.records[id.index]
        if vaTagRecords.contains(id.index) { return "__typeof__((*(__builtin_va_list *)0)[0])" }
        if r.isAnonymousMember { return anonymousRecordDefinition(r, indent: 1) }
        return (r.kind == .struct ? "struct " : "union ") + tags[id.index]
    }

    /// `typedef int __graft_vec_N __attribute__((vector_size(16)));`
    func vectorTypeName(_ t: CType) -> String {
        guard case .vector(let e0, let n) = t else { return "int" }
        let e = canonicalScalar(e0)
        let key = CType.vector(e, count: n)
        if let name = vectorNames[key] { return name }
        let name = "__graft_vec_\(vectorNames.count)"
        let bytes = (p.size(of: e) ?? 0) * n
        vectorNames[key] = name
        vectorDefs.append("typedef \(decl(e, name)) __attribute__((vector_size(\(bytes))));")
        return name
    }

    /// Typedefs, qualifiers, atomics and enums removed from a scalar type.
    func canonicalScalar(_ t: CType) -> CType {
        switch p.unroll(t) {
        case .enumeration(let id): return .int(p[id].underlying)
        case .atomic(let i): return canonicalScalar(i)
        case let u: return u
        }
    }

    // MARK: Records

    func emitRecords() {
        var forward: [String] = []
        for (i, r) in p.records.enumerated() where !r.isAnonymousMember && !vaTagRecords.contains(i) {
            forward.append((r.kind == .struct ? "struct " : "union ") + tags[i] + ";")
        }
        if !forward.isEmpty {
            line("")
            for f in forward { line(f) }
        }
        var state = [UInt8](repeating: 0, count: p.records.count)  // 0 new, 1 visiting, 2 done
        for i in p.records.indices { visitRecord(i, &state) }
    }

    private func visitRecord(_ i: Int, _ state: inout [UInt8]) {
        guard state[i] == 0 else { return }
        state[i] = 1
        let r = p.records[i]
        if !r.isAnonymousMember && !vaTagRecords.contains(i), let fields = r.fields {
            var deps: [Int] = []
            for f in fields { valueDependencies(f.type, &deps) }
            for d in deps where d != i { visitRecord(d, &state) }
            emitRecordDefinition(r)
        }
        state[i] = 2
    }

    /// Named records that `t` contains by value.
    func valueDependencies(_ t: CType, _ deps: inout [Int]) {
        switch t {
        case .record(let id):
            guard id.index >= 0, id.index < p.records.count else { return }
            let r = p.records[id.index]
            if r.isAnonymousMember {
                for f in r.fields ?? [] { valueDependencies(f.type, &deps) }
            } else if !vaTagRecords.contains(id.index) {
                deps.append(id.index)
            }
        case .array(let e, _), .vla(let e, _), .qualified(let e, _), .atomic(let e), .vector(let e, _):
            valueDependencies(e, &deps)
        case .typedef(let id):
            if id.index >= 0, id.index < p.typedefs.count { valueDependencies(p.typedefs[id.index].type, &deps) }
        case .vaList:
            break
        case .void, .int, .float, .complex, .pointer, .function, .enumeration:
            break
        }
    }

    func emitRecordDefinition(_ r: Record) {
        let kw = r.kind == .struct ? "struct" : "union"
        let name = "\(kw) \(tags[r.id.index])"
        line("")
        let pack = r.attributes.first { $0.name == Attribute.pragmaPack }?.args.first
        if let pack { line("#pragma pack(push, \(pack))") }
        line("\(name) {")
        for f in r.fields ?? [] { line(fieldDeclaration(f, indent: 1), 1) }
        let attrs = attributes(r.attributes)
        line("}" + (attrs.isEmpty ? "" : " " + attrs) + ";")
        if pack != nil { line("#pragma pack(pop)") }
        // clang's layout, checked by the compiler that builds the output
        // (wrapped or not: REP-1, wrapping changes no layout).
        line("_Static_assert(sizeof(\(name)) == \(r.size), \"graft: size of \(name)\");")
        line("_Static_assert(_Alignof(\(name)) == \(r.align), \"graft: alignment of \(name)\");")
        for (fname, off) in namedFieldOffsets(r, base: 0) where off % 8 == 0 {
            line("_Static_assert(__builtin_offsetof(\(name), \(fname)) == \(off / 8), \"graft: offset of \(name).\(fname)\");")
        }
        if let wrapTag = wrapping.tags[r.id] { emitWrapped(r, tag: wrapTag) }
    }

    // MARK: Type wrapping (Wrapping.swift, Specs/representation.md)

    func conName(_ id: RecordID) -> String { "graft_con_" + tags[id.index] }
    func typeInfoName(_ id: RecordID) -> String { "graft_type_" + tags[id.index] }
    func pinnedName(_ id: RecordID, _ k: Int) -> String { "graft_pin_" + tags[id.index] + "_\(k)" }
    func tagLiteral(_ t: UInt32) -> String { "0x" + String(t, radix: 16) + "u" }
    /// The type's state, shared by every build in the process under a name
    /// derived from its stable identity.
    func stateName(_ id: RecordID) -> String { TypeWrapping.stateSymbol(p[id].identity) }
    /// Whether the running program already has `id` (this is a patch's code
    /// for a type of the program): its state is the program's, and objects
    /// this code makes may be of a newer representation than the base.
    func isExisting(_ id: RecordID) -> Bool { wrapping.existing.contains(id) }

    /// A wrapped record's state, its type description for the runtime, and
    /// its con function (REP-1, REP-2).
    func emitWrapped(_ r: Record, tag: UInt32) {
        let t = "struct " + tags[r.id.index], st = stateName(r.id)
        if isExisting(r.id) {
            line("extern struct graft_type_state \(st);")
        } else {
            line("struct graft_type_state \(st);")
        }
        // REP-8: the pinned fields, by name, where this build's layout puts them.
        let pins = (wrapping.pinned[r.id] ?? []).compactMap { k in r.fields.flatMap { $0.indices.contains(k) ? $0[k].name.map { (k, $0) } : nil } }
        let pinTable = "graft_pins_" + tags[r.id.index]
        if !pins.isEmpty {
            line("static const struct graft_pin \(pinTable)[] = { " + pins.map { "{ \(cString(Array($0.1.utf8))), __builtin_offsetof(\(t), \($0.1)) }" }.joined(separator: ", ") + " };")
        }
        line("static const struct graft_type \(typeInfoName(r.id)) = { \(cString(Array(r.identity.utf8))), \(tagLiteral(tag)), sizeof(\(t)), &\(st), \(pins.count), \(pins.isEmpty ? "0" : pinTable) };")
        // REP-2: steady state pays one load of a word that stays NULL until a patch changes the type.
        line("static inline __attribute__((always_inline, unused)) \(t) *\(conName(r.id))(const volatile \(t) *graft_p) {")
        line("if (__builtin_expect(\(st).pending == 0, 1)) return (\(t) *)graft_p;", 1)
        line("return (\(t) *)graft_con(&\(typeInfoName(r.id)), (void *)graft_p);", 1)
        line("}")
        // REP-8: each pinned field, where the object's own layout put it.
        for (i, (k, name)) in pins.enumerated() {
            line("static inline __attribute__((always_inline, unused)) void *\(pinnedName(r.id, k))(const volatile \(t) *graft_p) {")
            line("if (__builtin_expect(\(st).pending == 0, 1)) return (char *)graft_p + __builtin_offsetof(\(t), \(name));", 1)
            line("return graft_pinned(&\(typeInfoName(r.id)), (void *)graft_p, \(i));", 1)
            line("}")
        }
    }

    /// A statement that records the new object at address `obj` as being of
    /// this code's representation of `id`, once the type is pending (REP-3).
    func note(_ obj: String, _ id: RecordID, always: Bool = false) -> String {
        guard wrapping.tags[id] != nil else { return "" }
        let call = "graft_note(&" + typeInfoName(id) + ", " + obj + ");"
        return always ? call : "if (__builtin_expect(" + stateName(id) + ".pending != 0, 0)) " + call
    }

    /// Statements that record every wrapped object inside the object `obj`
    /// of type `t` — itself, the wrapped records it holds by value, and the
    /// elements of arrays of them — as made by this code (REP-3).
    func notes(_ obj: String, _ t: CType, depth: Int = 0) -> [String] {
        guard !wrapping.isEmpty, depth < 8 else { return [] }
        var u = p.unroll(t)
        while case .qualified(let inner, _) = u { u = p.unroll(inner) }
        switch u {
        case .record(let id):
            var out: [String] = []
            if wrapping.tags[id] != nil { out.append(note(obj, id)) }
            for f in p[id].fields ?? [] {
                guard let n = f.name, f.bitWidth == nil else { continue }
                out += notes("&(" + obj + ")->" + n, f.type, depth: depth + 1)
            }
            return out
        case .array(let e, let n?):
            let inner = notes("&(*(" + obj + "))[graft_i\(depth)]", e, depth: depth + 1)
            guard !inner.isEmpty else { return [] }
            return ["for (unsigned long graft_i\(depth) = 0; graft_i\(depth) < \(n)UL; graft_i\(depth)++) { " + inner.joined(separator: " ") + " }"]
        default:
            return []
        }
    }

    /// A patch's transforms: the default copies straight into the new value
    /// (zeroed by the runtime), then the programmer's transformer on it.
    func emitTypeUpdates() {
        var rows: [String] = []
        for u in typeUpdates {
            guard let tag = wrapping.tags[u.newRecord] else { continue }
            let nr = p[u.newRecord], old = p[u.oldLayout]
            let t = "struct " + tags[nr.id.index], ol = "struct " + tags[old.id.index]
            let fn = "graft_tf_" + tags[nr.id.index]
            line("")
            line("/* graft: \(nr.identity) from representation \(tagLiteral(u.fromTag)) to \(tagLiteral(tag)). */")
            line("static void \(fn)(const void *graft_o, void *graft_n) {")
            line("const \(ol) *o = (const \(ol) *)graft_o;", 1)
            line("\(t) *n = (\(t) *)graft_n;", 1)
            for c in u.copies {
                guard let nf = nr.fields?[c.new], let of = old.fields?[c.old], let on = of.name else { continue }
                guard let nn = nf.name else {
                    // An anonymous member laid out the same: its bytes, where the new layout has it.
                    line("__builtin_memcpy((char *)n + \(nf.offsetBits / 8), &o->\(on), sizeof o->\(on));", 1)
                    continue
                }
                if case .array = p.unroll(nf.type) {
                    line("__builtin_memcpy(&n->\(nn), &o->\(on), sizeof n->\(nn));", 1)
                } else {
                    line("n->\(nn) = o->\(on);", 1)
                }
            }
            // REP-7: a wrapped record held by value converts through its own representation, and its entry moves with it.
            for e in u.inner {
                guard let nn = nr.fields?[e.new].name, let on = old.fields?[e.old].name, wrapping.tags[e.record] != nil else { continue }
                let info = "&" + typeInfoName(e.record), at = "__builtin_offsetof(\(ol), \(on))"
                if e.count == 1 {
                    line("graft_con_inner(\(info), \(at), &n->\(nn));", 1)
                } else {
                    let rt = "struct " + tags[e.record.index]
                    line("for (unsigned long graft_i = 0; graft_i < \(e.count)UL; graft_i++)", 1)
                    line("graft_con_inner(\(info), \(at) + graft_i * (sizeof o->\(on) / \(e.count)UL), &((\(rt) *)&n->\(nn))[graft_i]);", 2)
                }
            }
            for i in u.initials {
                guard let name = nr.fields?[i.field].name else { continue }
                line("n->\(name) = \(expr(i.value));", 1)
            }
            if let f = u.userTransformer {
                let param = p.functions[f.index].type.params.first.map(typeName) ?? "void *"
                line("\(functionName(f))((\(param))(void *)o, n);", 1)
            }
            line("}")
            rows.append("{ \(cString(Array(nr.identity.utf8))), \(tagLiteral(u.fromTag)), \(tagLiteral(tag)), sizeof(\(ol)), sizeof(\(t)), _Alignof(\(t)), \(fn), \(u.extends ? 1 : 0) }")
        }
        line("")
        line("static const struct graft_type_update graft_type_updates[] = {")
        for r in rows { line(r + ",", 1) }
        line("};")
    }

    /// `graft_wrapped_types[]`: emitted after every record is defined. The
    /// types the running program already has (a patch's `wrapping.existing`)
    /// come first; `graft_n_existing_wrapped_types` counts them.
    func wrappedTypeList() -> String {
        let ids = wrapping.tags.keys.sorted { a, b in
            let ea = wrapping.existing.contains(a), eb = wrapping.existing.contains(b)
            return ea != eb ? ea : a.index < b.index
        }
        var s = "\n/* graft: the wrapped types of this code. */\n"
        s += "static const struct graft_type *const graft_wrapped_types[] = { "
        s += ids.isEmpty ? "0" : ids.map { "&" + typeInfoName($0) }.joined(separator: ", ")
        s += " };\n/* Integer constant expressions: a patch's descriptor is initialized with them. */\n"
        s += "enum { graft_n_wrapped_types = \(ids.count), graft_n_existing_wrapped_types = \(ids.filter { wrapping.existing.contains($0) }.count) };\n"
        return s
    }

    /// The wrapped record `t` is (through typedefs and qualifiers), if any.
    func wrappedRecord(_ t: CType) -> RecordID? { wrapping.wrappedRecord(t, in: p) }

    /// Names reachable directly in `r` (through anonymous members) that are
    /// not bit-fields, with their offsets in bits.
    private func namedFieldOffsets(_ r: Record, base: Int) -> [(String, Int)] {
        var result: [(String, Int)] = []
        for f in r.fields ?? [] {
            if let n = f.name {
                if f.bitWidth == nil { result.append((n, base + f.offsetBits)) }
            } else if case .record(let id) = p.unroll(f.type), id.index < p.records.count, p.records[id.index].isAnonymousMember {
                result += namedFieldOffsets(p.records[id.index], base: base + f.offsetBits)
            }
        }
        return result
    }

    func fieldDeclaration(_ f: Field, indent: Int) -> String {
        var s: String
        if f.name == nil, f.bitWidth == nil, case .record(let id) = p.unroll(f.type), id.index < p.records.count,
           p.records[id.index].isAnonymousMember {
            s = anonymousRecordDefinition(p.records[id.index], indent: indent)
            let q = qualifierString(p.qualifiers(f.type).subtracting(.restrict))
            if !q.isEmpty { s = q + " " + s }
        } else {
            s = decl(f.type, f.name ?? "")
            if let w = f.bitWidth { s += " : \(w)" }
        }
        let attrs = attributes(f.attributes)
        if !attrs.isEmpty { s += " " + attrs }
        return s + ";"
    }

    /// `struct { … } __attribute__((…))` written in place of an anonymous member.
    func anonymousRecordDefinition(_ r: Record, indent: Int) -> String {
        let pad = String(repeating: "    ", count: indent)
        var s = (r.kind == .struct ? "struct" : "union") + " {\n"
        for f in r.fields ?? [] { s += pad + "    " + fieldDeclaration(f, indent: indent + 1) + "\n" }
        s += pad + "}"
        let attrs = attributes(r.attributes)
        if !attrs.isEmpty { s += " " + attrs }
        return s
    }

    /// `t` without the `const` a local's declaration must not carry when the
    /// IR assigns to it (top level and array elements; not behind pointers).
    func droppingConst(_ t: CType) -> CType {
        switch t {
        case .typedef(let id):
            guard id.index >= 0, id.index < p.typedefs.count else { return t }
            let u = p.typedefs[id.index].type
            let d = droppingConst(u)
            return d == u ? t : d
        case .qualified(let inner, let q):
            let i = droppingConst(inner)
            let q2 = q.subtracting(.const)
            return q2.isEmpty ? i : .qualified(i, q2)
        case .array(let e, let n): return .array(droppingConst(e), length: n)
        case .vla(let e, let n): return .vla(droppingConst(e), length: n)
        default: return t
        }
    }
}
