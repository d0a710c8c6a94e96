import Transport
@testable import Pismo

/// An attempt-log writer that keeps what it is given, in batches of at most `maxBatch`.
/// `gated`: the first write waits (holding its batch) until `open()`; `failing`: every write throws;
/// `handsBack`: each write reports that many records unprocessed.
final class RecordingAttemptWriter: AttemptLogWriter {
    let maxBatch: Int
    private let failing: Bool
    private let handsBack: Int
    private let state = Locked(State())

    private struct State {
        var batches: [[AttemptRecord]] = []
        var gate: Gate = .none
        var entered: CheckedContinuation<Void, Never>?
        var enteredOnce = false
    }

    private enum Gate { case none, closed, holding(CheckedContinuation<Void, Never>), open }

    init(maxBatch: Int = 25, gated: Bool = false, failing: Bool = false, handsBack: Int = 0) {
        self.maxBatch = maxBatch
        self.failing = failing
        self.handsBack = handsBack
        if gated { state.withLock { $0.gate = .closed } }
    }

    var batches: [[AttemptRecord]] { state.withLock { $0.batches } }
    var written: [AttemptRecord] { batches.flatMap { $0 } }

    func write(_ records: [AttemptRecord]) async throws -> Int {
        precondition(records.count <= maxBatch, "a batch larger than the writer accepts")
        let entered = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.batches.append(records)
            s.enteredOnce = true
            defer { s.entered = nil }
            return s.entered
        }
        entered?.resume()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { s -> Bool in
                guard case .closed = s.gate else { return false }
                s.gate = .holding(c)
                return true
            }
            if !wait { c.resume() }
        }
        if failing { throw AWSError.outage("dynamodb", "BatchWriteItem") }
        return min(handsBack, records.count)
    }

    /// Returns once a first write has begun.
    func firstWriteBegan() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.enteredOnce { return true }
                s.entered = c
                return false
            }
            if now { c.resume() }
        }
    }

    /// Lets the held write (and every later one) through.
    func open() {
        let held = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.gate = .open }
            if case .holding(let c) = s.gate { return c }
            return nil
        }
        held?.resume()
    }
}

extension AttemptRecord {
    /// A record for tests: attempt `n` of `event`, failed with 503 unless `delivered`.
    static func sample(_ event: String = "e1", attempt n: Int = 1, delivered: Bool = false, at millis: Int64 = 1_796_083_200_000,
                       client: String = "acme", endpoint: String = "default") -> AttemptRecord {
        AttemptRecord(clientID: client, eventID: event, endpointID: endpoint, attempt: n, atMillis: millis,
                      status: delivered ? 200 : 503, error: nil, latency: .milliseconds(12),
                      responseExcerpt: Array((delivered ? "ok" : "down for maintenance").utf8), delivered: delivered)
    }
}
