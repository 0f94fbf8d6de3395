// IR kept inside object files.
//
// `graft cc -c x.c -o x.o` writes an ordinary ELF object (the emitted C of
// the unit, compiled by the system compiler) with one extra section,
// `.graft_ir`, holding the unit's serialized IR. The section is flagged
// `exclude`, so a plain `ld` drops it from linked outputs, and an object is
// self-contained: it can be moved, put in an archive (`ar rcs libx.a`) or
// linked by plain `cc`, which just uses its machine code. The graft link
// step reads the section back (ELF and `ar` are parsed here, no tool runs).

import Foundation

enum ObjectIR {
    static let section = ".graft_ir"

    /// Adds the IR section (and the build record) to an object in place.
    static func embed(_ ir: Data, record: BuildRecord? = nil, into object: String, scratch: Toolchain.TempDir) throws {
        try addSections([(section, ir, true)] + (record.map { [(BuildRecord.section, $0.encoded(), false)] } ?? []), to: object, scratch: scratch)
    }

    /// Adds sections to an ELF file in place, each flagged `exclude` (a
    /// plain `ld` drops it) and not allocated (a loader never maps it);
    /// `compress`: gzip-compressed (JSON IR shrinks about tenfold).
    static func addSections(_ sections: [(name: String, data: Data, compress: Bool)], to file: String, scratch: Toolchain.TempDir) throws {
        var args = ["objcopy"]
        for (k, s) in sections.enumerated() {
            let path = scratch.file(((file as NSString).lastPathComponent) + ".section\(k)")
            try Toolchain.write(s.data, to: path)
            if s.compress, (try? Toolchain.runQuiet(["gzip", "-n", "-6", "-f", path]))?.status == 0,
               FileManager.default.fileExists(atPath: path + ".gz") {
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.moveItem(atPath: path + ".gz", toPath: path)
            }
            args += ["--add-section", "\(s.name)=\(path)", "--set-section-flags", "\(s.name)=contents,readonly,exclude"]
        }
        let r = try Toolchain.runQuiet(args + [file])
        if r.status != 0 { throw Failure("objcopy could not add sections to \(file): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))") }
    }

    /// The IR section of an ELF object's bytes, nil when there is none.
    static func irSection(ofELF d: Data) -> Data? { contents(section, ofELF: d) }

    /// Section `name` of an ELF file's bytes, decompressed when addSections compressed it; nil when there is none or it is unreadable.
    static func contents(_ name: String, ofELF d: Data) -> Data? {
        guard let raw = Self.section(name, ofELF: d) else { return nil }
        return raw.starts(with: [0x1f, 0x8b]) ? gunzip(raw) : raw
    }

    /// `gzip -dc` of `data`; nil when it is not valid gzip.
    static func gunzip(_ data: Data) -> Data? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        // Write on another thread: the pipe's buffer is smaller than the data.
        let writer = Thread {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? out : nil
    }

    /// The contents of the section `name` of an ELF file's bytes, nil when there is none.
    static func section(_ section: String, ofELF d: Data) -> Data? {
        let b = [UInt8](d)
        guard b.count >= 64, b[0] == 0x7F, b[1] == 0x45, b[2] == 0x4C, b[3] == 0x46, b[4] == 2, b[5] == 1 else { return nil }
        func u16(_ o: Int) -> Int { o + 2 <= b.count ? Int(b[o]) | Int(b[o + 1]) << 8 : 0 }
        func u32(_ o: Int) -> Int { o + 4 <= b.count ? u16(o) | u16(o + 2) << 16 : 0 }
        func u64(_ o: Int) -> Int { o + 8 <= b.count ? u32(o) | u32(o + 4) << 32 : 0 }
        let shoff = u64(0x28), shentsize = u16(0x3A), shnum = u16(0x3C), shstrndx = u16(0x3E)
        guard shoff > 0, shentsize >= 64, shstrndx < shnum, shoff + shnum * shentsize <= b.count else { return nil }
        let strtab = u64(shoff + shstrndx * shentsize + 24)
        let want = Array(section.utf8)
        for i in 0..<shnum {
            let h = shoff + i * shentsize
            let nameAt = strtab + u32(h)
            guard nameAt + want.count < b.count, Array(b[nameAt..<nameAt + want.count]) == want, b[nameAt + want.count] == 0 else { continue }
            let off = u64(h + 24), size = u64(h + 32)
            guard off + size <= b.count else { return nil }
            return Data(b[off..<off + size])
        }
        return nil
    }

    /// Members of a (non-thin) `ar` archive: name and bytes.
    static func archiveMembers(_ d: Data) -> [(name: String, data: Data)] {
        let b = [UInt8](d)
        guard b.count >= 8, String(decoding: b[0..<8], as: UTF8.self) == "!<arch>\n" else { return [] }
        var out: [(String, Data)] = []
        var longNames: [UInt8] = []
        var at = 8
        while at + 60 <= b.count {
            let field = { (o: Int, n: Int) in String(decoding: b[at + o..<at + o + n], as: UTF8.self).trimmingCharacters(in: .whitespaces) }
            let rawName = field(0, 16)
            guard let size = Int(field(48, 10)) else { break }
            let start = at + 60
            guard start + size <= b.count else { break }
            let body = Array(b[start..<start + size])
            if rawName == "//" {
                longNames = body
            } else if rawName != "/" && rawName != "/SYM64/" {
                var name = rawName
                if rawName.hasPrefix("/"), let off = Int(rawName.dropFirst()), off < longNames.count {
                    let end = longNames[off...].firstIndex(of: UInt8(ascii: "/")) ?? longNames.count
                    name = String(decoding: longNames[off..<end], as: UTF8.self)
                } else if name.hasSuffix("/") {
                    name.removeLast()
                }
                out.append((name, Data(body)))
            }
            at = start + size + (size & 1)
        }
        return out
    }
}
