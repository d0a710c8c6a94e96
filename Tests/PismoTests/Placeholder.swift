import Testing
@Test func PismoTestsBuilds() { #expect(Bool(true)) }
