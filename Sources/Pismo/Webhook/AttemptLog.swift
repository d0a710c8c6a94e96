/// Where the delivery engine reports each webhook attempt (`pismo attempts` reads them back).
///
/// Best effort by contract: `record` never throws, never waits for storage and never slows a
/// delivery. A record that cannot be kept is dropped and counted; an event is never held for its log.
public protocol AttemptLog: Sendable {
    func record(_ record: AttemptRecord) async
}

/// Which attempts are logged (`PISMO_ATTEMPT_LOG`). Applied before anything is buffered, so the
/// default costs a healthy endpoint nothing: a delivered attempt is dropped on the spot.
public enum AttemptLogMode: String, Sendable, CaseIterable {
    /// Attempts that did not deliver, and the retry that finally did (the default): an event
    /// delivered at its first attempt — the healthy path — makes no extra AWS request, while an
    /// event that failed shows its whole story, recovery included.
    case failures
    /// Every attempt, delivered ones too: one more write per event (batched 25 to a request).
    case all
    /// None; no buffer, no writes.
    case off

    /// Whether an attempt with this outcome is logged; `attempt` counts from 1.
    public func keeps(delivered: Bool, attempt: Int) -> Bool {
        switch self {
        case .failures: !delivered || attempt > 1
        case .all: true
        case .off: false
        }
    }

    public func keeps(_ record: AttemptRecord) -> Bool { keeps(delivered: record.delivered, attempt: record.attempt) }
}

/// Writes a batch of attempt records to storage (the attempts table in production).
public protocol AttemptLogWriter: Sendable {
    /// The largest batch `write` accepts.
    var maxBatch: Int { get }
    /// Writes `records`; returns how many were not written (storage handed them back), and throws
    /// when the whole write failed.
    func write(_ records: [AttemptRecord]) async throws -> Int
}
