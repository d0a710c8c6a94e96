/// Production adapter onto DynamoDB Streams for the Events table.
public final class DynamoDBStreamSource: StreamShardSource {
    let streams: DynamoDBStreamsClient
    let streamARN: String

    public init(streams: DynamoDBStreamsClient, streamARN: String) {
        self.streams = streams
        self.streamARN = streamARN
    }

    public func listShards() async throws -> [ShardInfo] {
        try await streams.describeAllShards(streamARN: streamARN).map {
            ShardInfo(shardID: $0.shardID, parentShardID: $0.parentShardID, endingSequenceNumber: $0.endingSequenceNumber)
        }
    }

    public func iterator(shardID: String, after: String?) async throws -> String {
        do {
            return try await streams.getShardIterator(streamARN: streamARN, shardID: shardID,
                                                      type: after.map { .afterSequenceNumber($0) } ?? .trimHorizon)
        } catch DynamoDBStreamsError.trimmedData {
            // The position we resume after is older than the stream's retention.
            throw StreamReadError.trimmedData
        }
    }

    public func records(iterator: String) async throws -> (records: [ChangeRecord], next: String?) {
        do {
            let page = try await streams.getRecords(iterator: iterator, limit: 1000)
            return (page.records.map(Self.change), page.next)
        } catch DynamoDBStreamsError.expiredIterator {
            throw StreamReadError.expiredIterator
        } catch DynamoDBStreamsError.trimmedData {
            throw StreamReadError.trimmedData
        } catch let error as AWSError where error.code == "ResourceNotFoundException" && error.message.contains("ShardIterator") {
            // DynamoDB-local/LocalStack's "Invalid ShardId in ShardIterator": a fresh iterator fixes it.
            throw StreamReadError.expiredIterator
        }
    }

    static func change(_ record: StreamRecord) -> ChangeRecord {
        var change = classify(record)
        change.receivedAtMillis = (record.newImage?[EventsTable.receivedAt]?.string).flatMap(UTCTime.millisecondsSince1970(iso8601:))
        change.approximateCreationMillis = record.approximateCreationDateTime.map { Int64(($0 * 1000).rounded()) }
        return change
    }

    private static func classify(_ record: StreamRecord) -> ChangeRecord {
        let image = record.newImage ?? [:]
        let (client, key) = EventsTable.identity(image: image, keys: record.keys)
        let dispatch = image[EventsTable.dispatch]?.string.flatMap(EventsTable.Dispatch.init(rawValue:))
        switch record.eventName {
        case "INSERT":
            guard let payload = image[EventsTable.payload]?.string else { break }
            let job = DeliveryJob(clientID: client, eventID: image[EventsTable.eventID]?.string ?? "",
                                  eventType: image[EventsTable.eventType]?.string ?? "", payload: Array(payload.utf8),
                                  eventKey: image[EventsTable.eventKey]?.string ?? record.keys[EventsTable.eventKey]?.string ?? "")
            return ChangeRecord(sequenceNumber: record.sequenceNumber, eventKey: key, kind: .inserted(job, direct: dispatch == .direct))
        case "MODIFY" where dispatch == .delivered || dispatch == .stream:
            return ChangeRecord(sequenceNumber: record.sequenceNumber, eventKey: key,
                                kind: .directOutcome(eventKey: key, delivered: dispatch == .delivered))
        default:
            break
        }
        return ChangeRecord(sequenceNumber: record.sequenceNumber, eventKey: key, kind: .ignored)
    }
}
