import Foundation
import Testing
import Transport
@testable import Pismo

/// Tenant isolation end to end on moto, asserted functionally: client A's endpoint accepts requests
/// and holds them unanswered while ten other clients' events, interleaved with A's in the same
/// stream shard and sent to the same sink host (so sharing one connection pool), all get delivered.
/// The persisted checkpoint stays before A's first unresolved record until A is released; then
/// A's events are delivered (each by its one held request) and the checkpoint reaches the end.
@Suite("Tenant isolation against moto", .timeLimit(.minutes(3)))
struct TenantIsolationOnMotoTests {
    @Test func aHangingEndpointDelaysNoOtherClient() async throws {
        let releaseA = ShutdownSignal()
        try await withLoopbackSink { sink in
            var routes = ["client-1": sink.on("/a", sink.holding(until: releaseA))]
            for n in 2...11 { routes["client-\(n)"] = sink.url("/c\(n)") }
            // The delivery timeout outlasts every wait of this test: A's requests stay open until the
            // test releases them, so other clients cannot be let through by A's attempts timing out.
            try await withMotoPipeline(routes: routes, configure: {
                $0.deliveryTimeoutMilliseconds = 150_000
                $0.retryBaseMilliseconds = 20
                $0.retryMaxMilliseconds = 200
            }) { pipeline in
                let events = EventGenerator(clients: 11, seed: UInt64(pipeline.tag)).events(66)  // 6 per client
                let eventsOfA = events.filter { $0.clientID == "client-1" }
                let others = events.filter { $0.clientID != "client-1" }
                let firstB = others[0], firstA = eventsOfA[0]

                // Stream order: one of B's events, then A's first, then the rest interleaved.
                try await pipeline.send([firstB])
                try await eventually("B's first event is delivered") { sink.delivered(to: "/c2") == [firstB] }
                try await pipeline.send([firstA])
                try await eventually("A's first request reaches the sink") { !sink.requests(to: "/a").isEmpty }
                try await pipeline.send(events.filter { $0 != firstA && $0 != firstB })

                try await eventually("every other client's event is delivered") {
                    Set(sink.requests.filter { $0.path != "/a" && $0.status == 200 }.map(\.bodyText)) == Set(others)
                }
                try checkOthersDeliveredWhileAWasHeld(sink, others: others, firstA: firstA)
                try await checkCheckpointWaitsForA(pipeline, firstA: firstA, firstB: firstB)

                releaseA.trigger()
                try await eventually("A's events are delivered once released") { Set(sink.delivered(to: "/a")) == Set(eventsOfA) }
                do {
                    try await eventually("the checkpoint reaches the end of the stream") { try await checkpointAtEnd(pipeline) }
                } catch {
                    let inserts = try await pipeline.streamInserts()
                    let persisted = try await checkpoint(pipeline, inserts.last?.shardID ?? "") ?? "nil"
                    let detail = "checkpoint \(persisted), \(inserts.count) inserts (\(Set(inserts.map(\.sequence)).count) distinct sequence numbers), last \(inserts.last?.sequence ?? "-"), "
                        + "A's requests \(sink.requests(to: "/a").map { ($0.status ?? 0, $0.bodyText.eventID) })"
                    Issue.record(Comment(rawValue: detail))
                    throw error
                }
                #expect(sink.delivered(to: "/a").sorted() == eventsOfA.sorted(), "each of A's events delivered exactly once; duplicates: \(sink.duplicateAcceptances())")
                #expect(sink.requests(to: "/a").filter { $0.bodyText == firstA }.count == 1,
                        "A's first event was delivered by the very request that had been held, not by a retry")
                #expect(try await pipeline.deadLetters(0).isEmpty, "nothing lost, nothing dead-lettered")
            }
        }
    }

    /// At the moment the last of B..K's events arrived, A's first request had arrived earlier and
    /// had still not been answered.
    func checkOthersDeliveredWhileAWasHeld(_ sink: LoopbackSink, others: [String], firstA: String) throws {
        let all = sink.requests
        let lastOther = try #require(all.filter { $0.path != "/a" }.max { $0.receivedAt < $1.receivedAt })
        let heldA = try #require(all.first { $0.path == "/a" && $0.bodyText == firstA })
        #expect(heldA.receivedAt < lastOther.receivedAt)
        #expect(heldA.answeredAt == nil, "A's first request is still open after every other client's event arrived")
        let requestsOfA = all.filter { $0.path == "/a" }
        #expect(requestsOfA.allSatisfy { $0.answeredAt == nil }, "A's endpoint answered nothing yet")
        #expect(Set(requestsOfA.map(\.bodyText)).count == requestsOfA.count, "no attempt of A's has been given up and retried")
        for n in 2...11 {
            let path = "/c\(n)"
            #expect(sink.delivered(to: path).sorted() == others.filter { $0.clientID == "client-\(n)" }.sorted(),
                    "\(path): every event delivered once, byte-identical; duplicates: \(sink.duplicateAcceptances())")
        }
    }

    /// The persisted checkpoint has moved over B's first record but not over A's unresolved one,
    /// although every record after it (other clients') is resolved.
    func checkCheckpointWaitsForA(_ pipeline: MotoPipeline, firstA: String, firstB: String) async throws {
        let inserts = try await pipeline.streamInserts()
        #expect(inserts.count == 66)
        let a = try #require(inserts.first { $0.eventID == firstA.eventID })
        let b = try #require(inserts.first { $0.eventID == firstB.eventID })
        #expect(sequenceNumberPrecedes(b.sequence, a.sequence), "B's first record precedes A's in the stream")
        try await eventually("B's first record is checkpointed") { try await checkpoint(pipeline, a.shardID) != nil }
        // Several checkpoint intervals (100 ms), watched throughout: a wrong advance fails at once.
        try await continually("the checkpoint stays behind A's unresolved record and covers B's", for: .milliseconds(500), every: .milliseconds(50)) {
            guard let persisted = try await checkpoint(pipeline, a.shardID) else { return false }
            return sequenceNumberPrecedes(persisted, a.sequence) && !sequenceNumberPrecedes(persisted, b.sequence)
        }
    }

    func checkpoint(_ pipeline: MotoPipeline, _ shardID: String) async throws -> String? {
        try await pipeline.leases.leases().first { $0.shardID == shardID }?.checkpoint
    }

    func checkpointAtEnd(_ pipeline: MotoPipeline) async throws -> Bool {
        guard let last = try await pipeline.streamInserts().last else { return false }
        return try await checkpoint(pipeline, last.shardID) == last.sequence
    }
}
