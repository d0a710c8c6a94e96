import Testing
@Test func CHTTPTestsBuilds() { #expect(Bool(true)) }
