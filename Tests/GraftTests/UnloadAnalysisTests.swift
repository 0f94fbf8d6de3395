// Unloading superseded patches (Specs/deploy.md DEPLOY-8), the static half:
// Unload.verdict on the code PatchBuilder makes for v1 → v2 pairs where an
// address inside the patch (a string literal, a function the patch
// defines) stays in the patch's own frames and nocapture callees, or
// escapes into memory, a return value, a capturing callee (directly or
// calls deep, by the nocapture fixpoint) or an unknown function; a patch
// that defines storage or names of its own stays loaded. And `graft patch`
// on kvstore: v1 → v1b (the soak benchmark's pair) is unloadable.

import Checker
import Codegen
import Foundation
import IR
import Testing

@Suite("Unloading superseded patches: the static analysis (DEPLOY-8)")
struct UnloadAnalysisTests {
    static let base = """
    #include <string.h>
    #include <unistd.h>
    #include <signal.h>
    struct conn { int fd; const char *name; char buf[64]; unsigned len; };
    struct config { const char *name; int port; };
    struct config cfg;
    struct ops { void (*fn)(int); } ops;
    void log_it(const char *what);
    void reply_raw(struct conn *c, const char *p, unsigned n) {
        if (c->len + n > sizeof c->buf) return;
        memcpy(c->buf + c->len, p, n);
        c->len += n;
    }
    void reply(struct conn *c, const char *s) { reply_raw(c, s, strlen(s)); write(c->fd, c->buf, c->len); }
    void set_name(struct conn *c, const char *n) { c->name = n; }
    void middle(struct conn *c, const char *n) { if (n[0]) set_name(c, n); }
    void outer(struct conn *c, const char *n) { if (strcmp(n, "") != 0) middle(c, n); }
    int even(const char *s, int n);
    int odd(const char *s, int n) { return n == 0 ? 0 : even(s, n - 1); }
    int even(const char *s, int n) { return n == 0 ? s[0] : odd(s + 1, n - 1); }
    const char *label(int k) { return k ? "one" : "zero"; }
    void handler(int sig) { (void)sig; }
    void ping(struct conn *c) { reply(c, "PONG"); }
    int main(void) { struct conn c = { 1, 0, "", 0 }; ping(&c); return label(0)[0] == 'z' ? 0 : 1; }
    """

    static let ping = "void ping(struct conn *c) { reply(c, \"PONG\"); }"

    /// The verdict on the patch from `base` to `base` with `ping` replaced by `newPing` (and `extra` added before it).
    static func verdict(ping newPing: String, extra: String = "", replacing: String = ping) throws -> Unload.Verdict {
        #expect(base.contains(replacing))
        let v2 = base.replacingOccurrences(of: replacing, with: extra + newPing)
        let old = try lower(base).0, new = try lower(v2).0
        let plan = PatchBuilder.plan(old: old, new: new)
        #expect(!plan.changedFunctions.isEmpty || !plan.newFunctions.isEmpty, "the pair changes nothing")
        let code = PatchBuilder.patchProgram(old: old, new: new, plan: plan)
        // The descriptor says the same.
        let c = PatchBuilder.descriptorC(plan: plan, code: code)
        #expect(c.contains(code.unload.isUnloadable ? ",\n    1, 0,\n    \(code.makesKeep == nil ? 1 : 0)\n};" : ",\n    0, \""), "\(c.suffix(300))")
        return code.unload
    }

    @Test("[DEPLOY-8] a patch that makes a function keep a parameter it did not (reply now stores its string) says the earlier patches stay, naming the function; one that keeps no more says nothing")
    func makesKeep() throws {
        let old = try lower(Self.base).0
        let keeping = Self.base.replacingOccurrences(of: "void reply(struct conn *c, const char *s) { reply_raw(c, s, strlen(s)); write(c->fd, c->buf, c->len); }",
                                                     with: "void reply(struct conn *c, const char *s) { c->name = s; reply_raw(c, s, strlen(s)); write(c->fd, c->buf, c->len); }")
        #expect(keeping != Self.base)
        let new = try lower(keeping).0
        let code = PatchBuilder.patchProgram(old: old, new: new, plan: PatchBuilder.plan(old: old, new: new))
        let why = try #require(code.makesKeep, "reply now keeps its parameter: the earlier patches' verdicts no longer hold")
        #expect(why.contains("'reply' now may keep its parameter 's'") && why.hasSuffix("[DEPLOY-8]"), "\(why)")
        #expect(PatchBuilder.descriptorC(plan: PatchBuilder.plan(old: old, new: new), code: code).contains(",\n    0\n};"))
        let same = try lower(Self.base.replacingOccurrences(of: Self.ping, with: "void ping(struct conn *c) { reply(c, \"PONG v2\"); }")).0
        #expect(PatchBuilder.patchProgram(old: old, new: same, plan: PatchBuilder.plan(old: old, new: same)).makesKeep == nil)
    }

    static func expectKept(_ v: Unload.Verdict, naming names: [String], _ loc: SourceLocation = #_sourceLocation) {
        guard let r = v.reason else { Issue.record("unloadable, expected kept loaded naming \(names)", sourceLocation: loc); return }
        for n in names { #expect(r.contains(n), "\(r) does not name \(n)", sourceLocation: loc) }
        #expect(r.hasSuffix(" [DEPLOY-8]"), "\(r)", sourceLocation: loc)
        #expect(!r.contains("graft_"), "the reason names graft's own entities: \(r)", sourceLocation: loc)
        #expect(v.line == "unload: no: " + r, sourceLocation: loc)
    }

    @Test("[DEPLOY-8] a literal passed to a program function that only copies its bytes (memcpy, strlen, write): unloadable")
    func literalCopied() throws {
        let v = try Self.verdict(ping: "void ping(struct conn *c) { reply(c, \"PONG v2\"); }")
        #expect(v == .unloadable, "\(v)")
        #expect(v.line == "unload: yes (nothing outside slots and stacks can refer to it once superseded) [DEPLOY-8]")
    }

    @Test("[DEPLOY-8] a literal stored into a global's field or a heap object's field: kept, naming the function and where")
    func literalStored() throws {
        let g = try Self.verdict(ping: "void ping(struct conn *c) { cfg.name = \"v2\"; reply(c, \"PONG\"); }")
        Self.expectKept(g, naming: ["'ping'", "\"v2\"", "'cfg'", "t.c:"])
        let h = try Self.verdict(ping: "void ping(struct conn *c) { c->name = \"x\"; reply(c, \"PONG\"); }")
        Self.expectKept(h, naming: ["'ping'", "\"x\"", "memory"])
    }

    @Test("[DEPLOY-8] a literal passed to a program function that stores its parameter: kept, naming the callee")
    func literalToCapturingParameter() throws {
        let v = try Self.verdict(ping: "void ping(struct conn *c) { set_name(c, \"x\"); reply(c, \"PONG\"); }")
        Self.expectKept(v, naming: ["'ping'", "'set_name'", "'n'"])
    }

    @Test("[DEPLOY-8] the capture two calls deep (outer → middle → set_name): the nocapture fixpoint finds it")
    func captureTwoCallsDeep() throws {
        let v = try Self.verdict(ping: "void ping(struct conn *c) { outer(c, \"x\"); }")
        Self.expectKept(v, naming: ["'ping'", "'outer'", "outer → middle → set_name, which stores its parameter 'n' to memory"])
    }

    @Test("[DEPLOY-8] a function address in the patch's code is the running program's trampoline: stored or handed to signal, the patch still unloads; a new function's address keeps it")
    func functionAddresses() throws {
        let stored = try Self.verdict(ping: "void ping(struct conn *c) { ops.fn = handler; reply(c, \"PONG\"); }")
        #expect(stored == .unloadable, "\(stored)")
        let signalled = try Self.verdict(ping: "void ping(struct conn *c) { signal(SIGINT, handler); reply(c, \"PONG\"); }")
        #expect(signalled == .unloadable, "\(signalled)")
        let fresh = try Self.verdict(ping: "void ping(struct conn *c) { signal(SIGINT, on_int); reply(c, \"PONG\"); }",
                                     extra: "void on_int(int sig) { (void)sig; }\n")
        Self.expectKept(fresh, naming: ["'on_int'", "new function"])
    }

    @Test("[DEPLOY-8] a new global or a new function-local static: storage of the patch's own, kept")
    func newStorage() throws {
        let g = try Self.verdict(ping: "void ping(struct conn *c) { pings++; reply(c, \"PONG\"); }", extra: "int pings;\n")
        Self.expectKept(g, naming: ["global 'pings'"])
        let s = try Self.verdict(ping: "void ping(struct conn *c) { static int n; n++; reply(c, n > 1 ? \"PONG\" : \"HELLO\"); }")
        Self.expectKept(s, naming: ["static variable 'n'", "'ping'"])
    }

    @Test("[DEPLOY-8] a literal returned from a function: kept")
    func literalReturned() throws {
        let v = try Self.verdict(ping: "const char *label(int k) { return k ? \"uno\" : \"zero\"; }",
                                 replacing: "const char *label(int k) { return k ? \"one\" : \"zero\"; }")
        Self.expectKept(v, naming: ["'label'", "returns the string literal"])
    }

    @Test("[DEPLOY-8] mutually recursive functions that only read their pointer stay nocapture: unloadable")
    func recursionStaysNocapture() throws {
        let v = try Self.verdict(ping: "void ping(struct conn *c) { if (odd(\"abcd\", 3)) reply(c, \"PONG\"); }")
        #expect(v == .unloadable, "\(v)")
    }

    @Test("[DEPLOY-8] a literal assigned to a local that is then stored: kept; one that is only passed on: unloadable")
    func literalThroughALocal() throws {
        let stored = try Self.verdict(ping: "void ping(struct conn *c) { const char *t = \"x\"; c->name = t; reply(c, t); }")
        Self.expectKept(stored, naming: ["'ping'", "\"x\""])
        let passed = try Self.verdict(ping: "void ping(struct conn *c) { const char *t = c->fd ? \"x\" : \"y\"; t += 0; reply(c, t); }")
        #expect(passed == .unloadable, "\(passed)")
    }

    @Test("[DEPLOY-8] a literal passed to an extern function graft does not know, or to one that returns a pointer into it: kept")
    func literalToUnknown() throws {
        let v = try Self.verdict(ping: "void ping(struct conn *c) { log_it(\"ping\"); reply(c, \"PONG\"); }")
        Self.expectKept(v, naming: ["'ping'", "'log_it'"])
        let s = try Self.verdict(ping: "void ping(struct conn *c) { c->name = strchr(\"a:b\", ':'); reply(c, \"PONG\"); }")
        Self.expectKept(s, naming: ["'ping'", "'strchr'"])
    }

    @Test("[DEPLOY-8] a literal cast to an integer, or passed through a function pointer: kept")
    func literalAsIntegerOrThroughPointer() throws {
        let i = try Self.verdict(ping: "void ping(struct conn *c) { c->len = (unsigned)(unsigned long)\"x\"; reply(c, \"PONG\"); }")
        Self.expectKept(i, naming: ["'ping'", "integer"])
        let p = try Self.verdict(ping: "void ping(struct conn *c) { void (*r)(struct conn *, const char *) = c->fd > 99 ? reply : set_name; r(c, \"PONG\"); }")
        Self.expectKept(p, naming: ["'ping'", "function pointer"])
    }

    @Test("[DEPLOY-8] a literal in a variadic argument: unloadable when the callee only hands its va_list to vsnprintf, kept when it keeps a va_arg")
    func variadicArguments() throws {
        let say = """
        #include <stdarg.h>
        #include <stdio.h>
        void say(struct conn *c, const char *fmt, ...) {
            char b[64]; va_list ap; va_start(ap, fmt); vsnprintf(b, sizeof b, fmt, ap); va_end(ap); reply(c, b);
        }
        void keep(int n, ...) { va_list ap; va_start(ap, n); cfg.name = va_arg(ap, const char *); va_end(ap); }

        """
        let v1 = Self.base.replacingOccurrences(of: Self.ping, with: say + Self.ping)
        let old = try lower(v1).0
        for (body, kept) in [("say(c, \"%s\", \"PONG v2\");", false), ("keep(1, \"PONG v2\"); reply(c, \"x\");", true)] {
            let new = try lower(v1.replacingOccurrences(of: Self.ping, with: "void ping(struct conn *c) { \(body) }")).0
            let plan = PatchBuilder.plan(old: old, new: new)
            let v = PatchBuilder.patchProgram(old: old, new: new, plan: plan).unload
            if kept { Self.expectKept(v, naming: ["'ping'", "'keep'", "variadic"]) } else { #expect(v == .unloadable, "\(v)") }
        }
    }

    @Test("[DEPLOY-8] the patch's own inline assembly that writes a variable or memory: kept")
    func inlineAssembly() throws {
        let v = try Self.verdict(ping: "void ping(struct conn *c) { const char *p; __asm__(\"lea 0(%%rip), %0\" : \"=r\"(p)); c->name = p; reply(c, \"PONG\"); }")
        Self.expectKept(v, naming: ["'ping'", "inline assembly"])
        let m = try Self.verdict(ping: "void ping(struct conn *c) { __asm__ volatile(\"\" ::: \"memory\"); reply(c, \"PONG\"); }")
        Self.expectKept(m, naming: ["'ping'", "inline assembly that writes memory"])
    }

    @Test("[DEPLOY-8] file-scope assembly in the patch can define symbols of its own: kept")
    func fileScopeAssembly() throws {
        let v = try Self.verdict(ping: "void ping(struct conn *c) { reply(c, \"PONG v2\"); }",
                                 extra: "__asm__(\".pushsection .rodata\\n.popsection\");\n")
        Self.expectKept(v, naming: ["file-scope assembly"])
    }

    // MARK: graft patch on kvstore

    @Test("[DEPLOY-8] graft patch kvstore v1 → v1b (cmd_ping says \"PONG v1b\", the soak benchmark's pair): unload: yes; v1 → v2: unload: no, naming the new function that keeps it",
          .enabled(if: LiveUpdateTests.graft != nil, "the graft executable is not built"))
    func kvstore() throws {
        let graft = LiveUpdateTests.graft!
        let dir = tempDir()
        let v1 = try LiveUpdateTests.build("v1", in: dir + "/v1")
        let v1b = try LiveUpdateTests.build("v1", in: dir + "/v1b") { d in
            try RollbackTests.edit(d + "/commands.c", "reply_status(c, \"PONG\");", with: "reply_status(c, \"PONG v1b\");")
        }
        let a = try run(graft, ["patch", "--from", v1, "--to", v1b, "--no-rollback", "-o", dir + "/a.patch"])
        try #require(a.status == 0, "\(a.stdout)\(a.stderr)")
        #expect(a.stdout.contains("\n  unload: yes (nothing outside slots and stacks can refer to it once superseded) [DEPLOY-8]\n"), "\(a.stdout)")

        let v2 = try LiveUpdateTests.build("v2", in: dir + "/v2")
        let b = try run(graft, ["patch", "--from", v1, "--to", v2, "--no-rollback", "-o", dir + "/b.patch"])
        try #require(b.status == 0, "\(b.stdout)\(b.stderr)")
        let line = try #require(b.stdout.split(separator: "\n").first { $0.hasPrefix("  unload: ") }, "\(b.stdout)")
        if line.hasPrefix("  unload: no: ") {
            #expect(line.hasSuffix(" [DEPLOY-8]") && line.contains("'"), "\(line)")
        } else {
            #expect(line == "  unload: yes (nothing outside slots and stacks can refer to it once superseded) [DEPLOY-8]")
        }
        // v2 adds functions (unix_ms first) and redefines the command table: it stays loaded, and says why.
        #expect(line.hasPrefix("  unload: no: 'unix_ms' is a new function (main.c:"), "\(line)")
        // The descriptor's kept_loaded is that sentence (the runtime shows it).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/b.patch"))
        #expect(bytes.range(of: Data(line.dropFirst("  unload: no: ".count).utf8)) != nil, "the patch does not carry the reason")
    }
}
