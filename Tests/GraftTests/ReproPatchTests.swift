// Issue 8's reproducers of patches refused, or admitted and wrong
// (../shared/repro, copied as self-checking programs to
// Fixtures/repro/): each built with `graft cc`, patched with `graft patch`
// and applied to the running v1 with `graft apply`, as
// AdversarialLiveTests.attempt does.

import Foundation
import Testing

@Suite("Reproducers from real servers: patches", .serialized)
struct ReproPatchTests {
    static func attempt(_ name: String, rules: [String]) throws {
        try AdversarialLiveTests.attempt(name, rules: rules, folder: "repro/")
    }

    @Test("variadic-change: a changed variadic logging function is patched through its slot and applied")
    func variadicChange() throws { try Self.attempt("variadic-change", rules: []) }

    @Test("[PATCH-2] no-object-type: a changed struct no code of the program holds needs no conversion; applied")
    func noObjectType() throws { try Self.attempt("no-object-type", rules: []) }

    @Test("[PATCH-2] new-field-zero: a new field v2's start-up code sets to 4096 starts at 4096 in the running program's object; applied, no SIGFPE")
    func newFieldZero() throws { try Self.attempt("new-field-zero", rules: []) }

    @Test("[PATCH-2] new-field-ambiguous: a new field v2's start-up code sets to 1 or to 2 needs a transformer")
    func newFieldAmbiguous() throws { try Self.attempt("new-field-ambiguous", rules: ["PATCH-2"]) }

    @Test("[PATCH-2] new-field-flag: a new field v2's start-up code sets to 0 (and later code to 2) starts at zero; applied")
    func newFieldFlag() throws { try Self.attempt("new-field-flag", rules: []) }

    @Test("[PATCH-3] global-unsigned: a global counter and a struct field go from int to unsigned; the global is kept in place, the field converts; the count goes on")
    func globalUnsigned() throws { try Self.attempt("global-unsigned", rules: []) }

    @Test("[PATCH-3] global-table: a settings table no code writes grows by one entry; applied without a state transformer")
    func globalTable() throws { try Self.attempt("global-table", rules: []) }

    @Test("[PATCH-3] global-table-written: the same table written at start-up is state: refused without a state transformer")
    func globalTableWritten() throws { try Self.attempt("global-table-written", rules: ["PATCH-3"]) }

    @Test("[PATCH-10] startup-global: a new static only start-up code fills, read after the point: refused")
    func startupGlobal() throws { try Self.attempt("startup-global", rules: ["PATCH-10"]) }

    @Test("[PATCH-10] startup-global-st: the same with a state transformer that names v1's and v2's statics (TRANS-6): applied, every value kept")
    func startupGlobalWithTransformer() throws { try Self.attempt("startup-global-st", rules: []) }

    @Test("[ALIAS-3] printf-p: a struct whose address is printed with %p stays wrapped; a field added, applied")
    func printfPointer() throws { try Self.attempt("printf-p", rules: []) }

    @Test("[REP-8] flexible-array: a struct ending in a flexible array member gains a field: its items convert, their tails stay (a pointer into one kept), new items and realloc'd ones checked; applied")
    func flexibleArray() throws { try Self.attempt("flexible-array", rules: []) }

    @Test("[REP-8] [ALIAS-3] embedded-library-struct: a conn embedding a library's struct event (its address kept by the library) and passed as the callback's void *: wrapped, ev pinned; a field inserted before ev, applied; the library's callbacks find every conn's ev where it wrote it")
    func embeddedLibraryStruct() throws {
        // The event library: built by the plain compiler, as a library the program links.
        try AdversarialLiveTests.attempt("embedded-library-struct", rules: [], flags: try AdversarialLiveTests.eventLibrary(), folder: "repro/")
    }

    @Test("[REP-7] embedded-grows: an embedded struct grows past its room; its holder converts with it, onto the heap, and converts it: applied, every value kept")
    func embeddedGrows() throws { try Self.attempt("embedded-grows", rules: []) }

    @Test("[UPD-8] [UPD-2] main-local-delta: a by-value struct local of main, used after the accept loop returns; a field inserted, applied, and the session sees its values")
    func mainLocalDelta() throws { try Self.attempt("main-local-delta", rules: []) }

    @Test("[PATCH-3] global-widen: written globals widened (int → long, unsigned short → unsigned long): carried over by C's conversion, applied without a transformer")
    func globalWiden() throws { try Self.attempt("global-widen", rules: []) }

    @Test("[PATCH-3] global-narrow: a written long narrowed to int: refused without a state transformer")
    func globalNarrow() throws { try Self.attempt("global-narrow", rules: ["PATCH-3"]) }
}
