import Transport

/// The `/metrics` text, rendered at most once per `maxAge` and served from that copy meanwhile.
/// Rendering the registry costs real CPU on the server's loop, and a client that pipelines
/// `GET /metrics` and never reads makes us answer as many as our queue and the kernel's buffers
/// hold; 50 of them kept the processor's loop from a health probe for seconds (measured by
/// `MetricsPortUnderAttackOnMotoTests`). Scrapers come every 15 s or more: 100 ms of staleness
/// costs them nothing.
final class RenderedMetrics: Sendable {
    private let registry: MetricsRegistry
    private let maxAge: Duration
    private let latest = Locked<(renderedAt: ContinuousClock.Instant, body: [UInt8])?>(nil)

    init(registry: MetricsRegistry, maxAge: Duration = .milliseconds(100)) {
        self.registry = registry
        self.maxAge = maxAge
    }

    var body: [UInt8] {
        let now = ContinuousClock.now
        if let kept = latest.withLock({ $0 }), now - kept.renderedAt < maxAge { return kept.body }
        let body = Array(registry.render().utf8)
        latest.withLock { $0 = (now, body) }
        return body
    }
}
