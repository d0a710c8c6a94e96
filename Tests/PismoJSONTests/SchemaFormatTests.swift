import Testing
@testable import PismoJSON

@Suite struct SchemaFormatTests {
    private func check(_ format: SchemaFormat, _ valid: [String], _ invalid: [String]) {
        for s in valid { #expect(format.isValid(s), "\(format.rawValue) should accept \(s.debugDescription)") }
        for s in invalid { #expect(!format.isValid(s), "\(format.rawValue) should reject \(s.debugDescription)") }
    }

    @Test func dateTime() {
        check(.dateTime, ["1963-06-19T08:30:06.283185Z", "1990-12-31T15:59:50.123-08:00", "1998-12-31T23:59:60Z",
                          "1998-12-31T15:59:60.123-08:00", "2020-02-29t00:00:00z"],
              ["1990-02-31T15:59:59Z", "1998-12-31T23:58:60Z", "1990-12-31T24:00:00Z", "2021-02-29T00:00:00Z",
               "2020-01-01", "12:00:00Z", "2020-01-01T12:00:00", "2020-13-01T00:00:00Z", "1985-04-12T23:20:50+01",
               "1985-04-12T23:20:50Z\n", "2020-01-01T12:00:00.Z"])
    }

    @Test func dateTimeAndDuration() {
        check(.date, ["2020-02-29", "0400-02-29"], ["2100-02-29", "2020-1-01", "2020-01-01Z"])
        check(.time, ["23:59:60Z", "01:29:60+01:30", "12:34:56-00:00"], ["12:00:00", "22:59:60Z", "24:00:00Z"])
        check(.duration, ["P4DT12H30M5S", "P2W", "PT36H", "P1Y2M"], ["P", "PT", "P1YT", "P2D1Y", "P1Y2D", "PT1H2S", "P1Y2W", "PT0.5S"])
    }

    @Test func addresses() {
        check(.ipv4, ["192.168.0.1", "0.0.0.0"], ["256.1.1.1", "127.0.1", "01.2.3.4", "1.2.3.4\n"])
        check(.ipv6, ["::1", "::", "1:d6::42", "::ffff:192.168.0.1", "1:2:3:4:5:6:7:8"],
              ["1::d6::42", "1:2:3:4:5:6:7", ":2:3:4:5:6:7:8", "fe80::a%eth1", "12345::"])
        check(.email, ["joe.bloggs@example.com", "\"joe bloggs\"@example.com", "a@[IPv6:::1]"],
              ["te..st@example.com", ".a@example.com", "a@", "joe bloggs@example.com"])
        check(.idnEmail, ["실례@실례.테스트", "δοκιμή@example.com"], ["2962", "user＠example.com"])
    }

    @Test func hostnames() {
        check(.hostname, ["www.example.com", "xn--9n2bp8q.xn--9t4b11yi5a", "a--b.com"],
              ["-a.com", "a_b", "example.", "xn--X", "Kelvin\u{212A}.com", String(repeating: "a", count: 64)])
        check(.idnHostname, ["실례.테스트", "l·l", "a\u{3002}b", "\u{0915}\u{094D}\u{200D}\u{0937}"],
              ["\u{302E}실례", "a·l", "\u{0300}hello", "a\u{05D0}", "def\u{30FB}abc", "xn---9uc"])
    }

    @Test func uriFamilyAndPointers() {
        check(.uri, ["http://example.com/a?b#c", "urn:isbn:0451450523", "http://[::1]:80/"],
              ["//example.com", "http://exa mple.com", "\\\\WINDOWS\\file", "http://a/%zz"])
        check(.uriReference, ["/a/b", "#frag", "", "a/b:c"], ["\\\\x", "#a#b"])
        check(.iri, ["http://ƒøø.ßår/?∂éœ=πîx#πîüx"], ["/relative"])
        check(.uuid, ["2eb8aa08-aa98-11ea-b4aa-73b441d16380"], ["2eb8aa08-aa98-11ea-b4aa-73b441d1638", "2eb8aa08aa9811eab4aa73b441d16380"])
        check(.jsonPointer, ["", "/a~0b/~1", "/"], ["a", "/~2"])
        check(.relativeJSONPointer, ["0", "1/a", "2#"], ["-1", "01", "/a", "0##"])
        check(.uriTemplate, ["http://x/{a}", "{+path,x:3}"], ["{", "{a..b}", "a b"])
        check(.regex, ["^a+$", "(?<n>a)\\k<n>"], ["\\a", "(?i)x"])
    }
}
