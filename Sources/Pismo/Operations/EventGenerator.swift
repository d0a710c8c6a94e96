import Foundation
import PismoJSON

/// Sample events from several kinds of producer, valid against `schema/`: monitoring alerts,
/// card authorizations and a type without its own schema. Deterministic for a given seed.
public struct EventGenerator: Sendable {
    public var clients: Int
    public var seed: UInt64

    public init(clients: Int, seed: UInt64 = 42) {
        self.clients = max(1, clients)
        self.seed = seed
    }

    public func events(_ count: Int, now: Date = Date()) -> [String] {
        events(0..<count, now: now)
    }

    /// Events number `range` of the sequence (so a paced sender can generate each batch as it sends
    /// it, and `event_time` — with milliseconds — is the moment of sending: the pipeline benchmark
    /// measures end-to-end latency from it).
    public func events(_ range: Range<Int>, now: Date = Date()) -> [String] {
        var rng = SplitMix64(seed: seed &+ UInt64(range.lowerBound))
        let time = UTCTime.iso8601(now)
        return range.map { i in
            let client = "client-\(i % clients + 1)"
            let id = "evt-\(seed)-\(i)-\(rng.next() % 1_000_000)"
            let (type, producer, data) = sample(i, &rng)
            let event: JSONValue = .object([
                JSONMember(key: "client_id", value: .string(client)),
                JSONMember(key: "event_type", value: .string(type)),
                JSONMember(key: "event_time", value: .string(time)),
                JSONMember(key: "event_id", value: .string(id)),
                JSONMember(key: "producer", value: .string(producer)),
                JSONMember(key: "data", value: data),
            ])
            return String(decoding: event.encoded(), as: UTF8.self)
        }
    }

    private func sample(_ i: Int, _ rng: inout SplitMix64) -> (String, String, JSONValue) {
        switch i % 3 {
        case 0:
            return ("monitoring.alert", "prometheus", .object([
                JSONMember(key: "alert_id", value: .string("alert-\(rng.next() % 10_000)")),
                JSONMember(key: "severity", value: .string(["info", "warning", "critical"][Int(rng.next() % 3)])),
                JSONMember(key: "message", value: .string("disk usage above threshold")),
                JSONMember(key: "value", value: .number(String(80 + rng.next() % 20))),
                JSONMember(key: "threshold", value: .number("80")),
            ]))
        case 1:
            let cents = 100 + rng.next() % 100_000
            return ("transaction.authorized", "card-authorizer", .object([
                JSONMember(key: "transaction_id", value: .string("tx-\(rng.next() % 1_000_000_000)")),
                JSONMember(key: "account_id", value: .string("acc-\(rng.next() % 1000)")),
                JSONMember(key: "amount", value: .number("\(cents / 100).\(String(format: "%02d", cents % 100))")),
                JSONMember(key: "currency", value: .string("BRL")),
                JSONMember(key: "merchant", value: .object([JSONMember(key: "id", value: .string("m-\(rng.next() % 500)")),
                                                            JSONMember(key: "mcc", value: .string("5411"))])),
            ]))
        default:
            return ("user.profile_updated", "web-app", .object([
                JSONMember(key: "user_id", value: .string("u-\(rng.next() % 100_000)")),
                JSONMember(key: "fields", value: .array([.string("email"), .string("locale")])),
            ]))
        }
    }
}

/// A tiny, fast, seedable generator (Steele et al.'s SplitMix64): reproducible sample data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
