import PismoJSON

/// Per-operation counters, readable at GET /_fake/stats. Bytes are HTTP/1.1 bytes: bodies exactly,
/// heads rebuilt from the parsed fields (the request line and each header as sent; the response's
/// status line and headers as the server writes them), so they match the wire to a few bytes.
struct OperationStats {
    struct Counters { var requests = 0, bytesIn = 0, bytesOut = 0, errors = 0, throttled = 0, injected5xx = 0 }
    var byOperation: [String: Counters] = [:]

    mutating func record(_ key: String, bytesIn: Int, bytesOut: Int, status: Int, throttled: Bool, injected: Bool) {
        var c = byOperation[key, default: Counters()]
        c.requests += 1
        c.bytesIn += bytesIn
        c.bytesOut += bytesOut
        if status >= 300 { c.errors += 1 }
        if throttled { c.throttled += 1 }
        if injected { c.injected5xx += 1 }
        byOperation[key] = c
    }

    func write(into w: inout JSONWriter) {
        var total = Counters()
        w.key("operations"); w.beginObject()
        for (key, c) in byOperation.sorted(by: { $0.key < $1.key }) {
            w.key(key); w.beginObject()
            w.key("requests"); w.int(c.requests)
            w.key("bytes_in"); w.int(c.bytesIn)
            w.key("bytes_out"); w.int(c.bytesOut)
            w.key("errors"); w.int(c.errors)
            w.key("throttled"); w.int(c.throttled)
            w.key("injected_5xx"); w.int(c.injected5xx)
            w.endObject()
            total.requests += c.requests; total.bytesIn += c.bytesIn; total.bytesOut += c.bytesOut
            total.errors += c.errors; total.throttled += c.throttled; total.injected5xx += c.injected5xx
        }
        w.endObject()
        w.key("totals"); w.beginObject()
        w.key("requests"); w.int(total.requests)
        w.key("bytes_in"); w.int(total.bytesIn)
        w.key("bytes_out"); w.int(total.bytesOut)
        w.key("errors"); w.int(total.errors)
        w.key("throttled"); w.int(total.throttled)
        w.key("injected_5xx"); w.int(total.injected5xx)
        w.endObject()
    }
}

/// Deterministic fault draws (SplitMix64), so a run with a seed injects the same pattern.
struct FaultDice {
    var state: UInt64
    mutating func roll(_ rate: Double) -> Bool {
        guard rate > 0 else { return false }
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) < rate
    }
}
