import Testing
@testable import PismoJSON

/// Seeded random trees: whatever the writer produces must parse back to the same tree, and the
/// token-by-token re-encoder must reproduce the writer's bytes exactly.
@Suite struct JSONRoundTripTests {
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let scalars: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{1F}", "\u{7F}",
                                            "é", "€", "😀", "\u{2028}", "\u{FFFF}", "\u{10FFFF}", "\t", "\n"]
    static let numbers = ["0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808",
                          "18446744073709551616", "0.1", "1e400", "-2.5E-7", "123456789.123456789123456789"]

    func randomString(_ r: inout Random) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<r.next(12) { s.append(Self.scalars[r.next(Self.scalars.count)]) }
        return String(s)
    }

    func randomValue(_ r: inout Random, depth: Int) -> JSONValue {
        switch r.next(depth > 4 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(r.next(2) == 0)
        case 2: return .number(Self.numbers[r.next(Self.numbers.count)])
        case 3: return .string(randomString(&r))
        case 4: return .array((0..<r.next(5)).map { _ in randomValue(&r, depth: depth + 1) })
        default:
            return .object((0..<r.next(5)).map { _ in
                JSONMember(key: randomString(&r), value: randomValue(&r, depth: depth + 1))
            })
        }
    }

    @Test func randomTreesRoundTrip() throws {
        var r = Random(state: 20_261_126)
        for _ in 0..<500 {
            let value = randomValue(&r, depth: 0)
            let bytes = value.encoded()
            let doc = try JSONDocument(bytes: bytes)
            #expect(JSONValue(doc.root) == value)
            #expect(doc.root.jsonEquals(doc.root))
            var writer = JSONWriter()
            writer.encode(doc.root)
            #expect(writer.bytes == bytes)
        }
    }
}
