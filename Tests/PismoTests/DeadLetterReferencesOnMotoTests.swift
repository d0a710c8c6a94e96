import Foundation
import Testing
import Transport
@testable import Pismo

/// deliver-dlq letters SQS could never take as they are: a payload too large to travel with its
/// attributes goes as a reference to the Events table item (`pismo-body: reference`), attribute
/// values are sanitised, and `pismo redrive deliver-dlq` delivers a reference with the stored payload.
@Suite(.timeLimit(.minutes(2)))
struct DeadLetterReferencesOnMotoTests {
    /// A JSON payload of `bytes` bytes (the largest SQS message is 262,144 bytes).
    static func payload(_ bytes: Int) -> [UInt8] {
        let head = #"{"client_id":"big","event_type":"t","padding":""#
        return Array((head + String(repeating: "x", count: bytes - head.utf8.count - 2) + #""}"#).utf8)
    }

    @Test func aPayloadTooLargeWithItsAttributesGoesAsAReferenceAndRedriveDeliversTheStoredBytes() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let payload = Self.payload(261_000)  // fits SQS alone, not with pismo-error and the rest
        let item = EventItem(clientID: "big", eventKey: "2026-12-03T00:00:00Z#evt-big", eventID: "evt-big", eventType: "t",
                             eventTime: "2026-12-03T00:00:00Z", payload: payload, receivedAt: "2026-12-03T00:00:01Z")
        #expect(try await DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable).putIfAbsent(item) == .stored)

        let dlqURL = try await aws.queueURL(settings.deliverDLQ)
        let publisher = SQSDeadLetterPublisher(sqs: aws.sqs, queueURL: dlqURL)
        let letter = DeadLetter(reason: DeadLetterReason(.attemptsExhausted, String(repeating: "endpoint said no; ", count: 1_000)),
                                clientID: "big", eventID: "evt-big", attempts: 8, lastStatus: 503, eventKey: item.eventKey)
        try await publisher.publish(payload: payload, letter: letter)

        let received = try #require(try await aws.sqs.receiveMessage(queueURL: dlqURL, maxMessages: 1, waitSeconds: 1, visibilityTimeout: 0).first)
        #expect(received.messageAttributes["pismo-body"]?.stringValue == "reference")
        #expect(StoredEventReference(json: received.body) == StoredEventReference(clientID: "big", eventKey: item.eventKey, eventID: "evt-big"))
        let error = try #require(received.messageAttributes["pismo-error"]?.stringValue)
        #expect(error.hasPrefix("attempts-exhausted: ") && error.utf8.count <= 4_096, "pismo-error bounded: \(error.utf8.count) bytes")
        #expect(received.messageAttributes["pismo-attempts"]?.stringValue == "8")

        try await withLoopbackSink { sink in
            try await RouteAdmin(aws: aws, table: settings.routesTable).set(client: "big", url: sink.url("/big"), secret: nil)
            let wiring = MotoPipeline.wiring(aws: aws, settings: settings, registry: MetricsRegistry())
            let (delivered, remaining) = try await QueueTools(aws: aws).redeliver(
                queueURL: dlqURL, engine: try await wiring.deliveryEngine(cachedRoutes: false), events: wiring.storedEvents)
            #expect(delivered == 1 && remaining == 0)
            #expect(sink.requests.map(\.body) == [payload], "the stored payload, byte-identical")
        }
    }

    @Test func attributeValuesAreSanitisedAndEmptyOnesLeftOut() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let dlqURL = try await aws.queueURL(settings.deliverDLQ)
        let letter = DeadLetter(reason: DeadLetterReason(.http4xx, "endpoint said \u{1}\u{FFFF}no"), clientID: "",
                                eventID: "evt-\u{0}1", attempts: 1, lastStatus: 400)
        try await SQSDeadLetterPublisher(sqs: aws.sqs, queueURL: dlqURL).publish(payload: Array(#"{"a":1}"#.utf8), letter: letter)
        let received = try #require(try await aws.sqs.receiveMessage(queueURL: dlqURL, maxMessages: 1, waitSeconds: 1, visibilityTimeout: 0).first)
        #expect(received.body == #"{"a":1}"#)
        #expect(received.messageAttributes["pismo-error"]?.stringValue == "http-4xx: endpoint said \u{FFFD}\u{FFFD}no")
        #expect(received.messageAttributes["pismo-event-id"]?.stringValue == "evt-\u{FFFD}1")
        #expect(received.messageAttributes["pismo-client-id"] == nil, "SQS refuses an empty value: left out")
    }
}
