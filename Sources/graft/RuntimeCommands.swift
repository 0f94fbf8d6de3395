// `graft apply` and `graft status`: talk to a running updatable program
// through its control channel, the Unix socket /tmp/graft-<uid>/<pid>.sock
// that the runtime (Sources/Runtime/control.c) serves. One request line,
// one reply line:
//   STATUS                  → {"pid":…, "program":…, "version":…, "base_version":…, "updates":[…], "pending":…}
//   APPLY <path> <seconds>  → APPLIED pause_us=<n> point=<id> | REJECTED <why> | TIMEOUT <why> | ERROR <why>
// Also `sealPatch`, which writes the patch file the runtime checks
// (PatchFile.swift), `graft seal-patch`, a hidden command that runs it,
// `graft keygen` and `graft sign`.

import ArgumentParser
import Checker
import IR
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Patch files

/// CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)) on LP64 Linux (Glibc's macros are not imported).
private let CMSG_LEN_INT = MemoryLayout<Int>.size + 8 + 4
private let CMSG_SPACE_INT = MemoryLayout<Int>.size + 8 + 8

/// Writes patch file `outPath` for shared object `soPath` (PatchFile), signed with `key` when given.
/// `outPath` may be `soPath`.
func sealPatch(soPath: String, outPath: String, base: String, target: String, key: SigningKey?) throws {
    guard let so = FileManager.default.contents(atPath: soPath) else {
        throw Failure(FileManager.default.fileExists(atPath: soPath) ? "cannot read \(soPath)" : "no such file: \(soPath)")
    }
    let bytes = [UInt8](so)
    guard bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) else { throw Failure("\(soPath) is not an ELF shared object") }
    try PatchFile.write(try PatchFile.bytes(so: bytes, abi: patchABI, base: base, target: target, signedWith: key), to: outPath)
}

/// The runtime ABI patches are built for (graft_runtime.h's GRAFT_ABI).
let patchABI = 7

/// SHA-256 (FIPS 180-4), enough for sealing patches without a dependency.
enum SHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var tail = Array(message[(message.count / 64 * 64)...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bits = UInt64(message.count) &* 8
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        var w = [UInt32](repeating: 0, count: 64)
        func compress(_ block: ArraySlice<UInt8>) {
            let base = block.startIndex
            for i in 0..<16 {
                w[i] = UInt32(block[base + 4 * i]) << 24 | UInt32(block[base + 4 * i + 1]) << 16
                    | UInt32(block[base + 4 * i + 2]) << 8 | UInt32(block[base + 4 * i + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        var i = 0
        while i + 64 <= message.count { compress(message[i..<(i + 64)]); i += 64 }
        i = 0
        while i < tail.count { compress(tail[i..<(i + 64)]); i += 64 }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }

    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}

struct SealPatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal-patch",
        abstract: "Write a patch file for a patch shared object (its header, signature and SHA-256 trailer).",
        shouldDisplay: false)

    @Argument(help: ArgumentHelp("The patch shared object.", valueName: "so"))
    var so: String

    @Option(name: .customShort("o"), help: ArgumentHelp("The sealed patch file to write.", valueName: "file"))
    var output: String

    @Option(help: "The version the patch updates.")
    var base: String

    @Option(help: "The version it makes.")
    var target: String

    @Option(name: .customLong("sign"), help: ArgumentHelp("Sign with this key (default: $GRAFT_SIGNING_KEY, if set).", valueName: "key"))
    var sign: String?

    func run() throws {
        do { try sealPatch(soPath: so, outPath: output, base: base, target: target, key: try BuildTrust.signingKey(sign)) }
        catch { throw ExitCode(Console.report(error)) }
    }
}

/// `graft keygen -o K`: a new Ed25519 key pair, K (secret, mode 600) and K.pub.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make an Ed25519 key pair for signing patches.",
        discussion: """
            Writes the secret key to FILE (mode 600; graft patch --sign FILE, graft sign --key FILE) \
            and the public key to FILE.pub. A program trusts the public keys named by \
            GRAFT_TRUST_KEYS=K1.pub:K2.pub when it is linked, and those listed in \
            /etc/graft/trusted-keys (root's; one K.pub line each) when a patch comes (Specs/deploy.md).
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("The secret key file to write (FILE.pub gets the public key).", valueName: "file"))
    var output: String

    @Option(help: "A comment for the public key line (default: user@host).")
    var comment: String?

    func run() throws {
        do {
            guard !FileManager.default.fileExists(atPath: output) else { throw Failure("\(output) exists: graft keygen does not overwrite a key") }
            let key = try SigningKey.generate()
            let fd = open(output, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw Failure("cannot create \(output): \(String(cString: strerror(errno)))") }
            let secret = Array("\(SigningKey.secretTag) \(Data(key.seed).base64EncodedString())\n".utf8)
            let wrote = secret.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard wrote == secret.count else { throw Failure("cannot write \(output)") }
            let who = comment ?? "\(ProcessInfo.processInfo.environment["USER"] ?? "user")@\(ProcessInfo.processInfo.hostName)"
            try "\(SigningKey.publicTag) \(SigningKey.describe(key.publicKey)) \(who)\n".write(toFile: output + ".pub", atomically: true, encoding: .utf8)
            print("wrote \(output) (secret) and \(output).pub (public key \(SigningKey.describe(key.publicKey)))")
        } catch { throw ExitCode(Console.report(error)) }
    }
}

/// `graft sign --key K P.patch`: signs a patch file (again), in place or to -o.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a patch file with a key made by graft keygen (replacing any signature).",
        discussion: "The file's seal and any signature it has are checked first: a corrupt or altered patch is not signed.")

    @Option(help: ArgumentHelp("The secret key (graft keygen's FILE).", valueName: "key"))
    var key: String

    @Argument(help: "The patch file.")
    var patch: String

    @Option(name: .shortAndLong, help: "Where to write the signed patch (default: over PATCH).")
    var output: String?

    func run() throws {
        do {
            let k = try SigningKey.load(key)
            let file = try PatchFile.read(patch)
            guard let abi = file.meta["abi"].flatMap(Int.init) else { throw Failure("\(patch) names no ABI") }
            try PatchFile.write(try PatchFile.bytes(so: file.so, abi: abi, base: file.base, target: file.target, signedWith: k), to: output ?? patch)
            print("signed \(output ?? patch) with key \(SigningKey.describe(k.publicKey))")
        } catch { throw ExitCode(Console.report(error)) }
    }
}

// MARK: - The control channel

enum ControlChannel {
    static func socketPath(pid: Int32) -> String { "/tmp/graft-\(getuid())/\(pid).sock" }

    /// The sockets that may be process `pid`'s channel, best first: the
    /// caller's own directory; for root also the directory of the uid the
    /// process runs as now and every other one (a daemon started as root that
    /// dropped privileges keeps its channel in root's).
    static func candidateSockets(pid: Int32, owner: uid_t?) -> [String] {
        var paths = [socketPath(pid: pid)]
        if geteuid() == 0, let owner { paths.append("/tmp/graft-\(owner)/\(pid).sock") }
        var seen = Set<String>()
        let near = paths.filter { seen.insert($0).inserted && FileManager.default.fileExists(atPath: $0) }
        guard near.isEmpty, geteuid() == 0 else { return near }
        // Root, and not in the usual places: the directories of every uid the process has held (real, effective,
        // saved, filesystem: /proc/PID/status) and root's. (Not a listing of /tmp, which may hold very many entries.)
        var uids: [uid_t] = [0]
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) {
            uids += line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().compactMap { uid_t($0) }
        }
        return uids.map { "/tmp/graft-\($0)/\(pid).sock" }.filter { seen.insert($0).inserted && FileManager.default.fileExists(atPath: $0) }
    }

    /// Connects to the first candidate socket that answers.
    private static func connectChannel(pid: Int32, owner: uid_t?) throws -> Int32 {
        let noChannel = Failure("process \(pid) is not an updatable graft program (no control socket)")
        var lastError: Failure? = nil
        for path in candidateSockets(pid: pid, owner: owner) {
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let pathBytes = Array(path.utf8)
            guard pathBytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { continue }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                raw.copyBytes(from: pathBytes)
                raw[pathBytes.count] = 0
            }
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure("cannot create a socket: \(String(cString: strerror(errno)))") }
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if connected == 0 { return fd }
            let e = errno
            close(fd)
            if e == ENOENT || e == ECONNREFUSED || e == ENOTDIR { continue }
            lastError = Failure("cannot reach process \(pid) through \(path): \(String(cString: strerror(e)))")
        }
        throw lastError ?? noChannel
    }

    /// Sends one request line to process `pid` and returns its one-line reply;
    /// `passing` is a descriptor sent along with the line (SCM_RIGHTS).
    static func request(pid: Int32, _ line: String, timeout: Double, passing passFD: Int32? = nil) throws -> String {
        guard pid > 0 else { throw Failure("no process \(pid)") }
        if kill(pid, 0) != 0 && errno == ESRCH { throw Failure("no process \(pid)") }
        var st = stat()
        let owner: uid_t? = stat("/proc/\(pid)", &st) == 0 ? st.st_uid : nil
        // Only the owner (or root) may update a process: its channel lives in the owner's 0700 directory.
        if let owner, owner != getuid(), geteuid() != 0, candidateSockets(pid: pid, owner: owner).isEmpty {
            throw Failure("process \(pid) belongs to uid \(owner), not to uid \(getuid()): only its owner or root may update it (its control channel is /tmp/graft-\(owner)/\(pid).sock)")
        }
        var statusStat = stat()
        if let owner, owner == getuid(), owner != 0, geteuid() != 0, candidateSockets(pid: pid, owner: owner).isEmpty,
           stat("/proc/\(pid)/status", &statusStat) == 0, statusStat.st_uid == 0 {
            // /proc/PID is the process's, its files root's: the process is not dumpable.
            throw Failure("process \(pid) runs as uid \(owner) but is not dumpable (it changed its credentials since it started, e.g. dropped privileges from root), so only root may update it: run graft apply as root, or have the program call prctl(PR_SET_DUMPABLE, 1) after the drop to allow uid \(owner)")
        }
        let fd = try connectChannel(pid: pid, owner: owner)
        defer { close(fd) }
        if let passFD {
            // The first byte of the line carries the descriptor.
            var byte = Array(line.utf8.prefix(1))
            let space = Int(CMSG_SPACE_INT)
            var control = [UInt8](repeating: 0, count: space)
            let sent: Int = byte.withUnsafeMutableBytes { b in
                control.withUnsafeMutableBytes { c in
                    var iov = iovec(iov_base: b.baseAddress, iov_len: b.count)
                    return withUnsafeMutablePointer(to: &iov) { iovp in
                        var m = msghdr()
                        m.msg_iov = iovp
                        m.msg_iovlen = 1
                        m.msg_control = c.baseAddress
                        m.msg_controllen = space
                        // struct cmsghdr { size_t len; int level; int type; } then the int.
                        c.storeBytes(of: Int(CMSG_LEN_INT), toByteOffset: 0, as: Int.self)
                        c.storeBytes(of: Int32(SOL_SOCKET), toByteOffset: MemoryLayout<Int>.size, as: Int32.self)
                        c.storeBytes(of: Int32(SCM_RIGHTS), toByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self)
                        c.storeBytes(of: passFD, toByteOffset: MemoryLayout<Int>.size + 8, as: Int32.self)
                        return sendmsg(fd, &m, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            if sent != 1 { throw Failure("process \(pid) closed its control channel: \(String(cString: strerror(errno)))") }
        }
        var out = Array((line + "\n").utf8).dropFirst(passFD == nil ? 0 : 1)
        while !out.isEmpty {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw Failure("process \(pid) closed its control channel: \(String(cString: strerror(errno)))") }
            out = out.dropFirst(n)
        }
        var reply: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !reply.contains(0x0a) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { throw Failure("process \(pid) did not answer within \(seconds(timeout))") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(left * 1000, 1_000_000_000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw Failure("process \(pid) closed its control channel without an answer: " + fate(pid)) }
            reply += chunk[0..<n]
        }
        return String(decoding: reply[..<reply.firstIndex(of: 0x0a)!], as: UTF8.self)
    }

    /// What became of process `pid` after its channel closed: exited (with
    /// the status, while its parent has not collected it), killed, or alive.
    static func fate(_ pid: Int32) -> String {
        // The process may still be tearing down: look for a moment.
        for _ in 0..<50 {
            if kill(pid, 0) != 0 && errno == ESRCH {
                return "the process has exited (its exit status went to its parent); the patch was not applied"
            }
            // /proc files say they are empty: read them to their end.
            // (`try?`: the process may be reaped between the open and the read, ESRCH.)
            if let h = FileHandle(forReadingAtPath: "/proc/\(pid)/stat"), let data = try? h.readToEnd(),
               case let stat = String(decoding: data, as: UTF8.self), let close = stat.lastIndex(of: ")") {
                let fields = stat[stat.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
                // fields[0] is the state (field 3); exit_code is field 52.
                if fields.first == "Z" || fields.first == "X" {
                    if fields.count >= 50, let code = Int32(fields[49]) {
                        let sig = code & 0x7f
                        if sig == 0 { return "the process exited with status \((code >> 8) & 0xff); the patch was not applied" }
                        let name = strsignal(sig).map { String(cString: $0) } ?? "signal \(sig)"
                        return "the process was killed by signal \(sig) (\(name))\(code & 0x80 != 0 ? ", core dumped" : ""); the patch was not applied"
                    }
                    return "the process has exited; the patch was not applied"
                }
            }
            usleep(20_000)
        }
        return "the process is still running; its runtime dropped the request (is it the process that was started, and an updatable graft program?)"
    }

    /// The process's STATUS, decoded.
    static func status(pid: Int32) throws -> (raw: String, status: ProcessStatus) {
        let raw = try request(pid: pid, "STATUS", timeout: 10)
        guard let status = try? JSONDecoder().decode(ProcessStatus.self, from: Data(raw.utf8)) else {
            throw Failure("process \(pid) answered STATUS with something that is not its status: \(raw)")
        }
        return (raw, status)
    }

    /// "30 s", "1.5 s".
    static func seconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e15 ? "\(Int64(s)) s" : "\(s) s"
    }
}

/// What STATUS answers.
struct ProcessStatus: Decodable {
    struct Update: Decodable {
        var from: String
        var to: String
        var pause_us: Int
        var point: UInt32
        var description: String
        var at: Int
        /// The process it was applied in: a forked child inherits the updates its parent had (UPD-9).
        var pid: Int32?
    }
    var pid: Int32
    var program: String
    var version: String
    var base_version: String
    /// DEPLOY-2: a development build that accepts unsigned patches; the number of keys built in.
    var accepts_unsigned: Bool?
    var trusted_keys: Int?
    struct WrappedType: Decodable {
        var type: String
        var representation: String
        var conversions: Int
    }
    var updates: [Update]
    var pending: Bool
    /// Wrapped types: the representation each has now, and how many objects were converted lazily.
    var types: [WrappedType]?
    /// A forked child (UPD-9): the process that forked it, when (unix time), and the version it ran then.
    var forked_from: Int32?
    var forked_at: Int?
    var forked_version: String?
    /// How many children this process has forked.
    var forks: Int?
    /// DEPLOY-7: whether graft rollback can undo the last update, to which version, or why not.
    struct RollbackState: Decodable {
        var available: Bool
        var to: String?
        var reason: String?
    }
    var rollback: RollbackState?
}

// MARK: - Commands

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply a patch to a running program.",
        discussion: """
            Sends the patch to the process through its control channel (a Unix socket \
            only its owner, and root, may use). The process checks the patch before \
            touching anything: the file's integrity, that it was built for the version \
            the process runs, that every function slot and wrapped type it names exists. \
            It then applies the patch, all or nothing, once every thread of the program \
            is at an update point where the patch is admissible (a thread that reaches \
            none refuses it, UPD-5), and answers with the outcome. A patch that is not \
            applied within the timeout is withdrawn: the program runs on exactly as \
            before. If the process exits while the patch waits, graft apply says so, \
            with its exit status or the signal that killed it.

            Forking servers (UPD-9): every process has its own channel and version; a \
            child forked before an update keeps the version it was forked at. --all \
            sends the patch to every process of a set at once, each with the full \
            --timeout: with --pid PID, the process and its live descendants; with \
            --program BUILD, every running process of BUILD's lineage (an executable \
            built by graft, or a version id: see graft status); alone, the lineage of the \
            patch's base version. A process that runs the patch's base is updated; one at \
            another version is skipped, with the reason; processes forked while the \
            patch was being applied are looked for again (three rounds at most). One \
            line per process says what happened. A process that refuses the patch, or \
            does not take it in time, runs on exactly as before.

            graft sends the program no signal: a program blocked in a system call \
            (read, poll, accept, sleep) reaches its next update point when the call \
            returns, as it would without graft. --interrupt wakes the main thread with \
            SIGURG instead, so that such calls fail with EINTR: only for programs that \
            retry on EINTR past an update point (refused for one that handles or blocks \
            SIGURG itself).

            Root may update any updatable process. Its own uid only while it is \
            dumpable (the kernel's rule for ptrace): a daemon started as root that \
            dropped privileges is root's to update, unless it allows its new uid with \
            prctl(PR_SET_DUMPABLE, 1).

            Examples:
              graft apply --pid 4242 server-v2.patch
              graft apply --pid 4242 --timeout 5 server-v2.patch
              graft apply --pid 4242 --interrupt server-v2.patch
              graft apply --pid 4242 --all server-v2.patch
              graft apply --all --program ./server server-v2.patch
              graft apply --all server-v2.patch

            --json prints one JSON object on stdout, for scripts and deployment tools: \
            for --pid PID alone {"ok", "pid", "ppid", "outcome", "reason", "base", \
            "target", "version_before", "version_after", "pause_us", "point"} (the \
            fields that apply; outcome is applied, rejected, timed_out, exited or error); \
            with --all {"base", "target", "scope", "ok", "processes": [row...]}, a row \
            having the fields of the --pid object from pid to point. A human-readable \
            message still goes to stderr when the patch is not applied. graft apply \
            writes no progress and no terminal escape codes.

            Exit status: 0 when the patch was applied; 1 when it was rejected, timed \
            out, the process exited, or it could not be reached (also for a patch file \
            that cannot be read); 64 for a command line that is not valid. With --all: \
            0 when every process found at the patch's base was updated (processes that \
            exited meanwhile excepted) and at least one process now runs the patch's \
            target; 1 otherwise.
            """)

    @Option(help: ArgumentHelp("The process to update (with --all, and its descendants).", valueName: "pid"))
    var pid: Int32?

    @Flag(help: "Update every process of a set: --pid PID and its descendants, --program BUILD's lineage, or (alone) the lineage of the patch's base.")
    var all = false

    @Option(help: ArgumentHelp("With --all: the processes of this build's lineage (an executable built by graft, or a version id).", valueName: "build"))
    var program: String?

    @Argument(help: ArgumentHelp("The patch file (built by graft patch).", valueName: "patch"))
    var patch: String

    @Option(help: ArgumentHelp("Seconds to wait for an update point where the patch is admissible.", valueName: "seconds"))
    var timeout: Double = 30

    @Flag(help: "Wake the program's main thread with SIGURG while the patch waits (blocking calls fail with EINTR).")
    var interrupt = false

    @Flag(help: "Print the outcome as one JSON object (with --all, the report).")
    var json = false

    func validate() throws {
        if program != nil && !all { throw ValidationError("--program BUILD goes with --all") }
        if !all && pid == nil { throw ValidationError("give --pid PID, or --all (see graft apply --help)") }
        if program != nil && pid != nil { throw ValidationError("give --pid PID or --program BUILD, not both") }
    }

    func run() throws {
        if json && !all, let pid { try applyOneJSON(pid: pid); return }
        do {
            let patchFD = try openPatch()
            defer { close(patchFD) }
            let path = Self.absolute(patch)
            if all { try applyAll(path: path, fd: patchFD); return }
            guard let pid else { return }
            switch try Self.send(pid: pid, path: path, fd: patchFD, timeout: timeout, interrupt: interrupt) {
            case .applied(let pause, let point):
                if let (_, s) = try? ControlChannel.status(pid: pid) {
                    print("applied: \(s.program) now runs version \(s.version) (pause \(pause) µs at update point \(point))")
                } else {
                    print("applied: process \(pid) (pause \(pause) µs at update point \(point))")
                }
            case .rejected(let why):
                Console.error("rejected: \(why)\n")
                throw ExitCode(1)
            case .timedOut(let why):
                Console.error("timed out: \(why)\n")
                throw ExitCode(1)
            case .exited(let why):
                Console.error("process \(pid) exited: \(why)\n")
                throw ExitCode(1)
            }
        } catch let e as ExitCode { throw e }
        catch { throw ExitCode(Console.report(error)) }
    }

    static func absolute(_ patch: String) -> String { URL(fileURLWithPath: patch).standardizedFileURL.path }

    /// Checks --timeout and opens the patch file, without blocking; the caller closes the descriptor.
    private func openPatch() throws -> Int32 {
        guard timeout > 0, timeout.isFinite, timeout <= 1e6 else { throw Failure("--timeout must be a number of seconds above 0") }
        let path = Self.absolute(patch)
        guard FileManager.default.fileExists(atPath: path) else { throw Failure("no such file: \(patch)") }
        guard !path.contains("\n") && !path.contains("\r") else { throw Failure("the patch path contains a line break: \(patch)") }
        // The patch goes as an open descriptor too: the process need not be able to open it
        // itself (a daemon that dropped privileges, a patch in a private directory).
        // Without blocking (a FIFO or a device is no patch file; DEPLOY-3).
        let patchFD = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard patchFD >= 0 else { throw Failure("cannot read \(patch): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(patchFD, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(patchFD)
            throw Failure("\(patch) is not a regular file, so no patch file [DEPLOY-3]")
        }
        return patchFD
    }

    /// `--pid PID --json`: one object on stdout whatever happens (the --all row's fields, with ok,
    /// base and target), the reason also on stderr when the patch was not applied; exit 1 unless applied.
    private func applyOneJSON(pid: Int32) throws {
        var row = Row(pid: pid, ppid: Processes.entry(pid)?.ppid ?? 0, kind: .error)
        var header: PatchFile.Contents? = nil
        do {
            let fd = try openPatch()
            defer { close(fd) }
            let path = Self.absolute(patch)
            header = try? PatchFile.read(path)
            row.before = (try? ControlChannel.status(pid: pid))?.status.version
            switch try Self.send(pid: pid, path: path, fd: fd, timeout: timeout, interrupt: interrupt) {
            case .applied(let pause, let point):
                row.kind = .applied
                row.pause = pause
                row.point = point
                row.after = (try? ControlChannel.status(pid: pid))?.status.version ?? header?.target
            case .rejected(let why): row.kind = .rejected; row.reason = why; row.after = row.before
            case .timedOut(let why): row.kind = .timed_out; row.reason = why; row.after = row.before
            case .exited(let why): row.kind = .exited; row.reason = why
            }
        } catch {
            row.reason = (error as? Failure)?.message ?? "\(error)"
        }
        var o = row.json
        o["ok"] = row.kind == .applied
        if let header { o["base"] = header.base; o["target"] = header.target }
        print(StatusCommand.jsonText(o))
        guard row.kind == .applied else {
            Console.error("graft: error: \(row.kind.rawValue.replacingOccurrences(of: "_", with: " ")): \(row.reason ?? "")\n")
            throw ExitCode(1)
        }
    }

    enum Outcome {
        case applied(pause: String, point: String)
        case rejected(String), timedOut(String), exited(String)
    }

    /// Sends APPLY to `pid` and waits for its answer; throws when the process cannot be reached.
    static func send(pid: Int32, path: String, fd: Int32, timeout: Double, interrupt: Bool) throws -> Outcome {
        try outcome(pid: pid, ControlChannel.request(pid: pid, "APPLY \(path) \(timeout)" + (interrupt ? " interrupt" : ""),
                                                     timeout: timeout + 5, passing: fd))
    }

    /// The outcome an APPLY or ROLLBACK reply of `pid` says; throws for any other answer.
    static func outcome(pid: Int32, _ reply: String) throws -> Outcome {
        let (word, rest) = split(reply)
        switch word {
        case "APPLIED":
            var fields: [String: String] = [:]
            for item in rest.split(separator: " ") {
                let kv = item.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
            }
            return .applied(pause: fields["pause_us"] ?? "?", point: fields["point"] ?? "?")
        case "REJECTED": return .rejected(rest)
        case "TIMEOUT": return .timedOut(rest)
        case "EXITED":
            // "status=N not applied: …"
            return .exited(rest.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? rest)
        default:
            throw Failure("process \(pid) answered: \(reply)")
        }
    }

    private static func split(_ reply: String) -> (String, String) {
        guard let space = reply.firstIndex(of: " ") else { return (reply, "") }
        return (String(reply[..<space]), String(reply[reply.index(after: space)...]))
    }

    // MARK: --all

    /// What became of one process under --all.
    struct Row {
        enum Kind: String { case applied, skipped, rejected, timed_out, exited, unreachable, error }
        var pid: Int32
        var ppid: Int32
        var kind: Kind
        var reason: String?
        var before: String?
        var after: String?
        var pause: String?
        var point: String?
        /// Whether it leaves the run short of its goal (a process that should have been updated and was not).
        var fails: Bool { [.rejected, .timed_out, .unreachable, .error].contains(kind) }

        var json: [String: Any] {
            var o: [String: Any] = ["pid": Int(pid), "ppid": Int(ppid), "outcome": kind.rawValue]
            if let reason { o["reason"] = reason }
            if let before { o["version_before"] = before }
            if let after { o["version_after"] = after }
            if let pause, let p = Int(pause) { o["pause_us"] = p }
            if let point, let p = Int(point) { o["point"] = p }
            return o
        }

        var text: String {
            let who = "pid \(pid) (ppid \(ppid))"
            switch kind {
            case .applied: return "\(who): applied, now runs \(after ?? "?") (pause \(pause ?? "?") µs at update point \(point ?? "?"))"
            case .timed_out: return "\(who): timed out: \(reason ?? "")"
            default: return "\(who): \(kind.rawValue): \(reason ?? "")"
            }
        }
    }

    private func applyAll(path: String, fd: Int32) throws {
        let file = try PatchFile.read(path)
        let base = file.base, target = file.target
        let scope: () -> [LiveProcess]
        let what: String
        if let pid {
            guard let me = Processes.entry(pid) else { throw Failure("no process \(pid)") }
            let root = Processes.query(me)
            if root.status == nil { throw StatusCommand.explainUnreached(pid, Failure(root.why ?? "process \(pid) has no control channel")) }
            scope = {
                let t = Processes.all()
                guard let me = t[pid] else { return [] }
                return [Processes.query(me)] + Processes.liveDescendants(of: me, in: t)
            }
            what = "pid \(pid) and its updatable descendants"
        } else {
            let v = try program.map(Processes.version(ofProgram:)) ?? base
            scope = { Processes.lineage(v, in: Processes.all()) }
            what = "the processes of the lineage of \(v)" + (program == nil ? " (the patch's base)" : "")
        }

        var rows: [Row] = []
        var seen = Set<Int32>()
        for _ in 0..<3 {
            let found = scope().filter { !seen.contains($0.pid) }
            seen.formUnion(found.map(\.pid))
            if found.isEmpty { break }
            let results = Slots<Row>(found.count)
            let box = Slots<LiveProcess>(found.count)
            for (i, p) in found.enumerated() { box[i] = p }
            let group = DispatchGroup()
            let (timeout, interrupt) = (self.timeout, self.interrupt)
            for i in found.indices {
                group.enter()
                let t = Thread {
                    results[i] = Self.update(box[i]!, base: base, target: target, path: path, fd: fd, timeout: timeout, interrupt: interrupt)
                    group.leave()
                }
                t.start()
            }
            group.wait()
            let round = results.values
            rows += round
            // Processes forked meanwhile may still run the base: look again, once something was applied.
            if !round.contains(where: { $0.kind == .applied }) { break }
        }

        let atBase = rows.filter { $0.before == base || $0.kind == .unreachable }
        let failed = rows.filter(\.fails)
        let applied = rows.filter { $0.kind == .applied }.count
        let atTarget = applied + rows.filter { $0.kind == .skipped && $0.before == target }.count
        let ok = failed.isEmpty && atTarget > 0
        if json {
            print(StatusCommand.jsonText(["base": base, "target": target, "scope": what, "ok": ok,
                                          "processes": rows.map(\.json)] as [String: Any]))
        } else {
            print("patch \(base) → \(target): \(what)")
            for r in rows { print("  " + r.text) }
            var counts: [String] = ["\(applied) applied"]
            for k in [Row.Kind.rejected, .timed_out, .unreachable, .error, .exited] {
                let n = rows.filter { $0.kind == k }.count
                if n > 0 { counts.append("\(n) \(k.rawValue.replacingOccurrences(of: "_", with: " "))") }
            }
            let skipped = rows.filter { $0.kind == .skipped }.count
            print("\(atBase.count) process\(atBase.count == 1 ? "" : "es") at the patch's base: " + counts.joined(separator: ", ")
                  + (skipped > 0 ? "; \(skipped) skipped" : ""))
        }
        if rows.isEmpty { Console.error("graft: error: no running process: \(what)\n") }
        else if !failed.isEmpty { Console.error("graft: error: \(failed.count) of \(atBase.count) process\(atBase.count == 1 ? "" : "es") at the patch's base \(failed.count == 1 ? "was" : "were") not updated\n") }
        else if atTarget == 0 { Console.error("graft: error: no process runs the patch's base \(base) or its target\n") }
        if !ok { throw ExitCode(1) }
    }

    /// One process under --all: skipped, or sent the patch.
    static func update(_ p0: LiveProcess, base: String, target: String, path: String, fd: Int32, timeout: Double, interrupt: Bool) -> Row {
        var p = p0
        if p.status == nil {
            // A child forked a moment ago opens its channel at its first update point: wait for it a little.
            let deadline = Date().addingTimeInterval(min(2, timeout))
            while p.status == nil && Date() < deadline && kill(p.pid, 0) == 0 {
                if Processes.hasChannel(p.pid) { p = Processes.query(p.proc) } else { usleep(20_000) }
            }
        }
        var row = Row(pid: p.pid, ppid: p.proc.ppid, kind: .skipped, before: p.status?.version)
        guard let s = p.status else {
            if kill(p.pid, 0) != 0 && errno == ESRCH { row.kind = .exited; row.reason = "the process exited before the patch was sent"; return row }
            row.kind = .unreachable
            row.reason = (p.why ?? "no control channel") + "; it may run the patch's base"
            return row
        }
        // UPD-9: only a process at the patch's base is sent it (its runtime would refuse it anyway).
        if s.version == target && Rules.enforced("UPD-9", site: "skip") {
            row.reason = "it runs \(target), the patch's target (updated already)"
            row.after = target
            return row
        }
        if s.version != base && Rules.enforced("UPD-9", site: "skip") {
            row.reason = "it runs \(s.version), not the patch's base \(base)"
            row.after = s.version
            return row
        }
        if s.pending {
            row.kind = .rejected
            row.reason = "another patch waits in this process for an update point"
            row.after = s.version
            return row
        }
        do {
            switch try send(pid: p.pid, path: path, fd: fd, timeout: timeout, interrupt: interrupt) {
            case .applied(let pause, let point):
                row.kind = .applied
                row.pause = pause
                row.point = point
                row.after = (try? ControlChannel.status(pid: p.pid))?.status.version ?? target
            case .rejected(let why): row.kind = .rejected; row.reason = why; row.after = s.version
            case .timedOut(let why): row.kind = .timed_out; row.reason = why; row.after = s.version
            case .exited(let why): row.kind = .exited; row.reason = why
            }
        } catch {
            if kill(p.pid, 0) != 0 && errno == ESRCH { row.kind = .exited; row.reason = "the process exited before it answered" }
            else { row.kind = .error; row.reason = (error as? Failure)?.message ?? "\(error)" }
        }
        return row
    }
}

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Move a running program back to the version before its last update.",
        discussion: """
            A patch built by graft patch carries its patch back, derived by the same \
            checker from the two builds the other way round (DEPLOY-7), or the reason \
            there is none; graft patch says which. The process keeps the patch back of \
            the last patch applied to it. graft rollback asks it to apply that patch \
            back, by the same rules as any patch: checked against the process as it \
            runs, applied all or nothing once every thread is at an update point where \
            it is admissible, within --timeout, or not at all. Objects converted since \
            the update are converted back when code of the old version first uses them \
            (fields the update added are dropped); globals the update added stay, with \
            their values, unused by the old code.

            A rollback is one step: after it there is no further rollback until another \
            patch applies (applying the forward patch again goes forward). graft status \
            says whether a rollback is available, and to which version.

            The patch back needs no signature of its own: it came inside the forward \
            patch, whose signature covers it, and the process kept it in its memory.

            Examples:
              graft rollback --pid 4242
              graft rollback --pid 4242 --json

            --json prints one JSON object on stdout: {"ok", "pid", "outcome", "reason", \
            "version_before", "version_after", "pause_us", "point"} (the fields that \
            apply; outcome is applied, rejected, timed_out, exited or error).

            Exit status: 0 when the process was moved back; 1 when there is no rollback, \
            it was refused or timed out, or the process could not be reached; 64 for a \
            command line that is not valid.
            """)

    @Option(help: ArgumentHelp("The process to move back.", valueName: "pid"))
    var pid: Int32

    @Option(help: ArgumentHelp("Seconds to wait for an update point where the patch back is admissible.", valueName: "seconds"))
    var timeout: Double = 30

    @Flag(help: "Wake the program's main thread with SIGURG while the patch back waits (blocking calls fail with EINTR).")
    var interrupt = false

    @Flag(help: "Print the outcome as one JSON object.")
    var json = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite, timeout <= 1e6 else { throw ValidationError("--timeout must be a number of seconds above 0") }
    }

    func run() throws {
        var row = ApplyCommand.Row(pid: pid, ppid: Processes.entry(pid)?.ppid ?? 0, kind: .error)
        var program = "process \(pid)"
        do {
            let before: ProcessStatus
            do { before = try ControlChannel.status(pid: pid).status }
            catch let f as Failure { throw StatusCommand.explainUnreached(pid, f) }
            program = before.program
            row.before = before.version
            let reply = try ControlChannel.request(pid: pid, "ROLLBACK \(timeout)" + (interrupt ? " interrupt" : ""), timeout: timeout + 5)
            switch try ApplyCommand.outcome(pid: pid, reply) {
            case .applied(let pause, let point):
                row.kind = .applied
                row.pause = pause
                row.point = point
                row.after = (try? ControlChannel.status(pid: pid))?.status.version
            case .rejected(let why): row.kind = .rejected; row.reason = why; row.after = row.before
            case .timedOut(let why): row.kind = .timed_out; row.reason = why; row.after = row.before
            case .exited(let why): row.kind = .exited; row.reason = why
            }
        } catch {
            row.reason = (error as? Failure)?.message ?? "\(error)"
        }
        if json {
            var o = row.json
            o["ok"] = row.kind == .applied
            print(StatusCommand.jsonText(o))
        } else if row.kind == .applied {
            print("rolled back: \(program) now runs version \(row.after ?? "?") (pause \(row.pause ?? "?") µs at update point \(row.point ?? "?"))")
        }
        guard row.kind == .applied else {
            let what = row.kind == .exited ? "process \(pid) exited" : row.kind.rawValue.replacingOccurrences(of: "_", with: " ")
            let reason = row.reason ?? ""
            // The process's own "no rollback: …" says it all; any other refusal is of the patch back.
            let head = what != "rejected" ? what + ": " : reason.hasPrefix("no rollback: ") ? "" : "rollback refused: "
            Console.error("graft: error: \(head)\(reason)\n")
            throw ExitCode(1)
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which version running programs run and how they were updated.",
        discussion: """
            --pid PID asks the process through its control channel for the version it \
            runs now, the version it started with, and every update applied to it: when, \
            from which version to which, at which update point, and how long the program \
            was paused. A process forked by an updatable program says which process \
            forked it, when, and at which version (UPD-9); updates listed from before the \
            fork were applied in the parent. Then come the process's live descendants \
            (found through /proc): every updatable one with its pid, parent, version and \
            uptime, and every child that runs the same executable but has no control \
            channel yet (a child opens its channel at its first update point after the fork).

            --program BUILD lists every running process of BUILD's lineage: BUILD is an \
            executable built by graft (its version id) or a version id, and a process \
            belongs to the lineage when it started from that version, runs it, or passed \
            through it by updates (a forked child inherits its parent's). Children without \
            a channel yet that run the executable of such a process are listed too.

            --json prints the runtime's STATUS object for each process, with ppid, \
            uptime_s, started_at and reachable added (README: graft status).

            Examples:
              graft status --pid 4242
              graft status --pid 4242 --json
              graft status --program ./server
            """)

    @Option(help: ArgumentHelp("The process to ask (and its descendants).", valueName: "pid"))
    var pid: Int32?

    @Option(help: ArgumentHelp("Every running process of this build's lineage: an executable built by graft, or a version id.", valueName: "build"))
    var program: String?

    @Flag(help: "Print the answer as JSON.")
    var json = false

    func validate() throws {
        if (pid == nil) == (program == nil) { throw ValidationError("give --pid PID or --program BUILD (one of them)") }
    }

    func run() throws {
        do {
            if let program { try showLineage(program); return }
            guard let pid else { return }
            let (raw, s): (String, ProcessStatus)
            do { (raw, s) = try ControlChannel.status(pid: pid) }
            catch let f as Failure { throw Self.explainUnreached(pid, f) }
            let table = Processes.all()
            let me = table[pid] ?? ProcEntry(pid: pid, ppid: 0, uptime: 0, startedAt: 0, exe: nil)
            let descendants = Processes.liveDescendants(of: me, in: table)
            if json {
                var o = LiveProcess(proc: me, status: s, raw: (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any]).json
                o["descendants"] = descendants.map(\.json)
                print(Self.jsonText(o))
                return
            }
            print(Self.describe(s, proc: me, descendants: descendants).joined(separator: "\n"))
        } catch { throw ExitCode(Console.report(error)) }
    }

    private func showLineage(_ program: String) throws {
        let version = try Processes.version(ofProgram: program)
        let ps = Processes.lineage(version, in: Processes.all())
        if json {
            print(Self.jsonText(["lineage": version, "processes": ps.map(\.json)]))
            return
        }
        guard !ps.isEmpty else { print("no running process of the lineage of \(version)"); return }
        let names = Set(ps.compactMap { $0.status?.program }).sorted().joined(separator: ", ")
        print("\(names): \(ps.count) process\(ps.count == 1 ? "" : "es") of the lineage of \(version)")
        print(Processes.processTable(ps, indent: "  ").joined(separator: "\n"))
    }

    static func jsonText(_ o: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A process without a channel that is a forked child of an updatable one: say so.
    static func explainUnreached(_ pid: Int32, _ f: Failure) -> Failure {
        guard f.message.contains("no control socket"), let me = Processes.entry(pid), let parent = Processes.entry(me.ppid),
              me.exe != nil, me.exe == parent.exe, Processes.hasChannel(parent.pid) else { return f }
        return Failure("process \(pid) has no control channel yet: it was forked by updatable process \(parent.pid) and has reached no update point since (it opens its channel at its first one)")
    }

    static func describe(_ s: ProcessStatus, proc: ProcEntry, descendants: [LiveProcess]) -> [String] {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var lines = ["\(s.program) (pid \(s.pid))",
                     "  version       \(s.version)",
                     "  base version  \(s.base_version)"]
        if s.accepts_unsigned == true {
            lines.append("  WARNING       accepts UNSIGNED patches: a development build (GRAFT_ACCEPT_UNSIGNED=1); anyone who can reach it can change its code")
        }
        lines.append("  trusted keys  \(s.trusted_keys ?? 0) built in" + (FileManager.default.fileExists(atPath: "/etc/graft/trusted-keys") ? ", and those of /etc/graft/trusted-keys" : ""))
        if let from = s.forked_from {
            let when = s.forked_at.map { formatter.string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "?"
            lines.append("  forked        by pid \(from) at \(when), at version \(s.forked_version ?? "?")")
        }
        if s.updates.isEmpty {
            lines.append("  updates       none")
        } else {
            lines.append("  updates       \(s.updates.count)")
            let inherited = s.updates.contains { $0.pid != nil && $0.pid != s.pid }
            var rows = [["#", "when", "from", "to", "point", "pause"] + (inherited ? ["in"] : []) + ["what"]]
            for (i, u) in s.updates.enumerated() {
                let place = u.pid == nil || u.pid == s.pid ? "here" : "pid \(u.pid!), before the fork"
                rows.append(["\(i + 1)", formatter.string(from: Date(timeIntervalSince1970: TimeInterval(u.at))),
                             u.from, u.to, "\(u.point)", "\(u.pause_us) µs"] + (inherited ? [place] : []) + [u.description])
            }
            lines += Processes.table(rows, indent: "    ")
        }
        let converted = (s.types ?? []).filter { $0.conversions > 0 }.sorted { $0.type < $1.type }
        if !converted.isEmpty {
            lines.append("  converted     " + converted.map { "\($0.type): \($0.conversions)" }.joined(separator: ", ")
                         + " (conversion steps, done lazily on first use by new code)")
        }
        if let r = s.rollback {
            lines.append("  rollback      " + (r.available ? "available: graft rollback moves it back to \(r.to ?? "?")" : "not available: \(r.reason ?? "")"))
        }
        if s.pending { lines.append("  a patch is waiting for an admissible update point") }
        if !descendants.isEmpty {
            let other = descendants.filter { $0.status.map { $0.version != s.version } ?? false }.count
            let unreached = descendants.filter { $0.status == nil }.count
            var what = "\(descendants.count) live"
            if other > 0 { what += ", \(other) at another version than this process" }
            if unreached > 0 { what += ", \(unreached) without a control channel yet" }
            lines.append("  descendants   " + what)
            lines += Processes.processTable(descendants, indent: "    ")
        }
        return lines
    }
}
