/// Tracks which stream records of one shard are resolved (delivered or dead-lettered) and yields the
/// highest sequence number below which *everything* is resolved: the only safe checkpoint.
///
/// Records resolve out of order because tenants are isolated (a slow client's record may still be
/// retrying while later records of other clients are done). The checkpoint therefore advances only
/// over a contiguous resolved prefix, so a restart replays at most the unresolved tail — never loses it.
///
/// Not thread-safe: owned by the shard's reader task.
public struct CheckpointTracker: Sendable {
    /// Records in stream order; `resolved` flips when the record's outcome is final.
    private var pending: [(sequence: String, resolved: Bool, receivedAtMillis: Int64?)] = []
    private var head = 0
    /// Entries dropped from the front by compaction: a position is `dropped` + an index into `pending`.
    private var dropped = 0
    /// The sequence number that is safe to persist (nil until the first prefix resolves).
    public private(set) var checkpoint: String?
    /// The latest `received_at` (unix ms) among the records the checkpoint covers: this shard's
    /// events received up to then are resolved. nil until a covered record carried one.
    public private(set) var resolvedThroughMillis: Int64?

    public init(checkpoint: String? = nil) {
        self.checkpoint = checkpoint
    }

    /// Number of records read but not yet covered by the checkpoint.
    public var outstanding: Int { pending.count - head }

    /// Registers a record as read, in stream order. Returns its position, which makes resolving it
    /// constant-time (`resolve(_:at:)`) instead of a search through everything outstanding — at
    /// saturation a shard has a thousand records or more outstanding.
    @discardableResult
    public mutating func track(_ sequence: String, receivedAtMillis: Int64? = nil) -> Int {
        pending.append((sequence, false, receivedAtMillis))
        return dropped + pending.count - 1
    }

    /// Marks a record resolved. Returns true when the checkpoint moved. `position` (from `track`) is
    /// a hint: when it does not hold `sequence` unresolved (this tracker was replaced since), the
    /// record is searched for.
    @discardableResult
    public mutating func resolve(_ sequence: String, at position: Int? = nil) -> Bool {
        // The first *unresolved* entry: a record read twice (an emulator's stream replaying a record,
        // a re-read after an iterator reset) is tracked twice and resolved twice; matching an entry
        // that is already resolved would leave the other copy pending and the checkpoint stuck for good.
        let index: Int
        if let position, case let hinted = position - dropped, hinted >= head, hinted < pending.count,
           pending[hinted].sequence == sequence, !pending[hinted].resolved {
            index = hinted
        } else {
            guard let found = pending[head...].firstIndex(where: { $0.sequence == sequence && !$0.resolved }) else { return false }
            index = found
        }
        pending[index].resolved = true
        var moved = false
        while head < pending.count, pending[head].resolved {
            checkpoint = pending[head].sequence
            if let time = pending[head].receivedAtMillis { resolvedThroughMillis = max(resolvedThroughMillis ?? time, time) }
            head += 1
            moved = true
        }
        // Compact occasionally so a long-running shard does not grow the array without bound.
        if head > 1024, head * 2 > pending.count {
            pending.removeFirst(head)
            dropped += head
            head = 0
        }
        return moved
    }
}

/// Compares DynamoDB Streams sequence numbers, which are decimal strings of up to 40 digits
/// (too long for any integer type) — numeric order is length order, then lexicographic order.
public func sequenceNumberPrecedes(_ a: String, _ b: String) -> Bool {
    let a = a.drop { $0 == "0" }, b = b.drop { $0 == "0" }
    if a.count != b.count { return a.count < b.count }
    return a < b
}
