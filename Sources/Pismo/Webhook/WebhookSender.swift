import Foundation
import Transport

/// Sends one webhook attempt and reports what happened, without deciding what to do about it
/// (that is `DeliveryPolicy`'s job).
public struct WebhookSender: Sendable {
    private let http: any HTTPExecuting
    private let timeout: Duration
    private let now: @Sendable () -> Int

    public init(http: any HTTPExecuting, timeout: Duration,
                now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.http = http
        self.timeout = timeout
        self.now = now
    }

    public func attempt(_ job: DeliveryJob, route: Route, signer: WebhookSigner?) async -> DeliveryPolicy.Outcome {
        let request = makeRequest(job, route: route, signer: signer)
        do {
            let response = try await http.execute(request, timeout: timeout)
            return .status(response.status, retryAfter: response.headers["retry-after"])
        } catch {
            return .transportError(String(describing: error))
        }
    }

    /// Headers per Standard Webhooks; the timestamp is this attempt's, the id is stable across retries
    /// so receivers can deduplicate.
    func makeRequest(_ job: DeliveryJob, route: Route, signer: WebhookSigner?) -> HTTPRequest {
        let timestamp = now()
        var headers = HTTPHeaders([
            ("content-type", "application/json"),
            ("user-agent", PismoVersion.userAgent),
            ("webhook-id", job.eventID),
            ("webhook-timestamp", String(timestamp)),
        ])
        if let signer {
            headers.add("webhook-signature", signer.signature(id: job.eventID, timestamp: timestamp, body: job.payload))
        }
        // The answer's status and Retry-After decide; of its body only the excerpt is read (no
        // Accept-Encoding, nothing inflated), so a hostile endpoint's 64 MiB or gzip bomb costs nothing.
        return HTTPRequest(method: "POST", url: route.url, headers: headers, body: job.payload,
                           responseReading: .webhookExcerpt)
    }
}
