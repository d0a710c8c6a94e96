import Foundation
@testable import Pismo

/// A receiver's side of Standard Webhooks, as the reference libraries verify: the header is a
/// space-separated list of `v1,<base64>`; the request is genuine when any one matches the HMAC of
/// `<id>.<timestamp>.<body>` under the receiver's secret.
struct StandardWebhooksVerifier {
    let key: [UInt8]

    init(secret: String) {
        key = Array(Data(base64Encoded: String(secret.dropFirst("whsec_".count)))!)
    }

    func verifies(id: String, timestamp: String, body: [UInt8], header: String) -> Bool {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let expected = Data(Digests.hmacSHA256(key: key, message: content)).base64EncodedString()
        return header.split(separator: " ").contains { entry in
            let parts = entry.split(separator: ",", maxSplits: 1)
            return parts.count == 2 && parts[0] == "v1" && parts[1] == expected
        }
    }
}
