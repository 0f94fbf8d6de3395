// Saving and loading a Program (the IR kept next to each .o file).
//
// JSON through the IR's Codable conformance, keys sorted so that one value
// always gives the same bytes (a build's version id hashes them). Finite
// doubles round-trip exactly (shortest spelling); infinities and NaNs are
// written as the strings "inf", "-inf", "nan" — a NaN's sign and payload
// are not kept (the text form of Printer.swift keeps them).

import Foundation

public extension Program {
    /// The program as deterministic JSON.
    func serialized() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(SerializedProgram(format: SerializedProgram.currentFormat, program: self))
    }

    /// Reads what `serialized()` wrote; throws a `Diagnostic` on anything else.
    init(serialized data: Data) throws {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let s: SerializedProgram
        do {
            s = try d.decode(SerializedProgram.self, from: data)
        } catch {
            throw Diagnostic(.error, .unknown, "not a serialized graft IR program: \(error)")
        }
        guard s.format == SerializedProgram.currentFormat else {
            throw Diagnostic(.error, .unknown, "serialized IR has format '\(s.format)', expected '\(SerializedProgram.currentFormat)'")
        }
        self = s.program
    }
}

/// The envelope: a format tag, so that a stale file from an older graft is
/// rejected with a message instead of decoding into nonsense.
struct SerializedProgram: Codable {
    static let currentFormat = "graft-ir-1"
    var format: String
    var program: Program
}
