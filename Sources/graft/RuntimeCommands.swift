// `graft apply` and `graft status`: talk to a running updatable program
// through its control channel, the Unix socket /tmp/graft-<uid>/<pid>.sock
// that the runtime (Sources/Runtime/control.c) serves. One request line,
// one reply line:
//   STATUS                  → {"pid":…, "program":…, "version":…, "base_version":…, "updates":[…], "pending":…}
//   APPLY <path> <seconds>  → APPLIED pause_us=<n> point=<id> | REJECTED <why> | TIMEOUT <why> | ERROR <why>
// Also `sealPatch`, which appends the integrity trailer the runtime checks
// (SHA-256 of the shared object, then "GRAFTPT1"), and `graft seal-patch`,
// a hidden command that runs it.

import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Patch files

/// CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)) on LP64 Linux (Glibc's macros are not imported).
private let CMSG_LEN_INT = MemoryLayout<Int>.size + 8 + 4
private let CMSG_SPACE_INT = MemoryLayout<Int>.size + 8 + 8

/// The 8 bytes that end a sealed patch file.
let patchMagic = Array("GRAFTPT1".utf8)

/// Writes `soPath` followed by its SHA-256 and `GRAFTPT1` to `outPath`: a
/// patch file the runtime accepts (it refuses one whose trailer is missing
/// or does not match). `outPath` may be `soPath`.
func sealPatch(soPath: String, outPath: String) throws {
    guard let so = FileManager.default.contents(atPath: soPath) else {
        throw Failure(FileManager.default.fileExists(atPath: soPath) ? "cannot read \(soPath)" : "no such file: \(soPath)")
    }
    let bytes = [UInt8](so)
    guard bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) else { throw Failure("\(soPath) is not an ELF shared object") }
    let sealed = Data(bytes + SHA256.hash(bytes) + patchMagic)
    do { try sealed.write(to: URL(fileURLWithPath: outPath), options: .atomic) }
    catch { throw Failure("cannot write \(outPath): \(error.localizedDescription)") }
}

/// The shared object inside a sealed patch file, its seal checked as the runtime checks it.
func unsealPatch(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw Failure(FileManager.default.fileExists(atPath: path) ? "cannot read \(path)" : "no such file: \(path)")
    }
    let bytes = [UInt8](data), trailer = 32 + patchMagic.count
    guard bytes.count > trailer, Array(bytes.suffix(patchMagic.count)) == patchMagic else {
        throw Failure("\(path) is not a sealed graft patch (no GRAFTPT1 trailer)")
    }
    let body = Array(bytes.prefix(bytes.count - trailer))
    guard SHA256.hash(body) == Array(bytes[body.count..<(bytes.count - patchMagic.count)]) else {
        throw Failure("\(path) is corrupt: its SHA-256 does not match the trailer")
    }
    return Data(body)
}

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
        abstract: "Append the integrity trailer (SHA-256 + GRAFTPT1) to a patch shared object.",
        shouldDisplay: false)

    @Argument(help: ArgumentHelp("The patch shared object.", valueName: "so"))
    var so: String

    @Option(name: .customShort("o"), help: ArgumentHelp("The sealed patch file to write.", valueName: "file"))
    var output: String

    func run() throws {
        do { try sealPatch(soPath: so, outPath: output) }
        catch { throw ExitCode(Console.report(error)) }
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
    }
    var pid: Int32
    var program: String
    var version: String
    var base_version: String
    struct WrappedType: Decodable {
        var type: String
        var representation: String
        var conversions: Int
    }
    var updates: [Update]
    var pending: Bool
    /// Wrapped types: the representation each has now, and how many objects were converted lazily.
    var types: [WrappedType]?
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

            Exit status: 0 when the patch was applied; 1 when it was rejected, timed \
            out, or the process could not be reached.
            """)

    @Option(help: ArgumentHelp("The process to update.", valueName: "pid"))
    var pid: Int32

    @Argument(help: ArgumentHelp("The patch file (built by graft patch).", valueName: "patch"))
    var patch: String

    @Option(help: ArgumentHelp("Seconds to wait for an update point where the patch is admissible.", valueName: "seconds"))
    var timeout: Double = 30

    @Flag(help: "Wake the program's main thread with SIGURG while the patch waits (blocking calls fail with EINTR).")
    var interrupt = false

    func run() throws {
        do {
            guard timeout > 0, timeout.isFinite, timeout <= 1e6 else { throw Failure("--timeout must be a number of seconds above 0") }
            let path = URL(fileURLWithPath: patch).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: path) else { throw Failure("no such file: \(patch)") }
            guard !path.contains("\n") && !path.contains("\r") else { throw Failure("the patch path contains a line break: \(patch)") }
            // The patch goes as an open descriptor too: the process need not be able to open it
            // itself (a daemon that dropped privileges, a patch in a private directory).
            let patchFD = open(path, O_RDONLY | O_CLOEXEC)
            guard patchFD >= 0 else { throw Failure("cannot read \(patch): \(String(cString: strerror(errno)))") }
            defer { close(patchFD) }
            let reply = try ControlChannel.request(pid: pid, "APPLY \(path) \(timeout)" + (interrupt ? " interrupt" : ""), timeout: timeout + 5,
                                                   passing: patchFD)
            let (word, rest) = split(reply)
            switch word {
            case "APPLIED":
                var fields: [String: String] = [:]
                for item in rest.split(separator: " ") {
                    let kv = item.split(separator: "=", maxSplits: 1)
                    if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
                }
                let pause = fields["pause_us"] ?? "?", point = fields["point"] ?? "?"
                if let (_, s) = try? ControlChannel.status(pid: pid) {
                    print("applied: \(s.program) now runs version \(s.version) (pause \(pause) µs at update point \(point))")
                } else {
                    print("applied: process \(pid) (pause \(pause) µs at update point \(point))")
                }
            case "REJECTED":
                Console.error("rejected: \(rest)\n")
                throw ExitCode(1)
            case "TIMEOUT":
                Console.error("timed out: \(rest)\n")
                throw ExitCode(1)
            case "EXITED":
                // "status=N not applied: …"
                let why = rest.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? rest
                Console.error("process \(pid) exited: \(why)\n")
                throw ExitCode(1)
            default:
                throw Failure("process \(pid) answered: \(reply)")
            }
        } catch let e as ExitCode { throw e }
        catch { throw ExitCode(Console.report(error)) }
    }

    private func split(_ reply: String) -> (String, String) {
        guard let space = reply.firstIndex(of: " ") else { return (reply, "") }
        return (String(reply[..<space]), String(reply[reply.index(after: space)...]))
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which version a running program runs and how it was updated.",
        discussion: """
            Asks the process through its control channel for the version it runs now, \
            the version it started with, and every update applied to it: when, from \
            which version to which, at which update point, and how long the program was \
            paused.

            Examples:
              graft status --pid 4242
              graft status --pid 4242 --json
            """)

    @Option(help: ArgumentHelp("The process to ask.", valueName: "pid"))
    var pid: Int32

    @Flag(help: "Print the process's answer as JSON.")
    var json = false

    func run() throws {
        do {
            let (raw, s) = try ControlChannel.status(pid: pid)
            if json { print(raw); return }
            var lines = ["\(s.program) (pid \(s.pid))",
                         "  version       \(s.version)",
                         "  base version  \(s.base_version)"]
            if s.updates.isEmpty {
                lines.append("  updates       none")
            } else {
                lines.append("  updates       \(s.updates.count)")
                let formatter = DateFormatter()
                formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
                var rows = [["#", "when", "from", "to", "point", "pause", "what"]]
                for (i, u) in s.updates.enumerated() {
                    rows.append(["\(i + 1)", formatter.string(from: Date(timeIntervalSince1970: TimeInterval(u.at))),
                                 u.from, u.to, "\(u.point)", "\(u.pause_us) µs", u.description])
                }
                let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
                for row in rows {
                    let cells = row.enumerated().map { c, cell in
                        c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    }
                    lines.append("    " + cells.joined(separator: "  "))
                }
            }
            let converted = (s.types ?? []).filter { $0.conversions > 0 }.sorted { $0.type < $1.type }
            if !converted.isEmpty {
                lines.append("  converted     " + converted.map { "\($0.type): \($0.conversions)" }.joined(separator: ", ")
                             + " (conversion steps, done lazily on first use by new code)")
            }
            if s.pending { lines.append("  a patch is waiting for an admissible update point") }
            print(lines.joined(separator: "\n"))
        } catch { throw ExitCode(Console.report(error)) }
    }
}
