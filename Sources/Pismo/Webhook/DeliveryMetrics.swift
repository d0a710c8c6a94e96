import Transport

/// The engine's instruments, registered once per process.
public struct DeliveryMetrics: Sendable {
    public let delivered: Counter
    public let retried: Counter
    public let parked: Counter
    public let deadLettered: Counter
    public let inFlight: Gauge
    public let attemptLatency: Histogram
    public let openCircuits: Gauge
    public let disabledRoutes: Counter
    public let deadLettersRefused: Counter
    public let filtered: Counter
    public let rateLimitWaits: Counter
    public let rateLimitParks: Counter
    private let registry: MetricsRegistry
    /// Attempts by their number in the schedule (created on first use: at most the schedule's length).
    private let attemptsByNumber = Locked<[Int: Counter]>([:])
    private let transitions: [CircuitBreaker.State: Counter]

    public init(registry: MetricsRegistry) {
        self.registry = registry
        delivered = registry.counter("pismo_delivered_total", help: "Events delivered to a webhook (2xx).")
        retried = registry.counter("pismo_delivery_retries_total", help: "Failed webhook attempts whose next attempt was scheduled in the retry queue.")
        parked = registry.counter("pismo_deliveries_parked_total",
                                  help: "Events put in the retry queue without an attempt (client lane full or circuit open).")
        deadLettered = registry.counter("pismo_dead_lettered_total", help: "Events published to the deliver DLQ.",
                                        labels: [("queue", "deliver-dlq")])
        inFlight = registry.gauge("pismo_deliveries_in_flight", help: "Deliveries currently in progress.")
        attemptLatency = registry.histogram("pismo_webhook_attempt_seconds", help: "Latency of one webhook attempt.")
        disabledRoutes = registry.counter("pismo_routes_disabled_total", help: "Routes disabled (410 Gone, or failing for PISMO_DISABLE_AFTER).")
        deadLettersRefused = registry.counter("pismo_dead_letters_refused_total",
                                              help: "Dead letters deliver-dlq refused even as a reference (the event stays in the Events table).")
        filtered = registry.counter("pismo_deliver_filtered_total",
                                    help: "Events none of whose client's endpoints subscribe to their event type (resolved, nothing sent).")
        rateLimitWaits = registry.counter("pismo_rate_limit_waits_total",
                                          help: "Attempts that waited (at most a second) for their endpoint's rate limit.")
        rateLimitParks = registry.counter("pismo_rate_limit_parked_total",
                                          help: "Events parked in the retry queue because their endpoint's rate limit had a longer backlog.")
        openCircuits = registry.gauge("pismo_circuits_open", help: "Endpoints whose circuit is open or half-open.")
        var transitions: [CircuitBreaker.State: Counter] = [:]
        for state in [CircuitBreaker.State.closed, .open, .halfOpen] {
            transitions[state] = registry.counter("pismo_circuit_transitions_total", help: "Circuit breaker state changes, by new state.",
                                                  labels: [("to", state.rawValue)])
        }
        self.transitions = transitions
    }

    func attempted(number: Int) {
        let counter = attemptsByNumber.withLock { table in
            if let existing = table[number] { return existing }
            let created = registry.counter("pismo_webhook_attempts_total", help: "Webhook attempts, by their number in the retry schedule.",
                                           labels: [("attempt", String(number))])
            table[number] = created
            return created
        }
        counter.increment()
    }

    /// One failed AWS call the engine retries (routes table, DLQ, retry queue), by operation and code.
    func retriedError(operation: String, code: String) {
        registry.counter("pismo_deliver_retried_errors_total", help: "Failed AWS calls deliver retries, by operation and error code.",
                         labels: [("operation", operation), ("code", code)]).increment()
    }

    func circuitChanged(from old: CircuitBreaker.State, to new: CircuitBreaker.State) {
        transitions[new]?.increment()
        if old == .closed, new != .closed { openCircuits.add(1) }
        if old != .closed, new == .closed { openCircuits.add(-1) }
    }
}
