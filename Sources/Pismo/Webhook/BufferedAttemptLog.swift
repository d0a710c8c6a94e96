import Logging
import Transport

/// The attempt log in production: `record` appends to a bounded in-memory buffer and returns at
/// once; one background task writes the buffer out in batches (`AttemptLogWriter.maxBatch`, 25 for
/// BatchWriteItem). Delivery never waits for it: a full buffer or a failed write drops records,
/// counted in `pismo_attempt_log_dropped_total{reason}` and warned about at most once per
/// `warningInterval`. `close()` (graceful shutdown) writes what is buffered, and gives up on the
/// rest at the first failed write so that shutdown stays bounded.
///
/// The mode filter runs first: in `failures` mode an event delivered at its first attempt touches
/// nothing — no buffer, no task, no request.
///
/// Thread-safe: all state sits behind one lock, held only to append or take a batch.
public final class BufferedAttemptLog: AttemptLog {
    public struct Options: Sendable {
        /// Records held at most (each up to ~1.3 KB): about 5 MB when storage is down.
        public var capacity = 4096
        /// How long the writer waits for a batch to fill before writing a partial one: a burst of
        /// failures costs one request per 25 attempts, a lone failure is written within this.
        public var linger: Duration = .milliseconds(500)
        public var warningInterval: Duration = .seconds(30)
        public init() {}
    }

    private struct State {
        var buffer: [AttemptRecord] = []
        /// The writer, parked until `wakeOn` happens (or the log closes).
        var waiting: CheckedContinuation<Void, Never>?
        var wakeOn = Wake.anyRecord
        /// Tells a linger's timer whether the linger it was started for is still the current one.
        var linger = 0
        /// Started by the first record kept: a process that never fails an attempt runs no task.
        var flusher: Task<Void, Never>?
        var closed = false
        var lastWarning: ContinuousClock.Instant?
        var droppedSinceWarning = 0
    }

    /// What wakes the parked writer: the first record into an empty buffer, or (while it lingers
    /// over a partial batch) a full batch; the linger's timer and `close()` wake it in any case.
    private enum Wake { case anyRecord, fullBatch }

    public let mode: AttemptLogMode
    private let writer: any AttemptLogWriter
    private let options: Options
    private let metrics: AttemptLogMetrics
    private let logger: Logger
    private let state = Locked(State())

    public init(mode: AttemptLogMode, writer: any AttemptLogWriter, registry: MetricsRegistry,
                options: Options = Options(), logger: Logger = Logger(label: "pismo.attempts")) {
        self.mode = mode
        self.writer = writer
        self.options = options
        self.metrics = AttemptLogMetrics(registry: registry)
        self.logger = logger
    }

    public func record(_ record: AttemptRecord) async {
        guard mode.keeps(record) else { return }
        enum Outcome { case kept(CheckedContinuation<Void, Never>?), full, closed }
        let outcome = state.withLock { s -> Outcome in
            if s.closed { return .closed }
            if s.buffer.count >= options.capacity { return .full }
            s.buffer.append(record)
            if s.flusher == nil { s.flusher = Task { await self.writeUntilClosed() } }
            guard s.wakeOn == .anyRecord || s.buffer.count >= writer.maxBatch else { return .kept(nil) }
            defer { s.waiting = nil }
            return .kept(s.waiting)
        }
        switch outcome {
        case .kept(let waiting): waiting?.resume()
        case .full: dropped(1, .overflow, cause: "the buffer is full (\(options.capacity) records): storage is not keeping up")
        case .closed: dropped(1, .closed, cause: "recorded after shutdown began")
        }
    }

    /// Stops taking records, writes what is buffered and returns once it is written or given up.
    public func close() async {
        let (flusher, waiting) = state.withLock { s in
            s.closed = true
            defer { s.waiting = nil }
            return (s.flusher, s.waiting)
        }
        waiting?.resume()
        await flusher?.value
    }

    private func writeUntilClosed() async {
        while let batch = await nextBatch() { await write(batch) }
    }

    private enum Step { case batch([AttemptRecord]), linger, wait, done }

    /// The next batch to write: a full one at once, a partial one after lingering (at once when
    /// closing); nil when closed and empty.
    private func nextBatch() async -> [AttemptRecord]? {
        var lingered = false
        while true {
            let step = state.withLock { s -> Step in
                let full = s.buffer.count >= writer.maxBatch
                if full || (!s.buffer.isEmpty && (lingered || s.closed || options.linger <= .zero)) {
                    let batch = Array(s.buffer.prefix(writer.maxBatch))
                    s.buffer.removeFirst(batch.count)
                    return .batch(batch)
                }
                if !s.buffer.isEmpty { return .linger }
                return s.closed ? .done : .wait
            }
            switch step {
            case .batch(let batch): return batch
            case .done: return nil
            case .linger:
                await park(until: .fullBatch)
                lingered = true
            case .wait:
                await park(until: .anyRecord)
                lingered = false
            }
        }
    }

    /// Suspends the writer until `wake` happens, the log closes or (lingering) the linger is over.
    private func park(until wake: Wake) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let linger = state.withLock { s -> Int? in
                let ready = switch wake {
                case .anyRecord: !s.buffer.isEmpty
                case .fullBatch: s.buffer.count >= writer.maxBatch
                }
                if s.closed || ready { return nil }
                s.waiting = continuation
                s.wakeOn = wake
                s.linger += 1
                return s.linger
            }
            guard let linger else { return continuation.resume() }
            guard wake == .fullBatch else { return }
            let duration = options.linger
            Task {
                try? await Task.sleep(for: duration)
                self.endLinger(linger)
            }
        }
    }

    private func endLinger(_ linger: Int) {
        let waiting = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.linger == linger, s.wakeOn == .fullBatch else { return nil }
            defer { s.waiting = nil }
            return s.waiting
        }
        waiting?.resume()
    }

    private func write(_ batch: [AttemptRecord]) async {
        do {
            let unwritten = try await writer.write(batch)
            metrics.written.increment(by: batch.count - unwritten)
            if unwritten > 0 { dropped(unwritten, .writeFailed, cause: "storage handed \(unwritten) records back unprocessed") }
        } catch {
            dropped(batch.count, .writeFailed, cause: "\(error)")
            // Shutting down while storage fails: give up on the rest instead of failing batch after batch.
            let rest = state.withLock { s -> Int in
                guard s.closed else { return 0 }
                defer { s.buffer.removeAll() }
                return s.buffer.count
            }
            if rest > 0 { dropped(rest, .writeFailed, cause: "shutting down after a failed write") }
        }
    }

    /// Counts dropped records and warns at the first drop, then at most once per `warningInterval`
    /// with how many were dropped since the last warning.
    private func dropped(_ count: Int, _ reason: AttemptLogMetrics.DropReason, cause: String) {
        metrics.dropped(count, reason)
        let now = ContinuousClock.now
        let sinceLast = state.withLock { s -> Int? in
            s.droppedSinceWarning += count
            if let last = s.lastWarning, now - last < options.warningInterval { return nil }
            s.lastWarning = now
            defer { s.droppedSinceWarning = 0 }
            return s.droppedSinceWarning
        }
        guard let sinceLast else { return }
        logger.warning("attempt log: records dropped (deliveries are not affected)", metadata: [
            "reason": "\(reason.rawValue)", "cause": "\(cause)", "dropped": "\(sinceLast)"])
    }
}
