/// 64-bit FNV-1a: the one hash graft uses for names and version ids
/// (stable across runs and machines, unlike `Hasher`).
public func fnv1a64(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100000001b3
    }
    return h
}
