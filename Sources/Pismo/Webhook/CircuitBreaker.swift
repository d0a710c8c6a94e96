import Transport

/// Stops attempting an endpoint that keeps failing, so its events are parked (in the retry queue)
/// instead of spending connections, timeouts and lane slots on it — and tests it again with one
/// probe at a time. Convoy's published defaults: open at ≥ 70 % failures over ≥ 10 attempts in the
/// last 5 minutes; while open, one probe per 30 s; the probe's success closes the circuit, its
/// failure keeps it open for another 30 s.
///
/// Per process (one breaker per deliver instance is enough: each instance learns on its own within
/// ten attempts). Thread-safe; the clock is whatever `now` callers pass. State only changes inside
/// `permit` and `record`: an open circuit whose 30 s are up stays `.open` until someone asks.
public final class CircuitBreaker: Sendable {
    public struct Options: Sendable, Equatable {
        /// How far back outcomes count.
        public var window: Duration
        /// The window slides in steps this long: outcomes are counted in buckets, so an outcome
        /// counts for between `window − resolution` and `window`, and a key costs at most
        /// `window / resolution` buckets however busy it is.
        public var resolution: Duration
        /// Fewer attempts than this in the window never open the circuit (too little evidence).
        public var minimumAttempts: Int
        /// Failed share of the window's attempts at or above which the circuit opens.
        public var failureRatio: Double
        /// While open: the wait before the (next) probe.
        public var probeInterval: Duration
        /// Keys tracked at most; beyond it the least recently used are forgotten.
        public var maxKeys: Int

        public init(window: Duration = .seconds(300), resolution: Duration = .seconds(10), minimumAttempts: Int = 10,
                    failureRatio: Double = 0.7, probeInterval: Duration = .seconds(30), maxKeys: Int = 10_000) {
            self.window = window
            self.resolution = max(resolution, .milliseconds(1))
            self.minimumAttempts = max(1, minimumAttempts)
            self.failureRatio = failureRatio
            self.probeInterval = probeInterval
            self.maxKeys = max(1, maxKeys)
        }
    }

    public enum State: String, Sendable, Equatable {
        case closed
        case open
        case halfOpen = "half-open"
    }

    public enum Permit: Sendable, Equatable {
        /// Closed: attempt as usual.
        case attempt
        /// Half-open: this attempt is the probe; report its outcome with `record`.
        case probe
        /// Open: do not attempt; park the event (retry queue).
        case park
    }

    /// `(key, from, to)`. Called after the lock is released (it may log, count or call the breaker);
    /// concurrent changes to different keys may be reported in either order.
    public typealias StateChange = @Sendable (_ key: String, _ from: State, _ to: State) -> Void

    public let options: Options
    private let onStateChange: StateChange?
    private let table: Locked<Table>

    public init(options: Options = Options(), onStateChange: StateChange? = nil) {
        self.options = options
        self.onStateChange = onStateChange
        self.table = Locked(Table())
    }

    /// Whether to attempt `key` now. Unknown keys are closed (and not stored: asking costs no memory).
    public func permit(_ key: String, now: ContinuousClock.Instant = .now) -> Permit {
        let probeInterval = options.probeInterval
        let (answer, change) = table.withLock { t -> (Permit, Change?) in
            guard let index = t.circuits.index(forKey: key) else { return (.attempt, nil) }
            t.tick += 1
            t.circuits.values[index].lastUsed = t.tick
            let circuit = t.circuits.values[index]
            guard circuit.state != .closed else { return (.attempt, nil) }
            guard let due = circuit.nextProbe, now >= due else { return (.park, nil) }
            // One probe per interval: if this probe never reports back, the next is granted after
            // another interval instead of never.
            t.circuits.values[index].state = .halfOpen
            t.circuits.values[index].nextProbe = now + probeInterval
            return (.probe, circuit.state == .open ? Change(key: key, from: .open, to: .halfOpen) : nil)
        }
        if let change { onStateChange?(change.key, change.from, change.to) }
        return answer
    }

    /// Reports an attempt's outcome (success: the endpoint answered 2xx).
    ///
    /// Closed: counted in the window, which may open the circuit. Half-open: the outcome decides —
    /// success closes (with an empty window), failure re-opens for `probeInterval`. An outcome that
    /// arrives while open belongs to an attempt started before the circuit opened: stale evidence,
    /// ignored (only a probe, granted by `permit`, can close it).
    public func record(_ key: String, success: Bool, now: ContinuousClock.Instant = .now) {
        let options = options
        let changes = table.withLock { t -> [Change] in
            var changes: [Change] = []
            if t.circuits[key] == nil {
                if t.circuits.count >= options.maxKeys { changes = t.evictLeastRecentlyUsed(options.maxKeys) }
                t.circuits[key] = Circuit()
            }
            t.tick += 1
            let tick = t.tick
            if let change = t.circuits[key]!.record(success: success, now: now, tick: tick, options: options) {
                changes.append(Change(key: key, from: change.from, to: change.to))
            }
            return changes
        }
        for change in changes { onStateChange?(change.key, change.from, change.to) }
    }

    /// Whether `permit` would answer `.park` now, without granting a probe when one is due: callers
    /// that can park more cheaply than they can attempt ask this first.
    public func wouldPark(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        table.withLock { t in
            guard let circuit = t.circuits[key], circuit.state != .closed else { return false }
            guard let due = circuit.nextProbe else { return true }
            return now < due
        }
    }

    /// The stored state (`.closed` for an unknown or forgotten key).
    public func state(of key: String) -> State {
        table.withLock { $0.circuits[key]?.state ?? .closed }
    }

    /// Keys currently tracked (bounded by `Options.maxKeys`).
    public var trackedKeys: Int { table.withLock { $0.circuits.count } }

    // MARK: - Storage

    private struct Change: Sendable {
        let key: String
        let from: State
        let to: State
    }

    /// Attempts and failures that started within one `resolution` of `start`.
    private struct Bucket: Sendable {
        let start: ContinuousClock.Instant
        var attempts = 0
        var failures = 0
    }

    private struct Circuit: Sendable {
        var state = State.closed
        /// Oldest first; only kept while closed.
        var buckets: [Bucket] = []
        var attempts = 0
        var failures = 0
        /// Open or half-open: when the next probe may go.
        var nextProbe: ContinuousClock.Instant?
        /// `Table.tick` at the last `permit` or `record` (for least-recently-used eviction).
        var lastUsed: UInt64 = 0

        mutating func record(success: Bool, now: ContinuousClock.Instant, tick: UInt64,
                             options: Options) -> (from: State, to: State)? {
            lastUsed = tick
            switch state {
            case .open:
                return nil
            case .halfOpen:
                buckets = []
                attempts = 0
                failures = 0
                if success {
                    state = .closed
                    nextProbe = nil
                    return (.halfOpen, .closed)
                }
                state = .open
                nextProbe = now + options.probeInterval
                return (.halfOpen, .open)
            case .closed:
                count(success: success, now: now, options: options)
                guard attempts >= options.minimumAttempts,
                      Double(failures) / Double(attempts) >= options.failureRatio else { return nil }
                // The window is spent: after the circuit closes again it starts from fresh evidence.
                buckets = []
                attempts = 0
                failures = 0
                state = .open
                nextProbe = now + options.probeInterval
                return (.closed, .open)
            }
        }

        private mutating func count(success: Bool, now: ContinuousClock.Instant, options: Options) {
            let expired = buckets.prefix { now - $0.start >= options.window }.count
            for bucket in buckets.prefix(expired) {
                attempts -= bucket.attempts
                failures -= bucket.failures
            }
            buckets.removeFirst(expired)
            // An instant slightly out of order (callers race to the lock) joins the newest bucket.
            if buckets.isEmpty || now - buckets[buckets.count - 1].start >= options.resolution {
                buckets.append(Bucket(start: now))
            }
            buckets[buckets.count - 1].attempts += 1
            attempts += 1
            if !success {
                buckets[buckets.count - 1].failures += 1
                failures += 1
            }
        }
    }

    private struct Table: Sendable {
        var circuits: [String: Circuit] = [:]
        var tick: UInt64 = 0

        /// Forgets the least recently used eighth (at least one) so eviction is not paid on every new
        /// key once the table is full. A forgotten open circuit is reported as closing: it is.
        mutating func evictLeastRecentlyUsed(_ maxKeys: Int) -> [Change] {
            let victims = circuits.map { (key: $0.key, used: $0.value.lastUsed) }
                .sorted { $0.used < $1.used }
                .prefix(max(1, maxKeys / 8))
            var changes: [Change] = []
            for victim in victims {
                if let state = circuits.removeValue(forKey: victim.key)?.state, state != .closed {
                    changes.append(Change(key: victim.key, from: state, to: .closed))
                }
            }
            return changes
        }
    }
}
