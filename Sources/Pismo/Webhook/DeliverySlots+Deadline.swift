import Transport

extension DeliverySlots {
    /// Runs `body` holding one slot for `client` on `host`, and gives the slot back however `body`
    /// ends. The wait for the slot ends at `deadline` (`requestTimeout(host:)`), like every other
    /// part of an attempt: a slot that is never freed cannot hold an attempt past its own timeout.
    nonisolated func withSlot<T: Sendable>(client: String, host: String, deadline: ContinuousClock.Instant,
                                          _ body: () async throws -> T) async throws -> T {
        // A free slot is taken without the deadline race: its timer (a Dispatch timer per request)
        // was the largest single cost in deliver's profile at saturation.
        if await !tryAcquire(client: client, host: host) { try await acquire(client: client, host: host, until: deadline) }
        do {
            let result = try await body()
            await release(client: client, host: host)
            return result
        } catch {
            await release(client: client, host: host)
            throw error
        }
    }

    private nonisolated func acquire(client: String, host: String, until deadline: ContinuousClock.Instant) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.acquire(client: client, host: host) }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw HTTPClientError.requestTimeout(host: host)
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch {
                // The deadline passed (or we were cancelled): a slot granted meanwhile goes back.
                group.cancelAll()
                while let outcome = await group.nextResult() {
                    if case .success = outcome { await release(client: client, host: host) }
                }
                throw error
            }
        }
    }
}
