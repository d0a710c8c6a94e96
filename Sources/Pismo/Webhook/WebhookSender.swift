import Foundation
import Transport

/// Sends one webhook attempt and reports what happened, without deciding what to do about it
/// (that is `DeliveryPolicy`'s job).
public struct WebhookSender: Sendable {
    private let http: any HTTPExecuting
    /// PISMO_DELIVERY_TIMEOUT_MS: for endpoints without a `timeout_ms` of their own.
    private let timeout: Duration
    private let now: @Sendable () -> Int
    /// The process-wide budget of webhook requests in flight, shared fairly across clients and hosts
    /// (`PISMO_MAX_WEBHOOKS_IN_FLIGHT`); nil: unbounded (tests of other parts).
    let slots: DeliverySlots?

    /// What one attempt brought back: its outcome, and the start of the answer's body (what the
    /// attempt log keeps).
    public struct Report: Sendable, Equatable {
        public var outcome: DeliveryPolicy.Outcome
        public var responseExcerpt: [UInt8]
    }

    /// The most of a response body a report keeps: what the client reads of it (a transport that
    /// reads more, such as a test's, is cut to the same).
    public static let excerptBytes = ResponseReading.webhookExcerptBytes

    public init(http: any HTTPExecuting, timeout: Duration, slots: DeliverySlots? = nil,
                now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.http = http
        self.slots = slots
        self.timeout = timeout
        self.now = now
    }

    public func attempt(_ job: DeliveryJob, endpoint: Endpoint, signer: WebhookSigner?) async -> Report {
        let request = makeRequest(job, endpoint: endpoint, signer: signer)
        do {
            let response = try await execute(request, clientID: job.clientID, timeout: endpoint.timeout ?? timeout)
            return Report(outcome: .status(response.status, retryAfter: response.headers["retry-after"]),
                          responseExcerpt: Array(response.body.prefix(Self.excerptBytes)))
        } catch let error as HTTPClientError {
            if case .destinationRefused = error { return Report(outcome: .refused(error.description), responseExcerpt: []) }
            return Report(outcome: .transportError(error.description), responseExcerpt: [])
        } catch {
            return Report(outcome: .transportError(String(describing: error)), responseExcerpt: [])
        }
    }

    /// The request, inside a slot of the budget when there is one; the wait for the slot is part of
    /// the attempt's timeout.
    private func execute(_ request: HTTPRequest, clientID: String, timeout: Duration) async throws -> HTTPResponse {
        guard let slots else { return try await http.execute(request, timeout: timeout) }
        let deadline = ContinuousClock.now + timeout
        let host = (try? RequestTarget(url: request.url))?.host ?? request.url
        return try await slots.withSlot(client: clientID, host: host, deadline: deadline) {
            try await http.execute(request, timeout: max(.zero, deadline - .now))
        }
    }

    /// Headers per Standard Webhooks; the timestamp is this attempt's, the id is the event's — the same
    /// for every endpoint and every retry — so receivers can deduplicate. The endpoint's extra headers
    /// follow; `EndpointRules` keeps them from naming any header set here.
    func makeRequest(_ job: DeliveryJob, endpoint: Endpoint, signer: WebhookSigner?) -> HTTPRequest {
        let timestamp = now()
        var entries: [(String, String)] = [
            ("content-type", "application/json"),
            ("user-agent", PismoVersion.userAgent),
            ("webhook-id", job.eventID),
            ("webhook-timestamp", String(timestamp)),
        ]
        if let signer {
            entries.append(("webhook-signature", signer.signature(id: job.eventID, timestamp: timestamp, body: job.payload)))
        }
        if !endpoint.headers.isEmpty {
            entries.append(contentsOf: endpoint.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        // The answer's status and Retry-After decide; of its body only the excerpt is read (no
        // Accept-Encoding, nothing inflated), so a hostile endpoint's 64 MiB or gzip bomb costs nothing.
        return HTTPRequest(method: "POST", url: endpoint.url, headers: HTTPHeaders(entries), body: job.payload,
                           responseReading: .webhookExcerpt)
    }
}
