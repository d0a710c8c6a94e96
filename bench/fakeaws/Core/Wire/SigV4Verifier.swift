import Foundation
import CSystemShims
import Glibc
import Transport

/// Checks an AWS Signature Version 4 `Authorization` header against the one key pair fakeaws
/// knows: recomputes the canonical request, the string to sign and the signature, and refuses
/// a wrong key, scope, signature or a clock more than 15 minutes off, with each service's error.
struct SigV4Verifier {
    var accessKey: String
    var secretKey: String
    var region: String

    func verify(_ r: HTTPServerRequest, service: Service) -> FakeError? {
        let signingName = service == .sqs ? "sqs" : "dynamodb"
        guard let authorization = r.headers["Authorization"], authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            return FakeError(status: service == .sqs ? 403 : 400, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let kv = part.trimmingSpaces.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"],
              let date = r.headers["X-Amz-Date"] else { return invalid(service, "Authorization header is incomplete") }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else { return invalid(service, "Credential should be scoped correctly") }
        guard scope[0] == accessKey else {
            return FakeError(status: service == .sqs ? 403 : 400, code: service == .sqs ? "InvalidClientTokenId" : "UnrecognizedClientException",
                             message: "The security token included in the request is invalid.")
        }
        guard scope[2] == region, scope[3] == signingName, date.hasPrefix(scope[1]) else {
            return invalid(service, "Credential should be scoped to a valid region and service (\(region)/\(signingName))")
        }
        if let t = Self.parse(date), abs(t - Int64(time(nil))) > 15 * 60 {
            return invalid(service, "Signature expired: \(date) is now earlier or later than 15 minutes from now")
        }
        let signedNames = signed.split(separator: ";").map(String.init)
        guard signedNames.contains("host") else { return invalid(service, "'Host' must be a signed header") }
        var canonical = r.method + "\n" + Self.encodePath(String(r.path)) + "\n" + Self.canonicalQuery(r.query) + "\n"
        for name in signedNames {
            let values = r.headers.values(name).map { $0.trimmingSpaces.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            canonical += name + ":" + values.joined(separator: ",") + "\n"
        }
        canonical += "\n" + signed + "\n" + (r.headers["x-amz-content-sha256"] ?? Self.hex(Self.sha256(r.body)))
        let stringToSign = "AWS4-HMAC-SHA256\n\(date)\n\(scope[1])/\(scope[2])/\(scope[3])/aws4_request\n" + Self.hex(Self.sha256(Array(canonical.utf8)))
        var key = Self.hmac(Array("AWS4\(secretKey)".utf8), scope[1])
        for part in [scope[2], scope[3], "aws4_request"] { key = Self.hmac(key, part) }
        guard Self.hex(Self.hmac(key, stringToSign)) == signature else {
            return invalid(service, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
        }
        return nil
    }

    private func invalid(_ service: Service, _ message: String) -> FakeError {
        FakeError(status: service == .sqs ? 403 : 400, code: service == .sqs ? "SignatureDoesNotMatch" : "InvalidSignatureException", message: message)
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { chttp_sha256($0.baseAddress, $0.count, &out) }
        return out
    }

    static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let m = Array(message.utf8)
        key.withUnsafeBytes { k in m.withUnsafeBytes { chttp_hmac_sha256(k.baseAddress, k.count, $0.baseAddress, $0.count, &out) } }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String { MessageDigest.hex(bytes) }

    static func encode(_ s: some StringProtocol, keepSlash: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            let unreserved = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 46 || b == 95 || b == 126
            if unreserved || (keepSlash && b == 47) { out.unicodeScalars.append(UnicodeScalar(b)) } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    /// The path as sent is already percent-encoded once: decode, then encode canonically.
    static func encodePath(_ path: String) -> String {
        path.isEmpty ? "/" : encode(FormEncoding.unescape(Substring(path.replacingOccurrences(of: "+", with: "%2B"))), keepSlash: true)
    }

    static func canonicalQuery(_ q: Substring?) -> String {
        guard let q, !q.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = encode(FormEncoding.unescape(kv[0]), keepSlash: false)
            let value = kv.count > 1 ? encode(FormEncoding.unescape(kv[1]), keepSlash: false) : ""
            pairs.append((key, value))
        }
        pairs.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        return pairs.map { (p: (String, String)) -> String in p.0 + "=" + p.1 }.joined(separator: "&")
    }

    /// "20261203T093000Z" as unix seconds.
    static func parse(_ date: String) -> Int64? {
        let d = Array(date.utf8)
        guard d.count == 16, d[8] == UInt8(ascii: "T") else { return nil }
        func n(_ r: Range<Int>) -> Int32? { Int32(String(decoding: d[r], as: UTF8.self)) }
        guard let y = n(0..<4), let mo = n(4..<6), let da = n(6..<8), let h = n(9..<11), let mi = n(11..<13), let s = n(13..<15) else { return nil }
        var t = tm()
        t.tm_year = y - 1900; t.tm_mon = mo - 1; t.tm_mday = da; t.tm_hour = h; t.tm_min = mi; t.tm_sec = s
        return Int64(timegm(&t))
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        let u = Array(utf8)
        var a = 0, b = u.count
        while a < b, u[a] == 32 || u[a] == 9 { a += 1 }
        while b > a, u[b - 1] == 32 || u[b - 1] == 9 { b -= 1 }
        return String(decoding: u[a..<b], as: UTF8.self)
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: Swift.max(0, n - count)) + self }
}
