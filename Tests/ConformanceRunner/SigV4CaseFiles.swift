// File helpers for the SigV4 suite: locating case directories, reading the raw HTTP requests the
// suite is written in, and comparing results.
import Foundation
import Transport

enum SigV4CaseFiles {
    /// Directories (recursively) that contain a file ending in `marker`, sorted for stable output.
    static func caseDirectories(under root: String, marker: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var dirs = Set<String>()
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(marker) { dirs.insert(root + "/" + (relative as NSString).deletingLastPathComponent) }
        }
        return dirs.sorted()
    }

    static func read(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Compares (what, actual, expected) triples; expected files may or may not end in a newline.
    static func compare(_ checks: [(String, String, String)]) -> [String] {
        checks.compactMap { what, actual, expected in
            let want = expected.hasSuffix("\n") ? String(expected.dropLast()) : expected
            return actual == want ? nil : "\(what) differs\n--- expected\n\(want)\n--- actual\n\(actual)"
        }
    }
}

/// A request as the suite writes it: request line (the target may contain raw spaces and UTF-8),
/// `Name:value` header lines with indented continuation lines, a blank line, then the body.
struct SigV4RawRequest {
    var method: String
    var path: String
    var query: String
    var headers: [(name: String, value: String)] = []
    var body: [UInt8]

    init(_ text: String) throws {
        let (head, bodyText) = Self.splitHeadAndBody(text)
        var lines = head.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "),
              let versionStart = requestLine.range(of: " HTTP/", options: .backwards) else {
            throw SigV4SuiteError.badRequestLine(requestLine)
        }
        method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<versionStart.lowerBound])
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            query = String(target[target.index(after: q)...])
        } else {
            path = target
            query = ""
        }
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        body = Array(bodyText.utf8)
    }

    private static func splitHeadAndBody(_ text: String) -> (String, String) {
        guard let gap = text.range(of: "\n\n") else { return (text, "") }
        return (String(text[..<gap.lowerBound]), String(text[gap.upperBound...]))
    }

    var httpRequest: HTTPRequest {
        let host = headers.first(where: { $0.name.lowercased() == "host" })?.value ?? "example.amazonaws.com"
        return HTTPRequest(method: method, url: "https://\(host)\(path)\(query.isEmpty ? "" : "?" + query)",
                           headers: HTTPHeaders(headers.map { ($0.name, $0.value) }), body: body)
    }
}

enum SigV4SuiteError: Error {
    case badRequestLine(String)
}
