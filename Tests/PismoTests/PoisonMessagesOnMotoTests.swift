import Foundation
import Testing
import Transport
@testable import Pismo

/// Poison messages on moto, the whole pipeline running: events that fail the same way every time
/// (an `event_key` over DynamoDB's range-key limit, an item over 400 KB, a huge non-JSON body, a
/// payload that conflicts with a stored event's key) each land in events-dlq with a `pismo-error`
/// naming why, once, while the good events sent after them are all delivered and the processor
/// keeps running; nothing is retried forever.
@Suite("Poison messages against moto", .timeLimit(.minutes(3)))
struct PoisonMessagesOnMotoTests {
    /// Valid RFC 3339 (any number of fraction digits), so it passes the schema; its event_key does not fit DynamoDB.
    static func longFractionEvent(_ n: Int) -> String {
        let fraction = String(repeating: "1234567890", count: 110)
        return #"{"client_id":"client-1","event_type":"poison.test","event_time":"2026-01-01T00:00:00.\#(fraction)Z","#
            + #""event_id":"long-fraction-\#(n)","data":{"n":\#(n)}}"#
    }

    static func event(id: String, time: String, data: String) -> String {
        #"{"client_id":"client-2","event_type":"poison.test","event_time":"\#(time)","event_id":"\#(id)","data":\#(data)}"#
    }

    @Test func poisonMessagesAreDeadLetteredOnceAndGoodEventsBehindThemFlow() async throws {
        try await withLoopbackSink { sink in
            let routes = ["client-1": sink.url("/c1"), "client-2": sink.url("/c2"), "client-3": sink.url("/c3")]
            try await withMotoPipeline(routes: routes) { pipeline in
                let eventsQueue = try await pipeline.aws.queueURL(pipeline.settings.eventsQueue)
                let eventsDLQ = try await pipeline.aws.queueURL(pipeline.settings.eventsDLQ)

                // A stored event, so that the same key with another payload is a conflict.
                let time = UTCTime.iso8601(Date())
                let original = Self.event(id: "shared-\(pipeline.tag)", time: time, data: #"{"amount":1}"#)
                let conflicting = Self.event(id: "shared-\(pipeline.tag)", time: time, data: #"{"amount":2}"#)
                try await pipeline.send([original])
                try await eventually("the original event is delivered", within: .seconds(30)) { sink.delivered(to: "/c2") == [original] }

                var poison = (0..<8).map(Self.longFractionEvent)
                poison.append(Self.event(id: "large-\(pipeline.tag)", time: time, data: #"{"blob":""# + String(repeating: "x", count: 450_000) + #""}"#))
                poison.append(String(repeating: "not json ", count: 1_048_576 / 9))
                poison.append(conflicting)
                // One by one: a batch could not carry the large ones.
                for body in poison { _ = try await pipeline.aws.sqs.sendMessage(queueURL: eventsQueue, body: body) }

                let good = EventGenerator(clients: 3, seed: UInt64(pipeline.tag)).events(60)
                let started = ContinuousClock.now
                try await pipeline.send(good)
                try await eventually("every good event is delivered within 60 s", within: .seconds(60)) {
                    Set(sink.requests.filter { $0.status == 200 }.map(\.bodyText)).isSuperset(of: good)
                }
                let elapsed = ContinuousClock.now - started

                let letters = try await Self.receiveAll(eventsDLQ, count: poison.count, aws: pipeline.aws)
                let reasons = Dictionary(letters.map { ($0.body, $0.messageAttributes["pismo-error"]?.stringValue ?? "") }) { a, _ in a }
                #expect(letters.count == poison.count, "each poison message dead-lettered once (\(letters.count) letters)")
                for body in poison[0..<8] {
                    #expect(reasons[body]?.hasPrefix("too-large: event_key") == true, "\(reasons[body] ?? "missing")")
                }
                #expect(reasons[poison[8]]?.hasPrefix("too-large: the item would be") == true, "\(reasons[poison[8]] ?? "missing")")
                #expect(reasons[poison[9]]?.hasPrefix("json: ") == true, "\(reasons[poison[9]]?.prefix(80) ?? "missing")")
                #expect(reasons[conflicting]?.hasPrefix("conflict: ") == true, "\(reasons[conflicting] ?? "missing")")
                #expect(sink.delivered(to: "/c2").filter { $0 == conflicting }.isEmpty, "the conflicting payload is never delivered")

                // Still running: one more event goes through, and nothing was retried or abandoned.
                let last = EventGenerator(clients: 1, seed: UInt64(pipeline.tag) &+ 1).events(1)
                try await pipeline.send(last)
                try await eventually("an event sent last is delivered", within: .seconds(30)) { sink.delivered(to: "/c1").contains(last[0]) }
                let metrics = pipeline.registry.render()
                // (A transient moto hiccup may be retried; an error that recurs for the same input may not.)
                let retried = metrics.split(separator: "\n").filter { $0.hasPrefix("pismo_processor_retried_errors_total{") }
                #expect(!retried.contains { $0.contains("ValidationException") || $0.contains("InvalidParameterValue") },
                        "no permanent error was retried: \(retried)")
                #expect(!metrics.contains("pismo_events_dlq_refused_total 1"))
                #expect(pipeline.metric("pismo_invalid_total \(poison.count)"))
                print("poison on moto: 60 good events delivered \(elapsed) after sending, behind \(poison.count) poison messages")
            }
        }
    }

    /// Receives `queueURL` until `count` distinct messages are in hand (each kept invisible so it is
    /// seen once), then once more so that an unexpected extra letter shows up too.
    static func receiveAll(_ queueURL: String, count: Int, aws: PismoAWS) async throws -> [SQSMessage] {
        var seen: [String: SQSMessage] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            for message in try await aws.sqs.receiveMessage(queueURL: queueURL, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 600) {
                seen[message.messageID] = message
            }
        } while seen.count < count && ContinuousClock.now < deadline
        for message in try await aws.sqs.receiveMessage(queueURL: queueURL, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 600) {
            seen[message.messageID] = message
        }
        return Array(seen.values)
    }
}
