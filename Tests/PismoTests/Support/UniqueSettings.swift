import Transport
@testable import Pismo

extension PismoSettings {
    /// Settings whose queues and tables carry `tag`, so tests sharing one moto never collide.
    static func unique(_ tag: UInt32) -> PismoSettings {
        var settings = PismoSettings()
        settings.eventsQueue = "events-\(tag)"
        settings.eventsDLQ = "events-dlq-\(tag)"
        settings.deliverDLQ = "deliver-dlq-\(tag)"
        settings.eventsTable = "Events-\(tag)"
        settings.routesTable = "routes-\(tag)"
        settings.leasesTable = "leases-\(tag)"
        settings.attemptsTable = "attempts-\(tag)"
        settings.retryQueue = "deliver-retry-\(tag)"
        // The tests' webhook sinks listen on 127.0.0.1, which the SSRF guard refuses by default.
        settings.webhookAllowNets = [try! IPNetwork(parsing: "127.0.0.1/32")]
        return settings
    }
}
