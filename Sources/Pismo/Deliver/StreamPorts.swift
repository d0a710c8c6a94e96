/// The deliver side's view of DynamoDB Streams and of the leases table. Production adapters sit on
/// the Streams and DynamoDB clients; tests script them in memory.

/// What a stream record means to delivery, decoded from its NewImage by the adapter.
public struct ChangeRecord: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A newly stored event. `direct` is true when the processor is attempting direct dispatch.
        case inserted(DeliveryJob, direct: Bool)
        /// The processor finished its direct attempt for the event with this key.
        case directOutcome(eventKey: String, delivered: Bool)
        /// Anything else (other modifications, removals): nothing to deliver.
        case ignored
    }

    public var sequenceNumber: String
    public var eventKey: String
    public var kind: Kind

    public init(sequenceNumber: String, eventKey: String, kind: Kind) {
        self.sequenceNumber = sequenceNumber
        self.eventKey = eventKey
        self.kind = kind
    }
}

public enum StreamReadError: Error, Sendable, Equatable {
    /// The iterator outlived its 15 minutes (or LocalStack's 5): get a fresh one.
    case expiredIterator
    /// Records before the requested position were trimmed (24 h retention): they are gone.
    case trimmedData
}

public protocol StreamShardSource: Sendable {
    func listShards() async throws -> [ShardInfo]
    /// AFTER_SEQUENCE_NUMBER when `after` is set, TRIM_HORIZON otherwise.
    func iterator(shardID: String, after: String?) async throws -> String
    /// `next` is nil once a closed shard has been read to its end.
    func records(iterator: String) async throws -> (records: [ChangeRecord], next: String?)
}

public protocol LeaseStore: Sendable {
    func leases() async throws -> [ShardLease]
    /// Conditional take-over: succeeds only if the lease is still as `observed` (or absent when nil),
    /// so two instances can never both win the same shard.
    func acquire(shardID: String, owner: String, expiresAtMillis: Int64, observed: ShardLease?) async throws -> Bool
    /// Extends a lease this owner holds; false means it was lost (expired and taken).
    func renew(shardID: String, owner: String, expiresAtMillis: Int64) async throws -> Bool
    /// Persists the checkpoint, only while `owner` still holds the lease.
    func checkpoint(shardID: String, owner: String, sequenceNumber: String) async throws -> Bool
}
