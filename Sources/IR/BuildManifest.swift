// What an updatable build records about itself (its manifest): the data
// the instrumentation (Sources/Instrument) produces and the checker
// (Sources/Checker) and the patch generator read.

public struct UpdatePoint: Hashable, Codable, Sendable {
    public var id: Int
    /// Identity of the function the point is in.
    public var function: String
    public var loc: SourceLoc
    public init(id: Int, function: String, loc: SourceLoc) { self.id = id; self.function = function; self.loc = loc }
}

/// What a build records about itself, for `graft patch` and `graft status`.
public struct BuildManifest: Hashable, Codable, Sendable {
    public var version: String
    public var points: [UpdatePoint]
    /// Function identity → slot global name.
    public var slots: [String: String]
    /// Global identity → the name it is exported under.
    public var exported: [String: String]
    public init(version: String, points: [UpdatePoint], slots: [String: String], exported: [String: String]) {
        self.version = version; self.points = points; self.slots = slots; self.exported = exported
    }

    /// The function a program calls where it may be updated (`graft.h`).
    public static let updatePointFunction = "graft_update_point"
    /// What an updatable build makes of each: `graft_update_point_at(k)`, k the point's number.
    public static let updatePointAtFunction = "graft_update_point_at"
    /// The prefix of a function's slot (`graft_slot_F`), a global of the updatable build.
    public static let slotPrefix = "graft_slot_"
}
