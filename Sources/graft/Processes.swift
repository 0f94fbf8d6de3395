// The running processes of updatable programs, for `graft status` and
// `graft apply --all` (UPD-9): a forking server is a tree of processes, each
// with its own control channel and version.
//
// Processes are found through /proc: every process with a channel socket the
// caller may use (ControlChannel.sockets, DEPLOY-9) is asked for its STATUS; its parent, start
// time and executable come from /proc/PID. A forked child gets its channel at
// its first update point after the fork; until then it is listed, when it runs
// the same executable as its parent, as a process without a channel.
// A build's *lineage* is every process that started from that build, or that
// runs or ran its version through updates (base_version, version, or an
// update's from/to): a forked child inherits its parent's.

import Foundation
import Instrument
#if canImport(Glibc)
import Glibc
#endif

/// One process as /proc describes it.
struct ProcEntry {
    var pid: Int32
    var ppid: Int32
    /// Seconds since it started.
    var uptime: Double
    /// Unix time it started.
    var startedAt: Double
    /// /proc/PID/exe (nil when it cannot be read).
    var exe: String?
}

/// A process of an updatable program: what /proc says, and what its channel answered.
struct LiveProcess {
    var proc: ProcEntry
    /// Its STATUS (nil: no channel answered).
    var status: ProcessStatus?
    /// Its STATUS as the runtime sent it.
    var raw: [String: Any]?
    /// Why it has no status.
    var why: String?

    var pid: Int32 { proc.pid }

    /// Updates applied in this process itself (not inherited from the process that forked it).
    var ownUpdates: [ProcessStatus.Update] { status?.updates.filter { $0.pid == nil || $0.pid == proc.pid } ?? [] }

    /// The JSON object `graft status` prints for it: the runtime's STATUS plus
    /// ppid, uptime_s, started_at and reachable (and why, when not reachable).
    var json: [String: Any] {
        var o = raw ?? ["pid": Int(proc.pid)]
        o["ppid"] = Int(proc.ppid)
        o["uptime_s"] = (proc.uptime * 10).rounded() / 10
        o["started_at"] = Int(proc.startedAt)
        o["reachable"] = status != nil
        if status == nil { o["why"] = why ?? "no control channel" }
        return o
    }
}

enum Processes {
    /// Every process in /proc, by pid.
    static func all() -> [Int32: ProcEntry] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let boot = uptimeNow()
        let now = Date().timeIntervalSince1970
        var out: [Int32: ProcEntry] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), pid > 0, let e = entry(pid, ticks: ticks, boot: boot, now: now) else { continue }
            out[pid] = e
        }
        return out
    }

    static func entry(_ pid: Int32) -> ProcEntry? {
        entry(pid, ticks: Double(sysconf(Int32(_SC_CLK_TCK))), boot: uptimeNow(), now: Date().timeIntervalSince1970)
    }

    private static func entry(_ pid: Int32, ticks: Double, boot: Double, now: Double) -> ProcEntry? {
        guard let h = FileHandle(forReadingAtPath: "/proc/\(pid)/stat") else { return nil }
        defer { try? h.close() }
        let stat = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        // "pid (comm) state ppid …": comm may hold spaces and parentheses; the fields follow the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let f = stat[stat.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        // f[0] is field 3 (state): ppid is field 4, starttime field 22.
        guard f.count > 19, f[0] != "Z", f[0] != "X", let ppid = Int32(f[1]), let start = Double(f[19]) else { return nil }
        let up = max(0, boot - start / ticks)
        let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        return ProcEntry(pid: pid, ppid: ppid, uptime: up, startedAt: now - up, exe: exe)
    }

    private static func uptimeNow() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let first = s.split(separator: " ").first, let v = Double(first) else { return 0 }
        return v
    }

    /// Whether `pid` has a channel the caller could use (in a directory of the caller's; any, for root).
    static func hasChannel(_ pid: Int32) -> Bool {
        ControlChannel.sockets(pid: pid).contains { geteuid() == 0 || $0.directoryOwner == geteuid() }
    }

    /// Asks `entry`'s process for its status.
    static func query(_ entry: ProcEntry) -> LiveProcess {
        do {
            let (raw, status) = try ControlChannel.status(pid: entry.pid)
            let obj = (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any]
            return LiveProcess(proc: entry, status: status, raw: obj, why: nil)
        } catch let f as Failure {
            return LiveProcess(proc: entry, status: nil, raw: nil, why: f.message)
        } catch {
            return LiveProcess(proc: entry, status: nil, raw: nil, why: "\(error)")
        }
    }

    /// Asks every process in `entries` with a channel for its status (several at once).
    static func queryAll(_ entries: [ProcEntry]) -> [LiveProcess] {
        let withChannel = entries.filter { $0.pid != getpid() && hasChannel($0.pid) }
        let out = Slots<LiveProcess>(withChannel.count)
        DispatchQueue.concurrentPerform(iterations: withChannel.count) { i in out[i] = query(withChannel[i]) }
        return out.values
    }

    /// The descendants of `root` (children, their children, …) in `table`.
    static func descendants(of root: Int32, in table: [Int32: ProcEntry]) -> [ProcEntry] {
        var children: [Int32: [ProcEntry]] = [:]
        for e in table.values { children[e.ppid, default: []].append(e) }
        var out: [ProcEntry] = [], queue = [root], seen: Set<Int32> = [root]
        while let p = queue.popLast() {
            for c in children[p] ?? [] where seen.insert(c.pid).inserted {
                out.append(c)
                queue.append(c.pid)
            }
        }
        return out
    }

    /// The updatable descendants of `root`, asked for their status, and those
    /// without a channel that run root's executable (forked children that
    /// have reached no update point yet), oldest first.
    static func liveDescendants(of root: ProcEntry, in table: [Int32: ProcEntry]) -> [LiveProcess] {
        let desc = descendants(of: root.pid, in: table)
        var out = queryAll(desc)
        let answered = Set(out.map(\.pid))
        for e in desc where !answered.contains(e.pid) && e.exe != nil && e.exe == root.exe {
            if hasChannel(e.pid) { out.append(query(e)); continue }
            out.append(LiveProcess(proc: e, status: nil, raw: nil, why: noChannelYet(e)))
        }
        return sorted(out)
    }

    static func noChannelYet(_ e: ProcEntry) -> String {
        "no control channel: a child forked by pid \(e.ppid) that has reached no update point since the fork (it opens its channel at its first one)"
    }

    /// Every process of `version`'s lineage, and the children without a
    /// channel that run the executable of such a process.
    static func lineage(_ version: String, in table: [Int32: ProcEntry]) -> [LiveProcess] {
        let members = queryAll(Array(table.values)).filter { $0.status.map { inLineage($0, version) } ?? false }
        let exes = Dictionary(members.map { ($0.pid, $0.proc.exe) }, uniquingKeysWith: { a, _ in a })
        let known = Set(members.map(\.pid))
        var out = members
        for e in table.values where !known.contains(e.pid) {
            guard let parentExe = exes[e.ppid], parentExe != nil, e.exe == parentExe, !hasChannel(e.pid) else { continue }
            out.append(LiveProcess(proc: e, status: nil, raw: nil, why: noChannelYet(e)))
        }
        return sorted(out)
    }

    static func inLineage(_ s: ProcessStatus, _ version: String) -> Bool {
        s.base_version == version || s.version == version || s.updates.contains { $0.from == version || $0.to == version }
    }

    static func sorted(_ ps: [LiveProcess]) -> [LiveProcess] {
        ps.sorted { ($0.proc.startedAt, $0.pid) < ($1.proc.startedAt, $1.pid) }
    }

    /// The version id a `--program` argument names: an executable built by
    /// graft (its version), or a version id itself.
    static func version(ofProgram arg: String) throws -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: arg, isDirectory: &isDir), !isDir.boolValue {
            return Updatable.versionID(of: try PatchCommand.program(of: arg))
        }
        if !arg.isEmpty, arg.count <= 64, arg.allSatisfy(\.isHexDigit) { return arg.lowercased() }
        throw Failure("--program \(arg): neither an executable built by graft nor a version id (hex digits, as graft status prints)")
    }

    /// "4s", "3m07s", "2h05m", "3d04h".
    static func duration(_ s: Double) -> String {
        let t = Int(s)
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m" + String(format: "%02ds", t % 60) }
        if t < 86400 { return "\(t / 3600)h" + String(format: "%02dm", t % 3600 / 60) }
        return "\(t / 86400)d" + String(format: "%02dh", t % 86400 / 3600)
    }

    /// Rows as a table: every column but the last padded to its widest cell.
    static func table(_ rows: [[String]], indent: String) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = (0..<first.count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            indent + row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    /// The table `graft status` prints for several processes.
    static func processTable(_ ps: [LiveProcess], indent: String) -> [String] {
        var rows = [["PID", "PPID", "VERSION", "UPTIME", "UPDATES", "FORKED"]]
        for p in ps {
            guard let s = p.status else {
                rows.append(["\(p.pid)", "\(p.proc.ppid)", "?", duration(p.proc.uptime), "?", p.why ?? "no control channel"])
                continue
            }
            let own = p.ownUpdates.count, inherited = s.updates.count - own
            let updates = inherited > 0 ? "\(own) (+\(inherited) before the fork)" : "\(own)"
            let forked = s.forked_from.map { "by \($0) at \(s.forked_version ?? "?")" } ?? "-"
            rows.append(["\(p.pid)", "\(p.proc.ppid)", s.version + (s.pending ? " (patch waiting)" : ""), duration(p.proc.uptime), updates, forked])
        }
        return table(rows, indent: indent)
    }
}

/// Results that threads fill, one slot each.
final class Slots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T?]
    init(_ n: Int) { items = [T?](repeating: nil, count: n) }
    subscript(i: Int) -> T? {
        get { lock.withLock { items[i] } }
        set { lock.withLock { items[i] = newValue } }
    }
    var values: [T] { lock.withLock { items.compactMap { $0 } } }
}
