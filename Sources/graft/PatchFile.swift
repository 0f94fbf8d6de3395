// Patch files and their signatures (Specs/deploy.md, DEPLOY-1 … DEPLOY-4).
//
// A patch file is the patch's shared object followed by a header the
// runtime reads before it loads anything (Sources/Runtime/patchfile.c has
// the layout): the format, the runtime ABI, the base and target versions,
// then an optional Ed25519 signature with the key that made it, the
// lengths, and a SHA-256 of all of it. Keys are OpenSSL's Ed25519 (RFC
// 8032), the library the runtime verifies with: `graft keygen` writes
// K (the secret seed, mode 600) and K.pub, one line each.

import CCrypto
import Checker
import Foundation

enum PatchFile {
    static let magic = Array("GRAFTPT2".utf8)
    static let signedPrefix = Array("graft-patch-v2\n".utf8)
    /// The runtime's own limit (GRAFT_PATCH_MAX_BYTES).
    static let maxBytes = 64 << 20

    /// What a patch file holds.
    struct Contents {
        var so: [UInt8]
        var meta: [String: String]
        var signature: [UInt8]?
        var key: [UInt8]?
        var base: String { meta["base"] ?? "" }
        var target: String { meta["target"] ?? "" }

        /// The plan the patch carries (its `.graft_plan` section, Codegen/Patch.swift).
        func plan(path: String) throws -> PatchPlan {
            guard let data = ObjectIR.section(".graft_plan", ofELF: Data(so)),
                  let plan = try? JSONDecoder().decode(PatchPlan.self, from: data.prefix { $0 != 0 }) else {
                throw Failure("\(path) carries no plan (built by an older graft?)")
            }
            return plan
        }
    }

    /// The file's bytes for shared object `so` from `base` to `target`, signed with `key` when given.
    static func bytes(so: [UInt8], abi: Int, base: String, target: String, signedWith key: SigningKey?) throws -> [UInt8] {
        guard so.starts(with: [0x7f, 0x45, 0x4c, 0x46]) else { throw Failure("not an ELF shared object") }
        guard !base.contains(where: \.isWhitespace), !target.contains(where: \.isWhitespace), !base.isEmpty else {
            throw Failure("a version is one word (base '\(base)', target '\(target)')")
        }
        let meta = Array("graft-patch 2\nabi \(abi)\nbase \(base)\ntarget \(target)\n".utf8)
        var sig: [UInt8] = [], pub: [UInt8] = []
        if let key {
            sig = try key.sign(signedPrefix + SHA256.hash(so + meta))
            pub = key.publicKey
        }
        var out = so + meta + sig + pub
        out += le(UInt64(so.count), 8) + le(UInt64(meta.count), 4) + le(UInt64(sig.count), 2) + le(UInt64(pub.count), 2)
        out += SHA256.hash(out) + magic
        return out
    }

    static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    /// Reads and checks patch file `path` as the runtime does, but for trust (which is the process's).
    static func read(_ path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(FileManager.default.fileExists(atPath: path) ? "cannot read \(path)" : "no such file: \(path)")
        }
        return try parse([UInt8](data), path: path)
    }

    static func parse(_ b: [UInt8], path: String) throws -> Contents {
        let tail = 16 + 32 + 8
        guard b.count >= tail, Array(b.suffix(8)) == magic else {
            throw Failure(b.suffix(8) == Array("GRAFTPT1".utf8) ? "\(path) is in the format of an older graft (GRAFTPT1): build it again"
                                                                : "\(path) is not a graft patch (no GRAFTPT2 trailer)")
        }
        func at(_ o: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[o + $1]) << (8 * $1) } }
        let t = b.count - tail
        let n = at(t, 8), m = at(t + 8, 4), s = at(t + 12, 2), k = at(t + 14, 2)
        guard n + m + s + k + tail == b.count, s == 0 || s == 64, k == (s == 0 ? 0 : 32) else {
            throw Failure("\(path) is corrupt: its trailer's lengths do not add up to the file")
        }
        guard SHA256.hash(Array(b[..<(b.count - 40)])) == Array(b[(b.count - 40)..<(b.count - 8)]) else {
            throw Failure("\(path) is corrupt: its SHA-256 does not match the trailer")
        }
        var meta: [String: String] = [:]
        for line in String(decoding: b[n..<(n + m)], as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { meta[String(parts[0])] = String(parts[1]) }
        }
        let signature = s == 0 ? nil : Array(b[(n + m)..<(n + m + s)])
        let key = k == 0 ? nil : Array(b[(n + m + s)..<(n + m + s + k)])
        if let signature, let key, !Ed25519.verify(key: key, signature: signature, message: signedPrefix + SHA256.hash(Array(b[..<(n + m)]))) {
            throw Failure("\(path): the signature does not verify (the patch was altered after it was signed)")
        }
        return Contents(so: Array(b[..<n]), meta: meta, signature: signature, key: key)
    }

    /// Writes `bytes` to `path` (atomically).
    static func write(_ bytes: [UInt8], to path: String) throws {
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) }
        catch { throw Failure("cannot write \(path): \(error.localizedDescription)") }
    }
}

/// An Ed25519 key pair, from the secret seed `graft keygen` writes.
struct SigningKey {
    let seed: [UInt8]
    let publicKey: [UInt8]

    static let secretTag = "graft-ed25519-secret"
    static let publicTag = "graft-ed25519"

    init(seed: [UInt8]) throws {
        guard seed.count == 32 else { throw Failure("an Ed25519 secret key is 32 bytes") }
        self.seed = seed
        self.publicKey = try Ed25519.publicKey(seed: seed)
    }

    static func generate() throws -> SigningKey {
        var seed = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&seed, 32) == 1 else { throw Failure("no randomness for a new key (RAND_bytes failed)") }
        return try SigningKey(seed: seed)
    }

    /// The key in file `path` (`graft-ed25519-secret BASE64`), which no one but its owner may read.
    static func load(_ path: String) throws -> SigningKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Failure("cannot read signing key \(path)") }
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            throw Failure("signing key \(path) is readable or writable by others (mode \(String(st.st_mode & 0o777, radix: 8))): chmod 600 \(path)")
        }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count >= 2, parts[0] == secretTag, let raw = Data(base64Encoded: String(parts[1])), raw.count == 32 else {
            throw Failure("\(path) is not a graft signing key (made by graft keygen)")
        }
        return try SigningKey(seed: [UInt8](raw))
    }

    /// The public key in file `path` (`graft-ed25519 BASE64 [comment]`, as K.pub holds).
    static func loadPublic(_ path: String) throws -> [UInt8] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Failure("cannot read public key \(path)") }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count >= 2, parts[0] == publicTag, let raw = Data(base64Encoded: String(parts[1])), raw.count == 32 else {
            throw Failure("\(path) is not a graft public key (K.pub, made by graft keygen)")
        }
        return [UInt8](raw)
    }

    static func describe(_ publicKey: [UInt8]) -> String { Data(publicKey).base64EncodedString() }

    func sign(_ message: [UInt8]) throws -> [UInt8] { try Ed25519.sign(seed: seed, message: message) }
}

/// Ed25519 through OpenSSL's libcrypto.
enum Ed25519 {
    static func publicKey(seed: [UInt8]) throws -> [UInt8] {
        guard let k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, 32) else { throw Failure("libcrypto refused the Ed25519 key") }
        defer { EVP_PKEY_free(k) }
        var pub = [UInt8](repeating: 0, count: 32)
        var len = 32
        guard EVP_PKEY_get_raw_public_key(k, &pub, &len) == 1, len == 32 else { throw Failure("libcrypto gave no Ed25519 public key") }
        return pub
    }

    static func sign(seed: [UInt8], message: [UInt8]) throws -> [UInt8] {
        guard let k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, 32), let c = EVP_MD_CTX_new() else {
            throw Failure("libcrypto refused the Ed25519 key")
        }
        defer { EVP_PKEY_free(k); EVP_MD_CTX_free(c) }
        var sig = [UInt8](repeating: 0, count: 64)
        var len = 64
        guard EVP_DigestSignInit(c, nil, nil, nil, k) == 1, EVP_DigestSign(c, &sig, &len, message, message.count) == 1, len == 64 else {
            throw Failure("libcrypto could not sign")
        }
        return sig
    }

    static func verify(key: [UInt8], signature: [UInt8], message: [UInt8]) -> Bool {
        guard key.count == 32, signature.count == 64, let k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, key, 32) else { return false }
        defer { EVP_PKEY_free(k) }
        guard let c = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(c) }
        return EVP_DigestVerifyInit(c, nil, nil, nil, k) == 1 && EVP_DigestVerify(c, signature, 64, message, message.count) == 1
    }
}

/// DEPLOY-2 at build time: the keys a program trusts and whether it accepts unsigned patches,
/// from the environment of the link (`GRAFT_TRUST_KEYS=K1.pub:K2.pub`, `GRAFT_ACCEPT_UNSIGNED=1`).
enum BuildTrust {
    static func fromEnvironment() throws -> (keys: [[UInt8]], acceptUnsigned: Bool) {
        let env = ProcessInfo.processInfo.environment
        let paths = (env["GRAFT_TRUST_KEYS"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        let keys = try paths.map { try SigningKey.loadPublic($0) }
        return (keys, env["GRAFT_ACCEPT_UNSIGNED"] == "1")
    }

    /// The signing key of `graft patch` and `graft seal-patch`: `--sign KEY`, else $GRAFT_SIGNING_KEY.
    static func signingKey(_ option: String?) throws -> SigningKey? {
        let path = option ?? ProcessInfo.processInfo.environment["GRAFT_SIGNING_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return try path.map { try SigningKey.load($0) }
    }
}
