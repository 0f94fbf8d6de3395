// The type transformer checker (Specs/transformers.md): the two real
// transformers of examples/kvstore pass; each rule TRANS-n refuses a
// transformer that breaks it, naming the culprit in C terms.

import Foundation
import Testing
import IR
import Frontend
import Checker
import Codegen

@Suite("Type transformer checks (TRANS-*)")
struct TransformerCheckTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func record(_ tag: String, in p: Program) throws -> Record {
        try #require(p.records.first { $0.tag == tag && $0.fields != nil }, "no struct \(tag)")
    }

    /// Lowers `examples/kvstore/<new>/transformers.c` and `<old>/db.c`, and checks `graft_transform_<tag>`.
    static func checkExample(new: String, old: String, tag: String, defaultable: Set<String>) throws -> [Diagnostic] {
        let ex = repo + "/examples/kvstore/"
        let p = try Frontend.lower(file: ex + new + "/transformers.c", arguments: ["-I", ex + new])
        let oldP = try Frontend.lower(file: ex + old + "/db.c", arguments: ["-I", ex + old])
        let f = try #require(p.functions.first { $0.name == "graft_transform_" + tag && $0.isDefinition })
        return TransformerCheck.check(f, in: p, newRecord: try record(tag, in: p).id,
                                      oldLayout: try record(tag, in: oldP), oldProgram: oldP, defaultable: defaultable)
    }

    @Test("the v4 → v5 struct entry transformer passes")
    func kvstoreEntry() throws {
        let d = try Self.checkExample(new: "v5", old: "v4", tag: "entry", defaultable: ["key", "expire_at_ms", "next"])
        #expect(d.isEmpty, "\(d)")
    }

    @Test("the v2 → v3 struct dict transformer passes")
    func kvstoreDict() throws {
        let d = try Self.checkExample(new: "v3", old: "v2", tag: "dict", defaultable: [])
        #expect(d.isEmpty, "\(d)")
    }

    @Test("the v3 dict transformer without its write of rehash_idx is refused [TRANS-4]")
    func kvstoreDictIncomplete() throws {
        // Same old layout, a transformer that forgets rehash_idx.
        let ex = Self.repo + "/examples/kvstore/"
        let src = try String(contentsOfFile: ex + "v3/transformers.c", encoding: .utf8)
            .replacingOccurrences(of: "new->rehash_idx = -1;", with: "")
        let (p, _) = try lower(src, name: "transformers.c", flags: ["-I", ex + "v3"])
        let (oldP, _) = try lower(try String(contentsOfFile: ex + "v2/db.c", encoding: .utf8), name: "db.c", flags: ["-I", ex + "v2"])
        let f = try #require(p.functions.first { $0.name == "graft_transform_dict" && $0.isDefinition })
        let d = TransformerCheck.check(f, in: p, newRecord: try Self.record("dict", in: p).id,
                                       oldLayout: try Self.record("dict", in: oldP), oldProgram: oldP, defaultable: [])
        #expect(d.map(\.rule) == ["TRANS-4"])
        #expect(d.first?.message.contains("new->rehash_idx") == true, "\(d)")
    }

    // MARK: Snippets

    /// OLD: struct item { int id; char name[8]; long count; }.
    static let oldSource = """
        struct item { int id; char name[8]; long count; };
        struct item the_item;
        """

    /// NEW: `count` renamed `total`, `flags` and `ref` added; `id`, `name` are defaultable.
    static func newSource(body: String, x: String = "int id; char name[8]; long count;", extra: String = "") -> String {
        """
        #include <stdlib.h>
        #include <string.h>
        struct item { int id; char name[8]; long total; int flags; void *ref; };
        struct item_old { \(x) };
        int counter;
        extern void log_it(const char *msg);
        static void keep(void *p) { (void)p; }
        \(extra)
        void graft_transform_item(struct item_old *old, struct item *new) {
        \(body)
        }
        """
    }

    static let valid = """
            new->total = old->count;
            new->flags = 0;
            new->ref = NULL;
        """

    /// Lowers OLD and NEW and checks the transformer; returns its diagnostics.
    static func check(_ body: String, x: String = "int id; char name[8]; long count;", extra: String = "",
                      function: String = "graft_transform_item") throws -> [Diagnostic] {
        let (oldP, _) = try lower(oldSource, name: "old.c")
        let (p, _) = try lower(newSource(body: body, x: x, extra: extra), name: "transformers.c")
        let f = try #require(p.functions.first { $0.name == function && $0.isDefinition })
        return TransformerCheck.check(f, in: p, newRecord: try record("item", in: p).id,
                                      oldLayout: try record("item", in: oldP), oldProgram: oldP, defaultable: ["id", "name"])
    }

    /// Exactly one rule fires, and every message names `culprit`.
    static func expectRefused(_ d: [Diagnostic], _ rule: String, naming culprit: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!d.isEmpty, "expected \(rule)", sourceLocation: sourceLocation)
        #expect(Set(d.compactMap(\.rule)) == [rule], "\(d)", sourceLocation: sourceLocation)
        #expect(d.contains { $0.message.contains(culprit) }, "no message names \(culprit): \(d)", sourceLocation: sourceLocation)
        #expect(d.allSatisfy { $0.loc.line > 0 }, "\(d)", sourceLocation: sourceLocation)
    }

    @Test("a transformer that writes the new value's fields, reads old and allocates passes")
    func validSnippets() throws {
        #expect(try Self.check(Self.valid).isEmpty)
        let rich = """
                const char *n = old->name;          /* a pointer into old, kept in a local: fine */
                size_t len = strlen(old->name);
                char *copy = malloc(len + 1);
                if (!copy) abort();
                memcpy(copy, n, len);
                copy[len] = 0;
                memcpy(new->name, old->name, sizeof new->name);
                memset(new->name, 0, 8);
                new->total = old->count + (long)len + (n == old->name);
                new->flags = new->id > 0 ? 1 : 0;
                new->ref = copy;
                new->name[7] = 0;
                keep(copy);
            """
        let d = try Self.check(rich)
        #expect(d.isEmpty, "\(d)")
    }

    // MARK: TRANS-1

    @Test("TRANS-1: reading a field the old type does not have is refused at X's declaration")
    func readsMissingOldField() throws {
        let d = try Self.check(Self.valid + "new->flags = (int)old->bogus;", x: "int id; char name[8]; long count; long bogus;")
        Self.expectRefused(d, "TRANS-1", naming: "old->bogus")
        #expect(d.first?.message.contains("struct item_old") == true)
    }

    @Test("TRANS-1: X must lay out the old fields at their old offsets and types; the signature is fixed")
    func oldLayoutAndSignature() throws {
        // `count` at the wrong offset (name dropped).
        Self.expectRefused(try Self.check(Self.valid, x: "int id; long count;"), "TRANS-1", naming: "old->count")
        // `count` with another type.
        Self.expectRefused(try Self.check(Self.valid, x: "int id; char name[8]; int count;"), "TRANS-1", naming: "old->count")
        // `name` with another length.
        Self.expectRefused(try Self.check(Self.valid, x: "int id; char name[4]; long count;"), "TRANS-1", naming: "old->name")
        // A transformer that returns a value, and one with three parameters.
        let extra = """
            int graft_transform_bad(struct item_old *old, struct item *new) { return 0; }
            void graft_transform_three(struct item_old *old, struct item *new, int k) { }
            void graft_transform_swapped(struct item *new, struct item_old *old) { }
            """
        for fn in ["graft_transform_bad", "graft_transform_three", "graft_transform_swapped"] {
            let d = try Self.check(Self.valid, extra: extra, function: fn)
            #expect(d.contains { $0.rule == "TRANS-1" && $0.message.contains(fn) }, "\(fn): \(d)")
        }
    }

    // MARK: TRANS-2

    @Test("TRANS-2: writing through old is refused")
    func writesThroughOld() throws {
        Self.expectRefused(try Self.check(Self.valid + "old->count = 0;"), "TRANS-2", naming: "old->count")
        Self.expectRefused(try Self.check(Self.valid + "memset(old->name, 0, 8);"), "TRANS-2", naming: "old->name")
        Self.expectRefused(try Self.check(Self.valid + "char *q = old->name; q[1] = 'x';"), "TRANS-2", naming: "q[1]")
    }

    @Test("TRANS-2: writing a global is refused")
    func writesGlobal() throws {
        Self.expectRefused(try Self.check(Self.valid + "counter = old->id;"), "TRANS-2", naming: "counter")
        Self.expectRefused(try Self.check(Self.valid + "counter++;"), "TRANS-2", naming: "counter")
        Self.expectRefused(try Self.check(Self.valid + "int *g = &counter; *g = 1;"), "TRANS-2", naming: "*g")
    }

    @Test("TRANS-2: an unknown external function and writes through foreign pointers are refused")
    func unknownCallsAndForeignPointers() throws {
        Self.expectRefused(try Self.check(Self.valid + "log_it(\"converting\");"), "TRANS-2", naming: "log_it")
        // new->ref was filled by the default transformer: it points to data shared with the running program.
        Self.expectRefused(try Self.check(Self.valid + "((char *)new->ref)[0] = 0;"), "TRANS-2", naming: "new->ref")
    }

    // MARK: TRANS-3

    @Test("TRANS-3: writing outside the new struct is refused")
    func writesOutsideNew() throws {
        Self.expectRefused(try Self.check(Self.valid + "((char *)new)[200] = 0;"), "TRANS-3", naming: "((char *)new)[200]")
        Self.expectRefused(try Self.check(Self.valid + "new[1].id = 0;"), "TRANS-3", naming: "new[1]")
        Self.expectRefused(try Self.check(Self.valid + "new->name[9] = 0;"), "TRANS-3", naming: "new->name[9]")
        Self.expectRefused(try Self.check(Self.valid + "keep(new);"), "TRANS-3", naming: "new")
        Self.expectRefused(try Self.check(Self.valid + "memset((char *)&new->flags, 0, 64);"), "TRANS-3", naming: "&new->flags")
        Self.expectRefused(try Self.check(Self.valid + "int *fp = &new->flags; fp[3] = 1;"), "TRANS-3", naming: "&new->flags")
    }

    // MARK: TRANS-4

    @Test("TRANS-4: a field without a default that is never written is refused")
    func unwrittenField() throws {
        let d = try Self.check("new->total = old->count; new->ref = NULL;")
        Self.expectRefused(d, "TRANS-4", naming: "new->flags")
        #expect(d.count == 1)
        // A whole-field memset counts as a write.
        #expect(try Self.check("new->total = old->count; new->ref = NULL; memset(&new->flags, 0, sizeof new->flags);").isEmpty)
    }

    // MARK: TRANS-5

    @Test("TRANS-5: storing a pointer into the old value in the new one is refused")
    func keepsPointerIntoOld() throws {
        let v = "new->total = old->count; new->flags = 0;\n"
        Self.expectRefused(try Self.check(v + "new->ref = &old->id;"), "TRANS-5", naming: "&old->id")
        Self.expectRefused(try Self.check(v + "new->ref = old;"), "TRANS-5", naming: "old")
        Self.expectRefused(try Self.check(v + "new->ref = old->name;"), "TRANS-5", naming: "old->name")
        Self.expectRefused(try Self.check(v + "char *p = old->name + 1; new->ref = p;"), "TRANS-5", naming: "old->name")
        Self.expectRefused(try Self.check(Self.valid + "keep(&old->count);"), "TRANS-5", naming: "&old->count")
        Self.expectRefused(try Self.check(Self.valid + "free(old);"), "TRANS-5", naming: "old")
        Self.expectRefused(try Self.check(v + "new->ref = strchr(old->name, 'x');"), "TRANS-5", naming: "old->name")
    }

    @Test("TRANS-5: a pointer into the old value copied as bytes (memcpy, memmove, through a local, a pointer to a local, a compound literal) or a pointer into the transformer's own locals (a copy of the old value) is refused; scalars copied through memcpy pass")
    func keepsPointerCopiedAsBytes() throws {
        let v = "new->total = old->count; new->flags = 0;\n"
        // The pointer's bytes, from a local that holds it, into the new value (b10-memcpy-old-pointer).
        Self.expectRefused(try Self.check(v + "const char *p = old->name; memcpy(&new->ref, &p, sizeof p);"), "TRANS-5", naming: "`p` (which holds `old->name`)")
        Self.expectRefused(try Self.check(v + "const char *p = old->name; memmove(&new->ref, &p, sizeof p);"), "TRANS-5", naming: "new->ref")
        // Through a second local, and into an integer local first.
        Self.expectRefused(try Self.check(v + "const char *p = old->name; void *q; memcpy(&q, &p, sizeof q); new->ref = q;"), "TRANS-5", naming: "new->ref")
        Self.expectRefused(try Self.check(v + "const char *p = old->name; unsigned long w; memcpy(&w, &p, sizeof w); new->ref = (void *)(w ^ 1);"), "TRANS-5", naming: "new->ref")
        // Read back through a pointer to the local.
        Self.expectRefused(try Self.check(v + "const char *p = old->name; new->ref = *(void **)&p;"), "TRANS-5", naming: "new->ref")
        Self.expectRefused(try Self.check(v + "const char *p = old->name; const char **pp = &p; memcpy(&new->ref, pp, sizeof p);"), "TRANS-5", naming: "new->ref")
        // A compound literal holding it.
        // (lowered through temporaries, which TRANS-3 and TRANS-4 object to as well)
        let lit = try Self.check(v + "memcpy(&new->ref, &(const char *){ old->name }, sizeof(char *));")
        #expect(lit.contains { $0.rule == "TRANS-5" && $0.message.contains("old->name") }, "\(lit)")
        // Into fresh memory.
        Self.expectRefused(try Self.check(v + "const char *p = old->name; void **box = malloc(sizeof p); memcpy(box, &p, sizeof p); new->ref = box;"), "TRANS-5", naming: "box")
        // A pointer into a copy of the old value on the stack, or into any local (b10-copy-of-old).
        Self.expectRefused(try Self.check(v + "struct item_old c; memcpy(&c, old, sizeof c); new->ref = c.name;"), "TRANS-5", naming: "c.name")
        Self.expectRefused(try Self.check(v + "struct item_old c = *old; new->ref = &c.count;"), "TRANS-5", naming: "&c.count")
        Self.expectRefused(try Self.check(v + "char buf[8]; memcpy(buf, old->name, 8); char *b = buf; new->ref = b;"), "TRANS-5", naming: "`b`")
        Self.expectRefused(try Self.check(v + "char buf[8]; char *b = buf; memcpy(&new->ref, &b, sizeof b);"), "TRANS-5", naming: "its own locals")
        // Scalars and field values through memcpy and copies are fine (b10-memcpy-scalar).
        #expect(try Self.check(v + "new->ref = NULL; long c; memcpy(&c, &old->count, sizeof c); memcpy(&new->total, &c, sizeof c);").isEmpty)
        #expect(try Self.check(v + "new->ref = NULL; struct item_old c = *old; memcpy(new->name, c.name, sizeof new->name); new->total = c.count;").isEmpty)
        #expect(try Self.check(v + "char buf[8]; memcpy(buf, old->name, 8); new->ref = strndup(buf, 8);").isEmpty)
    }

    // MARK: Coverage

    static func ids() throws -> [String] {
        let text = try String(contentsOfFile: repo + "/Specs/transformers.md", encoding: .utf8)
        let re = try NSRegularExpression(pattern: "^### (TRANS-[0-9]+)", options: .anchorsMatchLines)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }

    @Test("[TRANS-6] an extern declaration in transformers.c names NEW's file-scope static, else the running program's, by identity")
    func namesStatics() throws {
        let dir = tempDir()
        let oldSrc = "static int *buckets; static int keep; int main(void) { return buckets == 0 && keep == 0; }"
        let newSrc = "static int *main_buckets; static int keep; int main(void) { return main_buckets == 0 && keep == 0; }"
        let st = "extern int *buckets; extern int *main_buckets; extern int keep; extern int nowhere;\nvoid graft_state_transform(void) { main_buckets = buckets; keep = nowhere; }\n"
        for (name, text) in [("old.c", oldSrc), ("prog.c", newSrc), ("transformers.c", st)] {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        let old = try Frontend.lower(file: dir + "/old.c", arguments: [])
        let merged = try Merge.merge([try Frontend.lower(file: dir + "/prog.c", arguments: []),
                                      try Frontend.lower(file: dir + "/transformers.c", arguments: [])])
        let (bound, errors) = PatchBuilder.bindTransformerNames(merged, old: old, transformerFile: dir + "/transformers.c")
        #expect(errors.isEmpty, "\(errors)")
        let ext = { (n: String) in bound.globals.first { $0.sourceName == n && $0.loc.file.hasSuffix("transformers.c") } }
        // buckets is only OLD's: the declaration takes its identity, so the patch binds it to the running object.
        #expect(ext("buckets")?.identity == old.globals.first { $0.sourceName == "buckets" }.map { PatchValidation.runningGlobalPrefix + $0.identity })
        // main_buckets and keep are NEW's statics: the transformer's code now names them.
        let stf = try #require(bound.functions.first { $0.name == "graft_state_transform" && $0.body != nil })
        let named = Set(Uses.of(stf, in: bound).globals.map { bound[$0] }.map { "\($0.sourceName)@\(($0.loc.file as NSString).lastPathComponent)" })
        #expect(named.isSuperset(of: ["main_buckets@prog.c", "keep@prog.c", "buckets@transformers.c"]), "\(named)")
        // A name neither program has stays the linker's.
        #expect(ext("nowhere")?.identity == merged.globals.first { $0.sourceName == "nowhere" }?.identity)
    }

    @Test("[TRANS-6] GRAFT_OLD(x) names the running program's x at OLD's type; a declaration at another type than the global it names, or of a name either program has twice or OLD lacks, is refused at it")
    func oldNamesAndTypes() throws {
        let dir = tempDir()
        let oldA = "static int table[4]; static int count; int shared; static int dup; int main(void) { return table[0] + count + shared + dup; }"
        let oldB = "static int dup; int other(void) { return dup; }"
        let newSrc = "static long table[8]; static unsigned long count; int shared; int main(void) { return (int)table[0] + (int)count + shared; }"
        let st = """
        #include <graft.h>
        extern int GRAFT_OLD(table)[4];   /* OLD's, at OLD's type */
        extern long table[8];             /* NEW's */
        extern int GRAFT_OLD(shared);     /* OLD's external global */
        extern int count;                 /* NEW's is unsigned long */
        extern long GRAFT_OLD(table2);
        extern int GRAFT_OLD(dup);
        extern short GRAFT_OLD(shared2);
        extern long GRAFT_OLD(count);     /* OLD's is int */
        void graft_state_transform(void) {
            for (int i = 0; i < 4; i++) table[i] = GRAFT_OLD(table)[i] + GRAFT_OLD(shared) + count + GRAFT_OLD(table2) + GRAFT_OLD(dup) + GRAFT_OLD(shared2) + GRAFT_OLD(count);
        }

        """
        for (name, text) in [("a.c", oldA), ("b.c", oldB), ("prog.c", newSrc), ("transformers.c", st)] {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        let include = ["-I", Self.repo + "/Sources/Runtime/include"]
        let old = try Merge.merge([try Frontend.lower(file: dir + "/a.c", arguments: []), try Frontend.lower(file: dir + "/b.c", arguments: [])])
        let merged = try Merge.merge([try Frontend.lower(file: dir + "/prog.c", arguments: []),
                                      try Frontend.lower(file: dir + "/transformers.c", arguments: include)])
        let (bound, errors) = PatchBuilder.bindTransformerNames(merged, old: old, transformerFile: dir + "/transformers.c")
        let byLine = Dictionary(errors.map { ($0.loc.line, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(errors.allSatisfy { $0.rule == "TRANS-6" && $0.loc.file.hasSuffix("transformers.c") }, "\(errors)")
        #expect(Set(byLine.keys) == [5, 6, 7, 8, 9], "\(errors)")
        #expect(byLine[5]?.message.contains("'count' is declared as int, but NEW's 'count' (prog.c:1) is unsigned long") == true
                && byLine[5]?.message.contains("GRAFT_OLD(count)") == true, "\(byLine[5]?.message ?? "")")
        #expect(byLine[6]?.message.contains("'GRAFT_OLD(table2)': the running program has no global or file-scope static 'table2'") == true, "\(byLine[6]?.message ?? "")")
        #expect(byLine[7]?.message.contains("'GRAFT_OLD(dup)' is ambiguous: the running program has 2 file-scope statics 'dup' (a.c:1, b.c:1)") == true, "\(byLine[7]?.message ?? "")")
        #expect(byLine[8]?.message.contains("the running program has no global or file-scope static 'shared2'") == true, "\(byLine[8]?.message ?? "")")
        #expect(byLine[9]?.message.contains("'GRAFT_OLD(count)' is declared as long, but the running program's 'count' (a.c:1) is int") == true, "\(byLine[9]?.message ?? "")")
        // The two well-typed names: OLD's table and shared by identity, marked as the running program's objects.
        let decl = { (n: String) in bound.globals.first { $0.sourceName == n && $0.loc.file.hasSuffix("transformers.c") } }
        let oldID = { (n: String) in old.globals.first { $0.sourceName == n && $0.storage != .extern }.map { PatchValidation.runningGlobalPrefix + $0.identity } }
        #expect(decl("graft_old__table")?.identity == oldID("table") && oldID("table") != nil)
        #expect(decl("graft_old__shared")?.identity == oldID("shared") && oldID("shared") != nil)
        // NEW's table is named by the transformer's code in place of its declaration.
        let stf = try #require(bound.functions.first { $0.name == "graft_state_transform" && $0.body != nil })
        let named = Set(Uses.of(stf, in: bound).globals.map { bound[$0] }.map { "\($0.sourceName)@\(($0.loc.file as NSString).lastPathComponent)" })
        #expect(named.contains("table@prog.c") && !named.contains("table@transformers.c"), "\(named)")
    }

    @Test("[TRANS-6] a function declared in transformers.c names NEW's static function of its name, at its type; another type, or two such statics, is refused")
    func namesStaticFunctions() throws {
        let dir = tempDir()
        let a = "static unsigned hash(unsigned x) { return x * 3u; } static int twice(int x) { return 2 * x; } int main(void) { return (int)hash(1) + twice(1); }"
        let b = "static int twice(int x) { return x + x; } int other(void) { return twice(2); }"
        let st = """
        unsigned hash(unsigned x);
        long twice(long x);
        unsigned strlen_like(const char *s);
        void graft_state_transform(void) { (void)hash(2); (void)twice(3); (void)strlen_like(""); }

        """
        for (name, text) in [("a.c", a), ("b.c", b), ("transformers.c", st)] {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        let old = try Frontend.lower(file: dir + "/a.c", arguments: [])
        let merged = try Merge.merge([try Frontend.lower(file: dir + "/a.c", arguments: []), try Frontend.lower(file: dir + "/b.c", arguments: []),
                                      try Frontend.lower(file: dir + "/transformers.c", arguments: [])])
        let (bound, errors) = PatchBuilder.bindTransformerNames(merged, old: old, transformerFile: dir + "/transformers.c")
        // twice: two statics of that name in NEW (and neither at long(long)): refused at the declaration.
        #expect(errors.count == 1 && errors[0].rule == "TRANS-6" && errors[0].loc.line == 2
                && errors[0].message.contains("'twice' is ambiguous: NEW has 2 static functions of that name"), "\(errors)")
        // hash: the transformer's call is now of a.c's static; strlen_like, which no one defines, stays the linker's.
        let stf = try #require(bound.functions.first { $0.name == "graft_state_transform" && $0.body != nil })
        let called = Set(Uses.of(stf, in: bound).directCallees.map { bound[$0] }.map { "\($0.sourceName)@\(($0.loc.file as NSString).lastPathComponent)" })
        #expect(called.contains("hash@a.c") && !called.contains("hash@transformers.c") && called.contains("strlen_like@transformers.c"), "\(called)")

        // At another type than NEW's one static: refused, with both types.
        try "unsigned hash(int x);\nvoid graft_state_transform(void) { (void)hash(2); }\n".write(toFile: dir + "/transformers.c", atomically: true, encoding: .utf8)
        let merged2 = try Merge.merge([try Frontend.lower(file: dir + "/a.c", arguments: []), try Frontend.lower(file: dir + "/transformers.c", arguments: [])])
        let (_, errors2) = PatchBuilder.bindTransformerNames(merged2, old: old, transformerFile: dir + "/transformers.c")
        #expect(errors2.count == 1 && errors2[0].message.contains("'hash' is declared as") && errors2[0].message.contains("but NEW's static 'hash' (a.c:1)"), "\(errors2)")
    }

    @Test("every TRANS rule of Specs/transformers.md is applied in Transformers.swift and named by a test here")
    func everyRuleIsCitedAndTested() throws {
        let rules = try Self.ids()
        #expect(rules == (1...6).map { "TRANS-\($0)" })
        // TRANS-6 binds names (Checker/TransformerBindings.swift); the others check the transformer (Checker/Transformers.swift).
        let code = try String(contentsOfFile: Self.repo + "/Sources/Checker/Transformers.swift", encoding: .utf8)
            + String(contentsOfFile: Self.repo + "/Sources/Checker/TransformerBindings.swift", encoding: .utf8)
        let tests = try String(contentsOfFile: Self.repo + "/Tests/GraftTests/TransformerCheckTests.swift", encoding: .utf8)
        for r in rules {
            #expect(code.contains("// \(r)"), "\(r) is not cited next to a check in Sources/Checker/Transformers.swift")
            #expect(tests.contains("@Test(\"\(r)") || tests.contains("[\(r)]"), "\(r) has no test naming it")
        }
    }
}
