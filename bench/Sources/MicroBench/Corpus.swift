// Deterministic benchmark corpora of event JSON lines, shared by the JSON and schema benchmarks.
// Same seed => same bytes on every machine, so figures are comparable across runs.

import Pismo

/// Pismo's SplitMix64 with the few helpers the corpus generators want.
struct SeededRandom {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}

/// The ways an event in the corpus may be invalid. `nil` defect = valid event.
enum EventDefect: String, CaseIterable, Sendable {
    case missingField          // a required envelope field is absent
    case wrongType             // e.g. event_type is a number
    case badDateTime           // event_time is not RFC 3339
    case badClientID           // client_id violates ^[a-z0-9][a-z0-9-]{2,63}$
    case nonObjectData         // data is an array or string
    case brokenJSON            // not parseable at all
    case extraLarge            // > 64 KiB
    case unknownEnvelopeField  // envelope has a field the schema does not allow
    case badNestedValue        // data.amount negative / data.items[].qty is a string
}

/// One corpus entry: the bytes and, for invalid ones, what is wrong with them.
struct CorpusEvent: Sendable {
    var bytes: [UInt8]
    var defect: EventDefect?
}

/// `count` event JSON lines of 300-1500 bytes (except `extraLarge`), a fraction of them invalid.
func makeEventCorpus(count: Int, seed: UInt64, invalidFraction: Double) -> [[UInt8]] {
    makeLabeledEventCorpus(count: count, seed: seed, invalidFraction: invalidFraction).map(\.bytes)
}

/// As `makeEventCorpus`, with each invalid entry labelled by its defect.
func makeLabeledEventCorpus(count: Int, seed: UInt64, invalidFraction: Double) -> [CorpusEvent] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in
        let defect: EventDefect? = random.chance(invalidFraction) ? random.pick(EventDefect.allCases) : nil
        return CorpusEvent(bytes: makeEvent(&random, defect: defect), defect: defect)
    }
}

private let clientIDs = ["acme-prod", "acme-staging", "globex-01", "initech", "umbrella-eu-west", "hooli-42"]
private let eventTypes = ["order.created", "order.paid", "order.shipped", "user.signup", "invoice.voided"]
private let producers = ["svc-orders", "svc-billing", "svc-identity", "edge-gateway"]
private let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
                     "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
                     "café", "naïve", "Zürich", "東京", "emoji 🎉", "tab\there", "quote \"q\"", "back\\slash"]

private func makeEvent(_ r: inout SeededRandom, defect: EventDefect?) -> [UInt8] {
    let target = 300 + r.below(1130)
    var envelope: [(String, String)] = []  // key, already-encoded JSON value
    envelope.append(("client_id", quoted(defect == .badClientID ? r.pick(["Acme Prod!", "x", "UPPER", "-lead"]) : r.pick(clientIDs))))
    envelope.append(("event_type", defect == .wrongType ? String(r.below(1000)) : quoted(r.pick(eventTypes))))
    envelope.append(("event_time", quoted(defect == .badDateTime ? r.pick(["2026-13-45T25:00:00Z", "yesterday", "2026-11-26 10:00:00", "2026-02-30T10:00:00Z"]) : dateTime(&r))))
    envelope.append(("event_id", quoted(uuid(&r))))
    envelope.append(("producer", quoted(r.pick(producers))))
    let dataSize = defect == .extraLarge ? 70_000 : max(120, target - 260)
    let data = dataObject(&r, size: dataSize, defect: defect)
    envelope.append(("data", defect == .nonObjectData ? nonObject(data, &r) : data))
    // Keep `data` so the event keeps its size; any of the other five may go missing.
    if defect == .missingField { envelope.remove(at: r.below(envelope.count - 1)) }
    if defect == .unknownEnvelopeField { envelope.insert(("debug", "true"), at: r.below(envelope.count + 1)) }
    let line = "{" + envelope.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    return defect == .brokenJSON ? breakJSON(line, &r) : Array(line.utf8)
}

private func dataObject(_ r: inout SeededRandom, size: Int, defect: EventDefect?) -> String {
    var items: [String] = []
    var fields = [
        "\"order_id\":\(quoted("ord-\(r.below(1_000_000_000))"))",
        "\"amount\":\(defect == .badNestedValue ? "-1" : "\(r.below(100_000)).\(10 + r.below(90))")",
        "\"currency\":\(quoted(r.pick(["EUR", "USD", "GBP", "PLN"])))",
        "\"customer\":{\"id\":\(r.below(10_000_000)),\"email\":\(quoted("user\(r.below(99_999))@example.com")),\"tier\":\(quoted(r.pick(["free", "pro", "enterprise"]))),\"verified\":\(r.chance(0.5))}",
    ]
    var length = fields.joined(separator: ",").utf8.count + 40
    while length < size - 60 {
        let qty = defect == .badNestedValue && items.isEmpty ? "\"two\"" : String(1 + r.below(9))
        let item = "{\"sku\":\(quoted("SKU-\(r.below(99_999))")),\"qty\":\(qty),\"price\":\(r.below(5_000)).\(10 + r.below(90)),\"gift\":\(r.chance(0.1) ? "true" : "false")}"
        items.append(item)
        length += item.utf8.count + 1
        if items.count >= 6 && defect != .extraLarge { break }
    }
    fields.append("\"items\":[\(items.joined(separator: ","))]")
    var note = ""
    let remaining = size - length
    while note.utf8.count < remaining { note += r.pick(words) + " " }
    fields.append("\"note\":\(quoted(note))")
    fields.append("\"tags\":[\(quoted(r.pick(words))),\(quoted(r.pick(words)))]")
    return "{" + fields.joined(separator: ",") + "}"
}

/// Same size as the object it replaces, but the wrong type.
private func nonObject(_ object: String, _ r: inout SeededRandom) -> String {
    switch r.below(3) {
    case 0: return "[" + object + "]"
    case 1: return quoted(object)
    default: return "[" + Array(repeating: "1", count: object.utf8.count / 2).joined(separator: ",") + "]"
    }
}

private func breakJSON(_ line: String, _ r: inout SeededRandom) -> [UInt8] {
    var bytes = Array(line.utf8)
    switch r.below(4) {
    case 0: bytes.removeLast()                                              // unterminated object
    case 1: bytes.insert(UInt8(ascii: ","), at: bytes.count - 1)            // trailing comma
    case 2: bytes[bytes.firstIndex(of: UInt8(ascii: ":"))!] = UInt8(ascii: "=")
    default: bytes.insert(contentsOf: [0xC0, 0xAF], at: bytes.firstIndex(of: UInt8(ascii: "\""))! + 1)  // overlong UTF-8
    }
    return bytes
}

/// JSON-quotes a string (quotes, backslashes and control characters escaped).
func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

private func dateTime(_ r: inout SeededRandom) -> String {
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let fraction = r.chance(0.5) ? ".\(100 + r.below(900))" : ""
    let zone = r.chance(0.8) ? "Z" : "+0\(r.below(9)):00"
    return "2026-\(two(1 + r.below(12)))-\(two(1 + r.below(28)))T\(two(r.below(24))):\(two(r.below(60))):\(two(r.below(60)))\(fraction)\(zone)"
}

private func uuid(_ r: inout SeededRandom) -> String {
    let hex = Array("0123456789abcdef")
    var s = ""
    for (k, group) in [8, 4, 4, 4, 12].enumerated() {
        if k > 0 { s += "-" }
        for _ in 0..<group { s.append(hex[r.below(16)]) }
    }
    return s
}
