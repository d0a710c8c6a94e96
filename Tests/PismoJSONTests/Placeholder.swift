import Testing
@Test func PismoJSONTestsBuilds() { #expect(Bool(true)) }
