import Foundation
import Testing
import Transport
@testable import Pismo

/// Transient endpoint failures end to end on moto: a sink answering 500 and then recovering gets
/// every event exactly once after retries, with nothing dead-lettered; a 429 with `Retry-After: 1`
/// is retried no sooner than the endpoint asked (observed from the endpoint's own receipt instants).
@Suite("Sink recovery against moto", .timeLimit(.minutes(3)))
struct SinkRecoveryOnMotoTests {
    @Test func sinkFailingWith500ThenRecoveringGetsEveryEventOnce() async throws {
        let failures = 6
        try await withLoopbackSink { sink in
            let routes = ["client-1": sink.on("/flaky", LoopbackSink.failing(failures, with: 500)),
                          "client-2": sink.on("/steady", LoopbackSink.always(200))]
            try await withMotoPipeline(routes: routes, configure: {
                $0.retrySchedule = .exponential(maxAttempts: 8, base: .milliseconds(20), max: .milliseconds(200))
                $0.deliveryTimeoutMilliseconds = 2000
            }) { pipeline in
                let events = EventGenerator(clients: 2, seed: UInt64(pipeline.tag)).events(20)  // 10 per client
                let flaky = events.filter { $0.clientID == "client-1" }.sorted()
                let steady = events.filter { $0.clientID == "client-2" }.sorted()
                try await pipeline.send(events)

                try await eventually("both clients received every event") {
                    Set(sink.delivered(to: "/flaky")) == Set(flaky) && Set(sink.delivered(to: "/steady")) == Set(steady)
                }
                try await eventually("the checkpoint covers every record") { try await checkpointAtEnd(pipeline) }

                #expect(sink.delivered(to: "/flaky").sorted() == flaky, "each event accepted exactly once, byte-identical; duplicates: \(sink.duplicateAcceptances())")
                #expect(sink.delivered(to: "/steady").sorted() == steady)
                let seen = sink.requests(to: "/flaky")
                #expect(seen.count > flaky.count, "the sink saw retries")
                // Each 500 is followed by exactly one more attempt of the same event, and nothing else.
                #expect(seen.count == flaky.count + failures)
                #expect(seen.prefix(failures).allSatisfy { $0.status == 500 })
                #expect(pipeline.metric("pismo_delivery_retries_total \(failures)"))
                #expect(try await pipeline.deadLetters(0).isEmpty, "nothing dead-lettered")
            }
        }
    }

    @Test func retryAfterOnA429IsHonoured() async throws {
        var headers = HTTPHeaders()
        headers.add("retry-after", "1")
        try await withLoopbackSink { sink in
            let routes = ["client-1": sink.on("/throttled", LoopbackSink.failing(1, with: 429, headers: headers))]
            // Backoff alone would retry within 20 ms; the cap (2 s) leaves room for the 1 s asked for.
            try await withMotoPipeline(routes: routes, configure: {
                $0.retrySchedule = .exponential(maxAttempts: 3, base: .milliseconds(20), max: .milliseconds(2000))
                $0.deliveryTimeoutMilliseconds = 2000
            }) { pipeline in
                let events = EventGenerator(clients: 1, seed: UInt64(pipeline.tag)).events(1)
                try await pipeline.send(events)
                try await eventually("the event is delivered after the 429") { sink.delivered(to: "/throttled") == events }

                let seen = sink.requests(to: "/throttled")
                #expect(seen.map(\.status) == [429, 200])
                #expect(seen.allSatisfy { $0.bodyText == events[0] })
                if seen.count == 2, let answered = seen[0].answeredAt {
                    // Measured at the endpoint: from answering the 429 to receiving the retry.
                    #expect(seen[1].receivedAt - answered >= .milliseconds(950),
                            "retried \(seen[1].receivedAt - answered) after a Retry-After: 1")
                }
                #expect(try await pipeline.deadLetters(0).isEmpty)
            }
        }
    }

    func checkpointAtEnd(_ pipeline: MotoPipeline) async throws -> Bool {
        guard let last = try await pipeline.streamInserts().last else { return false }
        return try await pipeline.leases.leases().first { $0.shardID == last.shardID }?.checkpoint == last.sequence
    }
}
