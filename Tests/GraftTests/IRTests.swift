import Testing
@testable import IR
@Test func placeholder() { #expect(CType.int == .int(.int)) }
