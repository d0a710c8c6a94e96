public struct StreamSummary: Sendable, Equatable {
    public var streamARN: String
    public var tableName: String
    public var streamLabel: String
}

/// A shard; no `endingSequenceNumber` means it is still open. Parents must be read before children.
public struct StreamShard: Sendable, Equatable {
    public var shardID: String
    public var parentShardID: String?
    public var startingSequenceNumber: String?
    public var endingSequenceNumber: String?
    public var isOpen: Bool { endingSequenceNumber == nil }
}

public struct StreamDescription: Sendable, Equatable {
    public var streamARN: String
    public var status: String
    public var viewType: String?
    public var tableName: String?
    public var shards: [StreamShard]
    /// Set when more shards follow: pass as `exclusiveStartShardID`.
    public var lastEvaluatedShardID: String?
}

public enum ShardIteratorType: Sendable, Equatable {
    case trimHorizon
    case latest
    case atSequenceNumber(String)
    case afterSequenceNumber(String)

    var wireName: String {
        switch self {
        case .trimHorizon: "TRIM_HORIZON"
        case .latest: "LATEST"
        case .atSequenceNumber: "AT_SEQUENCE_NUMBER"
        case .afterSequenceNumber: "AFTER_SEQUENCE_NUMBER"
        }
    }

    var sequenceNumber: String? {
        switch self {
        case .atSequenceNumber(let s), .afterSequenceNumber(let s): s
        default: nil
        }
    }
}

/// One change. `oldImage` is absent on INSERT and `newImage` on REMOVE (and both depend on the
/// stream view type). `approximateCreationDateTime` is epoch seconds.
public struct StreamRecord: Sendable, Equatable {
    public var eventID: String
    public var eventName: String
    public var sequenceNumber: String
    public var keys: DynamoDBItem
    public var newImage: DynamoDBItem?
    public var oldImage: DynamoDBItem?
    public var approximateCreationDateTime: Double?
    public var sizeBytes: Int?
    public var streamViewType: String?
}

/// GetRecords failures a reader must handle differently from other errors.
public enum DynamoDBStreamsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The iterator is older than 15 minutes: get a new AFTER_SEQUENCE_NUMBER iterator.
    case expiredIterator(AWSError)
    /// The requested position is past the 24 h retention (or the trim point): those records are gone.
    case trimmedData(AWSError)

    public var description: String {
        switch self {
        case .expiredIterator(let e): "expired shard iterator: \(e)"
        case .trimmedData(let e): "trimmed stream data: \(e)"
        }
    }
}
