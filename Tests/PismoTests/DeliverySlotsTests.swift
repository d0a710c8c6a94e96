import Testing
import Transport
@testable import Pismo

/// The global cap on attempts in flight, shared fairly (issue 15, part 5).
@Suite(.timeLimit(.minutes(1))) struct DeliverySlotsTests {
    @Test func aClientGetsNoMoreThanItsShareAndOthersStillRun() async throws {
        let slots = DeliverySlots(options: .init(capacity: 4, perClient: 2, perHost: 4))
        try await slots.acquire(client: "a", host: "h")
        try await slots.acquire(client: "a", host: "h")
        let third = Task { try await slots.acquire(client: "a", host: "h") }
        try await eventually("a's third waits", within: .seconds(5)) { await slots.waitingClients == 1 }
        try await slots.acquire(client: "b", host: "h")  // b is not held up by a's queue
        #expect(await slots.inFlight == 3)
        await slots.release(client: "a", host: "h")
        try await third.value
        #expect(await slots.inFlight == 3)
    }

    /// A tenant with ten events queued and one with a single event: the next free slot goes to the
    /// single one, although it queued last.
    @Test func freedSlotsGoToClientsInTurnNotToTheLongestQueue() async throws {
        let slots = DeliverySlots(options: .init(capacity: 2, perClient: 2, perHost: 2))
        try await slots.acquire(client: "big", host: "h")
        try await slots.acquire(client: "big", host: "h")
        let order = Locked<[String]>([])
        var waiting: [Task<Void, any Error>] = []
        for _ in 0..<10 {
            waiting.append(Task { try await slots.acquire(client: "big", host: "h"); order.withLock { $0.append("big") } })
        }
        try await eventually("big queued", within: .seconds(5)) { await slots.waitingClients == 1 }
        waiting.append(Task { try await slots.acquire(client: "small", host: "h"); order.withLock { $0.append("small") } })
        try await eventually("small queued", within: .seconds(5)) { await slots.waitingClients == 2 }
        await slots.release(client: "big", host: "h")
        try await eventually("one granted", within: .seconds(5)) { order.withLock { $0.count } == 1 }
        #expect(order.withLock { $0 } == ["small"])
        for _ in 0..<11 { await slots.release(client: "big", host: "h") }
        for task in waiting { try await task.value }
    }

    /// Many tenants behind one hung receiver host hold at most its share; another host still runs.
    @Test func oneHostCannotTakeEverySlot() async throws {
        let slots = DeliverySlots(options: .init(capacity: 4, perClient: 4, perHost: 2))
        try await slots.acquire(client: "x", host: "shared")
        try await slots.acquire(client: "y", host: "shared")
        let z = Task { try await slots.acquire(client: "z", host: "shared") }
        try await eventually("z waits for the shared host", within: .seconds(5)) { await slots.waitingClients == 1 }
        try await slots.acquire(client: "w", host: "other")
        #expect(await slots.inFlight == 3)
        z.cancel()
        await #expect(throws: CancellationError.self) { try await z.value }
        #expect(await slots.waitingClients == 0)
        #expect(await slots.inFlight == 3, "a cancelled wait holds nothing")
    }
}
