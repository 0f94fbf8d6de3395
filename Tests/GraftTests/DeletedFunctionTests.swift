// UPD-6 (Specs/updatability.md): a function the patch deletes or renames
// whose address the running program takes can still be called through data
// after the update, so its old code may not use what the patch changes.
// Found by the property tests (PatchPropertyTests): a renamed handler in a
// table read a struct that had grown a field before the one it read.

import Foundation
import Testing
import IR
import Instrument
import Checker
import Codegen

@Suite("UPD-6: deleted functions reachable through data", .serialized)
struct DeletedFunctionTests {
    static let pre = "int printf(const char *, ...);\nvoid graft_update_point(void);\n"
    static let v1 = """
    struct req { int id; long arg; };
    static long on_get(struct req *r) { return r->arg * 2; }
    static long helper(struct req *r) { return r->arg; }
    static long on_put(struct req *r) { return helper(r) + 1; }
    long (*table[2])(struct req *) = { on_get, on_put };
    int main(void) {
        static struct req r = { 1, 20 };
        for (long n = 0; n < 10; n++) { graft_update_point(); printf("%ld\\n", table[n % 2](&r)); }
        return 0;
    }
    """

    static func plan(_ v2: String) throws -> PatchPlan {
        PatchBuilder.plan(old: try lower(pre + v1).0, new: try lower(pre + v2).0)
    }

    @Test("[UPD-6] a renamed handler that reads a struct the patch converts is refused, with its name, where its address is taken and what would make the patch admissible")
    func renamedHandlerReadingChangedStruct() throws {
        let p = try Self.plan(Self.v1.replacingOccurrences(of: "on_get", with: "handle_get")
            .replacingOccurrences(of: "struct req { int id; long arg; };", with: "struct req { int id; long pad; long arg; };")
            .replacingOccurrences(of: "{ 1, 20 }", with: "{ 1, 0, 20 }"))
        let why = p.refusals.filter { $0.rule == "UPD-6" }
        #expect(why.count == 1, "\(p.refusals)")
        #expect(why.first?.message.contains("'on_get'") == true && why.first?.message.contains("struct req") == true, "\(why)")
        #expect(why.first?.message.contains("keeping 'on_get' in NEW") == true)
    }

    @Test("[UPD-6] a deleted function called only by a deleted handler counts too; an extension of the struct is safe for old code (UPD-2)")
    func deletedCalleesAndExtensions() throws {
        // on_put and helper deleted (replaced by put2): helper reads struct req, which moves a field.
        let moved = try Self.plan(Self.v1
            .replacingOccurrences(of: "static long helper(struct req *r) { return r->arg; }\n", with: "")
            .replacingOccurrences(of: "static long on_put(struct req *r) { return helper(r) + 1; }", with: "static long put2(struct req *r) { return r->arg + 1; }")
            .replacingOccurrences(of: "on_put };", with: "put2 };")
            .replacingOccurrences(of: "struct req { int id; long arg; };", with: "struct req { long arg; int id; };")
            .replacingOccurrences(of: "{ 1, 20 }", with: "{ 20, 1 }"))
        #expect(moved.refusals.contains { $0.rule == "UPD-6" && $0.message.contains("'helper'") }, "\(moved.refusals)")
        // The struct only gains a field at its end: old code still finds every field where it was.
        let extended = try Self.plan(Self.v1.replacingOccurrences(of: "on_get", with: "handle_get")
            .replacingOccurrences(of: "struct req { int id; long arg; };", with: "struct req { int id; long arg; long extra; };"))
        #expect(!extended.refusals.contains { $0.rule == "UPD-6" }, "\(extended.refusals)")
        #expect(!extended.admissiblePoints.isEmpty)
    }

    @Test("[UPD-6] live: the renamed handler over a changed struct is refused and the process runs on unchanged")
    func liveRefused() throws { try AdversarialLiveTests.attempt("b6-deleted-handler", rules: ["UPD-6"]) }

    @Test("[UPD-6] live: a renamed handler that reads nothing the patch changes is admitted, and the table's old pointer keeps working")
    func liveAdmitted() throws { try AdversarialLiveTests.attempt("b6-deleted-handler-unused", rules: []) }
}
