import PismoJSON

/// How `pismo attempts` shows attempt records: a table sized to the terminal, or JSON lines.
public enum AttemptListing {
    /// The table: a header, then one line per attempt, no line longer than `width` unless the fixed
    /// columns alone are (the response excerpt takes what is left, at least `minimumResponse`).
    public static func table(_ records: [AttemptRecord], width: Int = 120) -> [String] {
        let header = ["TIME", "EVENT", "ENDPOINT", "ATTEMPT", "RESULT", "LATENCY"]
        let rows = records.map { r in
            [UTCTime.iso8601(millisecondsSince1970: r.atMillis), r.eventID, r.endpointID, String(r.attempt),
             clip(flattened(result(r)), to: maximumResult), "\(r.latencyMillis) ms"]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let fixed = widths.reduce(0, +) + 2 * widths.count
        let responseWidth = max(minimumResponse, width - fixed)
        func line(_ cells: [String], response: String) -> String {
            let padded = cells.enumerated().map { i, cell in
                i == 3 || i == 5 ? String(repeating: " ", count: widths[i] - cell.count) + cell   // numbers right-aligned
                    : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            return (padded.joined(separator: "  ") + "  " + response).trimmingTrailingSpaces()
        }
        return [line(header, response: "RESPONSE")]
            + zip(rows, records).map { row, record in line(row, response: clip(flattened(String(decoding: record.responseExcerpt, as: UTF8.self)), to: responseWidth)) }
    }

    /// One JSON object per attempt, with the attribute names of the attempts table.
    public static func jsonLine(_ r: AttemptRecord) -> String {
        var w = JSONWriter(capacity: 256 + r.responseExcerpt.count)
        w.beginObject()
        w.key("at"); w.string(UTCTime.iso8601(millisecondsSince1970: r.atMillis))
        w.key("client_id"); w.string(r.clientID)
        w.key("event_id"); w.string(r.eventID)
        w.key("endpoint_id"); w.string(r.endpointID)
        w.key("attempt"); w.int(r.attempt)
        if let status = r.status { w.key("status"); w.int(status) }
        if let error = r.error { w.key("error"); w.string(error) }
        w.key("latency_ms"); w.int(Int(r.latencyMillis))
        w.key("delivered"); w.bool(r.delivered)
        if !r.responseExcerpt.isEmpty { w.key("response"); w.string(String(decoding: r.responseExcerpt, as: UTF8.self)) }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static let maximumResult = 40, minimumResponse = 20

    /// The status (with "delivered" when it delivered), else the error.
    static func result(_ r: AttemptRecord) -> String {
        if let status = r.status { return r.delivered ? "\(status) delivered" : String(status) }
        return r.error ?? (r.delivered ? "delivered" : "failed")
    }

    /// `text` on one line: every run of whitespace or control characters (an HTML page's newlines,
    /// an escape sequence's ESC, which must not reach the operator's terminal) one space.
    static func flattened(_ text: String) -> String {
        var out = ""
        var space = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                space = !out.isEmpty
                continue
            }
            if space { out.append(" "); space = false }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// `text` cut to `width` characters, ending in "…" when cut.
    static func clip(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
