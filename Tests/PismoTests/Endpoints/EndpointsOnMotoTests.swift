import Foundation
import Testing
import Transport
@testable import Pismo

/// Several endpoints per client through the whole pipeline on moto: processor, stream, deliver,
/// retry queue and routes table as in production, webhooks to loopback sinks.
@Suite("Endpoints against moto", .timeLimit(.minutes(3)))
struct EndpointsOnMotoTests {
    static func fastRetries(_ settings: inout PismoSettings) {
        settings.retrySchedule = .exponential(maxAttempts: 2, base: .milliseconds(20), max: .milliseconds(100))
    }

    @Test func threeEndpointsWithDifferentFiltersGetEachEventExactlyWhereItBelongs() async throws {
        try await withLoopbackSink { sink in
            try await withMotoPipeline(routes: [:]) { pipeline in
                let admin = RouteAdmin(aws: pipeline.aws, table: pipeline.settings.routesTable)
                try await admin.set(client: "client-1", endpoint: Endpoint(id: "alerts", url: sink.url("/alerts"), eventTypes: ["monitoring.alert"]))
                try await admin.set(client: "client-1", endpoint: Endpoint(id: "money", url: sink.url("/money"),
                                                                           eventTypes: ["transaction.authorized", "no.such.type"]))
                try await admin.set(client: "client-1", endpoint: Endpoint(id: "everything", url: sink.url("/all")))
                let events = EventGenerator(clients: 1, seed: UInt64(pipeline.tag)).events(30)
                try await pipeline.send(events)
                try await eventually("every event reaches the endpoint without a filter") { Set(sink.delivered(to: "/all")) == Set(events) }
                let alerts = events.filter { $0.eventType == "monitoring.alert" }
                let money = events.filter { $0.eventType == "transaction.authorized" }
                #expect(!alerts.isEmpty && !money.isEmpty && alerts.count + money.count < events.count, "the sample has every kind")
                try await eventually("the filtered endpoints get their types") {
                    Set(sink.delivered(to: "/alerts")) == Set(alerts) && Set(sink.delivered(to: "/money")) == Set(money)
                }
                #expect(sink.delivered(to: "/alerts").count == alerts.count && sink.delivered(to: "/money").count == money.count
                        && sink.delivered(to: "/all").count == events.count, "exactly once each: \(sink.duplicateAcceptances())")
                for request in sink.requests {
                    #expect(request.headers["webhook-id"] == request.bodyText.eventID, "webhook-id is the event id on every endpoint")
                }
                #expect(try await pipeline.deadLetters(0).isEmpty)
            }
        }
    }

    @Test func aFailingEndpointDoesNotDelayItsSiblingAndDeadLettersUnderItsOwnName() async throws {
        try await withLoopbackSink { sink in
            try await withMotoPipeline(routes: [:], configure: Self.fastRetries) { pipeline in
                let admin = RouteAdmin(aws: pipeline.aws, table: pipeline.settings.routesTable)
                try await admin.set(client: "client-1", endpoint: Endpoint(id: "down", url: sink.on("/down", LoopbackSink.always(503))))
                try await admin.set(client: "client-1", endpoint: Endpoint(id: "up", url: sink.url("/up")))
                // Fewer failures than open the failing endpoint's circuit (which would park the rest for
                // its probe interval: correct, but slower than this test wants to wait).
                let events = EventGenerator(clients: 1, seed: UInt64(pipeline.tag)).events(6)
                try await pipeline.send(events)
                try await eventually("the healthy sibling gets every event") { Set(sink.delivered(to: "/up")) == Set(events) }
                let letters = try await pipeline.deadLetters(events.count)
                #expect(letters.count == events.count)
                #expect(letters.allSatisfy { $0.messageAttributes["pismo-endpoint"]?.stringValue == "down" })
                #expect(Set(letters.map { $0.messageAttributes["pismo-event-id"]?.stringValue ?? "" }) == Set(events.map(\.eventID)))
                // Each of the failing endpoint's attempts came after its sibling had the same event:
                // the sibling never waited for a retry of the failing one.
                for event in events {
                    let up = try #require(sink.requests(to: "/up").first { $0.bodyText == event })
                    let downAttempts = sink.requests(to: "/down").filter { $0.bodyText == event }
                    let letter = letters.first { $0.messageAttributes["pismo-event-id"]?.stringValue == event.eventID }
                    #expect(downAttempts.count == 2, """
                        two attempts (PISMO_MAX_ATTEMPTS) for the failing endpoint; its letter: \
                        \(letter?.messageAttributes.mapValues { $0.stringValue ?? "" } ?? [:])
                        """)
                    if downAttempts.count == 2 { #expect(up.receivedAt <= downAttempts[1].receivedAt) }
                }
            }
        }
    }

    @Test func duringARotationReceiversHoldingOnlyTheOldOrOnlyTheNewSecretBothVerify() async throws {
        let old = RouteAdmin.generateSecret()
        try await withLoopbackSink { sink in
            try await withMotoPipeline(routes: [:]) { pipeline in
                let admin = RouteAdmin(aws: pipeline.aws, table: pipeline.settings.routesTable)
                try await admin.set(client: "client-1", url: sink.url("/overlap"), secret: old)
                try await admin.set(client: "client-2", url: sink.url("/ended"), secret: old)
                let rotated = try #require(try await admin.rotateSecret(client: "client-1", keep: .seconds(3600)))
                let replaced = try #require(try await admin.rotateSecret(client: "client-2", keep: .zero))
                let events = EventGenerator(clients: 2, seed: UInt64(pipeline.tag)).events(10)
                try await pipeline.send(events)
                try await eventually("every event is delivered") { sink.requests.filter { $0.status == 200 }.count == events.count }
                let oldOnly = StandardWebhooksVerifier(secret: old)
                for request in sink.requests(to: "/overlap") {
                    let (id, ts, sig) = (request.headers["webhook-id"] ?? "", request.headers["webhook-timestamp"] ?? "", request.headers["webhook-signature"] ?? "")
                    #expect(sig.split(separator: " ").count == 2)
                    #expect(oldOnly.verifies(id: id, timestamp: ts, body: request.body, header: sig), "a receiver still on the old secret")
                    #expect(StandardWebhooksVerifier(secret: rotated.secret).verifies(id: id, timestamp: ts, body: request.body, header: sig),
                            "a receiver already on the new secret")
                }
                for request in sink.requests(to: "/ended") {
                    let (id, ts, sig) = (request.headers["webhook-id"] ?? "", request.headers["webhook-timestamp"] ?? "", request.headers["webhook-signature"] ?? "")
                    #expect(sig.split(separator: " ").count == 1, "the overlap is over: only the new secret signs")
                    #expect(!oldOnly.verifies(id: id, timestamp: ts, body: request.body, header: sig))
                    #expect(StandardWebhooksVerifier(secret: replaced.secret).verifies(id: id, timestamp: ts, body: request.body, header: sig))
                }
                #expect(!sink.requests(to: "/overlap").isEmpty && !sink.requests(to: "/ended").isEmpty)
            }
        }
    }

    @Test func aGoneEndpointIsDisabledInsideItsOwnMapWhileItsSiblingCarriesOn() async throws {
        try await withLoopbackSink { sink in
            try await withMotoPipeline(routes: [:]) { pipeline in
                let admin = RouteAdmin(aws: pipeline.aws, table: pipeline.settings.routesTable)
                try await admin.set(client: "client-1", url: sink.url("/legacy"), secret: nil)
                try await admin.set(client: "client-1", endpoint: Endpoint(id: "gone", url: sink.on("/gone", LoopbackSink.always(410))))
                let events = EventGenerator(clients: 1, seed: UInt64(pipeline.tag)).events(5)
                try await pipeline.send(events)
                try await eventually("the legacy endpoint gets every event") { Set(sink.delivered(to: "/legacy")) == Set(events) }
                let letters = try await pipeline.deadLetters(events.count)
                #expect(letters.count == events.count && letters.allSatisfy { $0.messageAttributes["pismo-endpoint"]?.stringValue == "gone" })
                let route = try #require(try await admin.route(of: "client-1"))
                #expect(route.endpoint("gone")?.disabledReason == "the endpoint answered 410 Gone")
                #expect(route.endpoint(Endpoint.defaultID)?.disabledAt == nil, "the sibling stays enabled")
                #expect(try await admin.enable(client: "client-1", endpoint: "gone"))
                #expect(try await admin.route(of: "client-1")?.endpoint("gone")?.disabledAt == nil)
            }
        }
    }
}

extension String {
    /// The `event_type` of a generated event.
    var eventType: String {
        guard let range = range(of: #""event_type":""#) else { return "" }
        return String(self[range.upperBound...].prefix { $0 != "\"" })
    }
}
