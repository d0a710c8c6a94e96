/// One API operation as the protocol client sees it: its name and why retrying it is safe.
public struct AWSOperation: Sendable, Equatable {
    /// Why a retry after an ambiguous failure (timeout, 5xx, dropped connection) cannot do harm.
    public enum RetrySafety: Sendable, Equatable {
        /// Reads, and writes that converge to the same state when repeated (Put/Delete of a key,
        /// SetQueueAttributes, DeleteMessage with a receipt handle).
        case idempotent
        /// Guarded by a condition or token the server checks (conditional PutItem, TransactWriteItems
        /// with a ClientRequestToken): a repeated success shows up as a condition failure.
        case conditional
        /// May duplicate (SendMessage): acceptable because SQS is at-least-once anyway and the
        /// consumer deduplicates on the event id.
        case atLeastOnce
    }

    public var name: String
    public var retrySafety: RetrySafety
    /// Long polls (SQS ReceiveMessage with WaitTimeSeconds): the backoff is slept even when the retry
    /// quota is empty, so a poller never spins hot against a failing queue.
    public var isLongPoll: Bool

    public init(_ name: String, _ retrySafety: RetrySafety, isLongPoll: Bool = false) {
        self.name = name
        self.retrySafety = retrySafety
        self.isLongPoll = isLongPoll
    }
}
