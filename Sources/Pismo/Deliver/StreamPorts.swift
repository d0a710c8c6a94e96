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
    /// The row's `received_at` (unix ms) when its image carries one: once this record is resolved,
    /// everything this shard received up to then is, which is where a trimmed gap starts.
    public var receivedAtMillis: Int64?
    /// The stream's ApproximateCreationDateTime (unix ms, to the second): how old the record is when
    /// read is the shard's iterator age.
    public var approximateCreationMillis: Int64?

    public init(sequenceNumber: String, eventKey: String, kind: Kind, receivedAtMillis: Int64? = nil,
                approximateCreationMillis: Int64? = nil) {
        self.sequenceNumber = sequenceNumber
        self.eventKey = eventKey
        self.kind = kind
        self.receivedAtMillis = receivedAtMillis
        self.approximateCreationMillis = approximateCreationMillis
    }
}

public enum StreamReadError: Error, Sendable, Equatable {
    /// The iterator outlived its 15 minutes (or LocalStack's 5): get a fresh one.
    case expiredIterator
    /// Records before the requested position were trimmed (24 h retention): they are gone from the
    /// stream, and the worker replays them from the Events table (`TrimRecovery`).
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
    /// Persists the checkpoint and the time everything up to it was received (`resolvedThroughMillis`,
    /// unix ms: where a trimmed gap would start), only while `owner` still holds the lease. A nil
    /// leaves that attribute as it is.
    func checkpoint(shardID: String, owner: String, sequenceNumber: String?, resolvedThroughMillis: Int64?) async throws -> Bool
}

extension LeaseStore {
    /// The checkpoint alone (a finished shard's `SHARD_END`).
    public func checkpoint(shardID: String, owner: String, sequenceNumber: String) async throws -> Bool {
        try await checkpoint(shardID: shardID, owner: owner, sequenceNumber: sequenceNumber, resolvedThroughMillis: nil)
    }
}
