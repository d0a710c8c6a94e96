import Foundation
import Testing
import Transport
@testable import Pismo

/// Undeliverable events end to end on moto (SQS -> processor -> DynamoDB -> stream -> deliver ->
/// a real socket sink): each kind of failure lands in deliver-dlq with the payload byte-identical and
/// the contract's attributes — `pismo-last-status` only when an HTTP status was actually received.
/// (PipelineOnMotoTests covers the no-route letter against an in-memory endpoint; this suite adds the
/// failures that need a real endpoint: permanent 4xx, hangs past the timeout, refused and reset
/// connections.)
@Suite("Delivery failures against moto", .timeLimit(.minutes(3)))
struct DeliveryFailuresOnMotoTests {
    /// What the dead letters of one client must say.
    struct Expected {
        let attempts: String
        let lastStatus: String?
        let reasonMentions: String
    }

    @Test func permanentAndExhaustedFailuresAreDeadLetteredWithTheirAttributes() async throws {
        let resetting = try ResettingEndpoint()
        let refusing = try RefusingPort()
        do {
            try await deadLetterEveryKindOfFailure(resetting, refused: refusing.url("/refused"))
            await resetting.stop()
            refusing.release()
        } catch {
            await resetting.stop()
            refusing.release()
            throw error
        }
    }

    func deadLetterEveryKindOfFailure(_ resetting: ResettingEndpoint, refused: String) async throws {
        try await withLoopbackSink { sink in
            let routes = [
                "client-1": sink.on("/not-found", LoopbackSink.always(404)),
                "client-2": sink.on("/bad-request", LoopbackSink.always(400)),
                // client-3 has no route.
                "client-4": sink.on("/hang", sink.holding(until: sink.releaseAll)),
                "client-5": refused,
                "client-6": sink.on("/ok", LoopbackSink.always(200)),
                "client-7": resetting.url("/reset"),
            ]
            let expected: [String: Expected] = [
                "client-1": Expected(attempts: "1", lastStatus: "404", reasonMentions: "http-4xx: permanent HTTP 404"),
                "client-2": Expected(attempts: "1", lastStatus: "400", reasonMentions: "http-4xx: permanent HTTP 400"),
                "client-3": Expected(attempts: "0", lastStatus: nil, reasonMentions: "no-route: "),
                "client-4": Expected(attempts: "2", lastStatus: nil, reasonMentions: "attempts-exhausted: "),
                "client-5": Expected(attempts: "2", lastStatus: nil, reasonMentions: "attempts-exhausted: "),
                "client-7": Expected(attempts: "2", lastStatus: nil, reasonMentions: "attempts-exhausted: "),
            ]
            try await withMotoPipeline(routes: routes, configure: {
                $0.retrySchedule = .exponential(maxAttempts: 2, base: .milliseconds(20), max: .milliseconds(100))
                $0.deliveryTimeoutMilliseconds = 400
            }) { pipeline in
                let events = EventGenerator(clients: 7, seed: UInt64(pipeline.tag)).events(21)  // 3 per client
                try await pipeline.send(events)

                let letters = try await pipeline.deadLetters(18)
                let undeliverable = events.filter { $0.clientID != "client-6" }
                #expect(letters.map(\.body).sorted() == undeliverable.sorted(),
                        "exactly one letter per undeliverable event, body byte-identical to the payload")
                for letter in letters {
                    try check(letter, against: expected)
                }
                try checkWhatTheSinkSaw(sink, events)
                #expect(resetting.requestHeads.load(ordering: .relaxed) == 6,
                        "a resetting endpoint is attempted PISMO_MAX_ATTEMPTS times per event, no hidden re-sends")
                try await checkpointCoversEverything(pipeline)
            }
        }
    }

    func check(_ letter: SQSMessage, against expected: [String: Expected]) throws {
        let attributes = letter.messageAttributes
        let client = letter.body.clientID
        let want = try #require(expected[client], "no letter expected for \(client)")
        #expect(attributes["pismo-client-id"]?.stringValue == client)
        #expect(attributes["pismo-event-id"]?.stringValue == letter.body.eventID)
        #expect(attributes["pismo-error"]?.stringValue?.hasPrefix(want.reasonMentions) == true,
                "\(client): pismo-error \(attributes["pismo-error"]?.stringValue ?? "-") mentions \(want.reasonMentions)")
        for name in ["pismo-client-id", "pismo-event-id", "pismo-error"] {
            #expect(attributes[name]?.dataType == "String", "\(name) is a String attribute")
        }
        #expect(attributes["pismo-attempts"]?.dataType == "Number")
        #expect(attributes["pismo-attempts"]?.stringValue == want.attempts, "\(client): pismo-attempts")
        if let status = want.lastStatus {
            #expect(attributes["pismo-last-status"]?.dataType == "Number")
            #expect(attributes["pismo-last-status"]?.stringValue == status, "\(client): pismo-last-status")
        } else {
            #expect(attributes["pismo-last-status"] == nil, "\(client): no HTTP status was received, so no pismo-last-status")
        }
    }

    /// Permanent 4xx: one attempt each and never again; the hang: two attempts each (max attempts);
    /// the healthy client: everything delivered once.
    func checkWhatTheSinkSaw(_ sink: LoopbackSink, _ events: [String]) throws {
        func sent(_ client: String) -> [String] { events.filter { $0.clientID == client }.sorted() }
        #expect(sink.requests(to: "/not-found").map(\.bodyText).sorted() == sent("client-1"), "a 404 is attempted exactly once")
        #expect(sink.requests(to: "/bad-request").map(\.bodyText).sorted() == sent("client-2"), "a 400 is attempted exactly once")
        #expect(sink.requests(to: "/hang").map(\.bodyText).sorted() == (sent("client-4") + sent("client-4")).sorted(),
                "a hanging endpoint is attempted PISMO_MAX_ATTEMPTS times per event")
        #expect(sink.requests(to: "/hang").allSatisfy { $0.answeredAt == nil }, "the hanging endpoint never answered")
        #expect(sink.delivered(to: "/ok").sorted() == sent("client-6"), "the healthy client got everything, once")
    }

    /// Dead-lettered records are resolved records: the checkpoint reaches the end of the stream.
    func checkpointCoversEverything(_ pipeline: MotoPipeline) async throws {
        let inserts = try await pipeline.streamInserts()
        #expect(inserts.count == 21)
        let last = try #require(inserts.last)
        try await eventually("the checkpoint reaches the last record") {
            try await pipeline.leases.leases().first { $0.shardID == last.shardID }?.checkpoint == last.sequence
        }
    }
}
