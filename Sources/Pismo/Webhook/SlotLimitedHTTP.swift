import Foundation
import Transport

/// The webhook transport behind a process-wide budget (`DeliverySlots`): at most `capacity` webhook
/// requests in flight — so at most that many sockets busy with them, whatever the number of tenants,
/// shards and lanes — no receiver host holding more than its share, and a freed slot going to the
/// waiting host that holds the fewest. Tenants are bounded by their own lanes (8 each) before this.
///
/// Waiting for a slot counts against the request's timeout: the attempt's deadline is unchanged.
public struct SlotLimitedHTTP: HTTPExecuting {
    let inner: any HTTPExecuting
    let slots: DeliverySlots

    /// `perHost` defaults to half the capacity.
    public init(_ inner: any HTTPExecuting, capacity: Int, perHost: Int? = nil) {
        self.inner = inner
        let perHost = perHost ?? max(1, capacity / 2)
        slots = DeliverySlots(options: .init(capacity: capacity, perClient: perHost, perHost: perHost))
    }

    public func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let host = URL(string: request.url)?.host ?? request.url
        let deadline = ContinuousClock.now + timeout
        // A free slot is taken without the deadline race below: its timer (a Dispatch timer per
        // request) was the largest single cost in deliver's profile at saturation.
        if await !slots.tryAcquire(client: host, host: host) { try await waitForSlot(host, until: deadline) }
        do {
            let response = try await inner.execute(request, timeout: max(.zero, deadline - .now))
            await slots.release(client: host, host: host)
            return response
        } catch {
            await slots.release(client: host, host: host)
            throw error
        }
    }

    private func waitForSlot(_ host: String, until deadline: ContinuousClock.Instant) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The wait for a slot ends at the attempt's deadline, like every other part of it.
            group.addTask { try await slots.acquire(client: host, host: host) }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw HTTPClientError.requestTimeout(host: host)
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch {
                // The sleeper fired (or we were cancelled): if the slot was granted meanwhile, give it back.
                group.cancelAll()
                while let outcome = await group.nextResult() {
                    if case .success = outcome { await slots.release(client: host, host: host) }
                }
                throw error
            }
        }
    }
}
