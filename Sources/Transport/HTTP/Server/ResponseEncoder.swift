/// Writes a response head (and body) into a connection's output. Adds Date, Content-Length and
/// `Connection: close` unless the handler set them; a response to HEAD gets its head only.
enum ResponseEncoder {
    static func encode(
        _ response: HTTPResponse, into output: inout OutputQueue, date: [UInt8], close: Bool, isHead: Bool
    ) {
        let bodyAllowed = !(response.status < 200 || response.status == 204 || response.status == 304)
        let inlineBody = bodyAllowed && !isHead && response.body.count <= 16 * 1024
        output.appendInPlace { out in
            appendStatusLine(response.status, &out)
            var hasDate = false
            var hasLength = false
            for (name, value) in response.headers.entries {
                if name.caseInsensitiveEquals("date") { hasDate = true }
                if name.caseInsensitiveEquals("content-length") || name.caseInsensitiveEquals("transfer-encoding") { hasLength = true }
                out.append(contentsOf: name.utf8)
                out.append(0x3A); out.append(0x20)
                out.append(contentsOf: value.utf8)
                out.append(0x0D); out.append(0x0A)
            }
            if !hasDate {
                out.append(contentsOf: "Date: ".utf8)
                out.append(contentsOf: date)
                out.append(0x0D); out.append(0x0A)
            }
            if !hasLength && bodyAllowed {
                out.append(contentsOf: "Content-Length: ".utf8)
                appendDecimal(response.body.count, &out)
                out.append(0x0D); out.append(0x0A)
            }
            if close { out.append(contentsOf: "Connection: close\r\n".utf8) }
            out.append(0x0D); out.append(0x0A)
            if inlineBody { out.append(contentsOf: response.body) }
        }
        if bodyAllowed && !isHead && !inlineBody { output.append(response.body) }
    }

    private static func appendStatusLine(_ status: Int, _ out: inout [UInt8]) {
        if status == 200 {
            out.append(contentsOf: "HTTP/1.1 200 OK\r\n".utf8)
            return
        }
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status, &out)
        out.append(0x20)
        out.append(contentsOf: ReasonPhrase.of(status).utf8)
        out.append(0x0D); out.append(0x0A)
    }

    static func appendDecimal(_ value: Int, _ out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(0x30 + value))
            return
        }
        appendDecimal(value / 10, &out)
        out.append(UInt8(0x30 + value % 10))
    }
}
