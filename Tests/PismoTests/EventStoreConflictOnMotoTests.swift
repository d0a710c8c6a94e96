import Foundation
import Testing
@testable import Pismo

/// The Events table adapter on moto: a failed conditional put is read back and compared, by
/// `payload_sha256` or, for rows written before it existed, by the payload itself.
@Suite("Event store conflicts against moto", .timeLimit(.minutes(2)))
struct EventStoreConflictOnMotoTests {
    @Test func aTakenKeyIsADuplicateOnlyWhenThePayloadIsTheSame() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let store = DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable)

        func item(_ key: String, _ payload: String) -> EventItem {
            EventItem(clientID: "acme", eventKey: key, eventID: "e", eventType: "t", eventTime: "2026-01-01T00:00:00Z",
                      payload: Array(payload.utf8), receivedAt: "2026-01-01T00:00:01.000Z")
        }

        // Written by this version: the row carries payload_sha256.
        #expect(try await store.putIfAbsent(item("k1", #"{"a":1}"#)) == .stored)
        let stored = try #require(try await aws.dynamo.getItem(table: settings.eventsTable,
                                                               key: [EventsTable.clientID: .s("acme"), EventsTable.eventKey: .s("k1")]))
        #expect(stored[EventsTable.payloadSHA256]?.string == EventsTable.payloadDigest(Array(#"{"a":1}"#.utf8)))
        #expect(try await store.putIfAbsent(item("k1", #"{"a":1}"#)) == .alreadyStored)
        #expect(try await store.putIfAbsent(item("k1", #"{"a":2}"#))
                == .conflict(storedDigest: EventsTable.payloadDigest(Array(#"{"a":1}"#.utf8))))

        // A row from before payload_sha256: compared by its payload.
        var legacy = EventsTable.initialRow(item("k2", #"{"b":1}"#))
        legacy[EventsTable.payloadSHA256] = nil
        try await aws.dynamo.putItem(table: settings.eventsTable, item: legacy)
        #expect(try await store.putIfAbsent(item("k2", #"{"b":1}"#)) == .alreadyStored)
        #expect(try await store.putIfAbsent(item("k2", #"{"b":2}"#)) == .conflict(storedDigest: nil))
    }
}
