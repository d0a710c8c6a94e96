import Transport

/// Pismo's public configuration contract: every subcommand reads these environment variables
/// (names are part of the operator contract — keep them exactly) and a flag may override each.
public struct PismoSettings: Sendable, Equatable {
    public var eventsQueue = "events"
    public var eventsDLQ = "events-dlq"
    public var deliverDLQ = "deliver-dlq"
    public var eventsTable = "Events"
    public var routesTable = "routes"
    public var leasesTable = "pismo-leases"
    /// The schema directory: `event_schema.json`, `events/<event_type>.json` (optional) and any files
    /// they reference. `PISMO_SCHEMA_DIR`; default the directory of `PISMO_SCHEMA` when that is set,
    /// else `./schema`.
    public var schemaDirectory = "schema"
    /// The envelope schema. `PISMO_SCHEMA`; default `<schemaDirectory>/event_schema.json`.
    public var schemaPath = "schema/event_schema.json"
    public var strictEventTypes = false
    public var directDispatch = false
    /// nil means the subcommand's own default (processor 0.0.0.0:9101, deliver 0.0.0.0:9102).
    public var metricsAddress: String?
    public var maxAttempts = 8
    public var retryBaseMilliseconds = 500
    public var retryMaxMilliseconds = 60_000
    public var deliveryTimeoutMilliseconds = 10_000
    /// One name lookup, queue included, whatever the name servers do. `PISMO_DNS_TIMEOUT_MS`.
    public var dnsTimeoutMilliseconds = 5_000
    public var logLevel = "info"
    /// `PISMO_METRICS_EMF`: also write the alarm figures as CloudWatch EMF lines on stdout, every
    /// `PISMO_METRICS_EMF_INTERVAL` (60s), in namespace `PISMO_METRICS_EMF_NAMESPACE` (Pismo).
    public var metricsEMF = false
    public var metricsEMFInterval: Duration = .seconds(60)
    public var metricsEMFNamespace = "Pismo"
    /// `pismo sink`'s listen address (`PISMO_SINK_ADDR`); nil means its default, 0.0.0.0:8080.
    public var sinkAddress: String?
    /// Durable retries (issue 12). `PISMO_RETRY_QUEUE`.
    public var retryQueue = "deliver-retry"
    /// `PISMO_RETRY_SCHEDULE`; when unset but any of `PISMO_MAX_ATTEMPTS` / `PISMO_RETRY_BASE_MS` /
    /// `PISMO_RETRY_MAX_MS` is set, the exponential schedule those describe. Derived by
    /// `fromEnvironment` only: code that changes `maxAttempts` afterwards sets this too.
    public var retrySchedule = RetrySchedule.standard
    /// An endpoint failing without a single success for this long is disabled. `PISMO_DISABLE_AFTER`.
    public var disableAfter: Duration = .seconds(5 * 86_400)
    /// The SSRF guard's exceptions (`PISMO_WEBHOOK_ALLOW_NETS`) and `PISMO_WEBHOOK_HTTPS_ONLY`: see
    /// `PismoSettings+WebhookDestinations.swift`.
    public var webhookAllowNets: [IPNetwork] = []
    public var webhookHTTPSOnly = false
    /// The attempt log (issue 14). `PISMO_ATTEMPTS_TABLE`, `PISMO_ATTEMPT_LOG` and `PISMO_ATTEMPT_LOG_DAYS`.
    public var attemptsTable = "pismo-attempts"
    public var attemptLog = AttemptLogMode.failures
    public var attemptLogDays = 30
    /// Routes deliver keeps cached at most (least recently used forgotten). `PISMO_ROUTE_CACHE_SIZE`.
    public var routeCacheSize = 50_000
    /// Reads of the routes table for clients not known to have a route, per second (bursts of ten
    /// times that): random `client_id`s wait their turn instead of costing a read each at any rate.
    /// `PISMO_ROUTE_LOOKUPS_PER_SECOND`.
    public var unknownRouteLookupsPerSecond = 100
    /// Webhook requests in flight per process at most (and so sockets busy with them); one receiver
    /// host gets at most half. `PISMO_MAX_WEBHOOKS_IN_FLIGHT`.
    public var maxWebhooksInFlight = 512

    public init() {}

    public struct InvalidValue: Error, CustomStringConvertible, Equatable {
        public let variable: String
        public let value: String
        public let expected: String
        public var description: String { "\(variable)=\(value) is invalid: expected \(expected)" }
    }

    /// Reads the environment over the defaults. An unparsable number or boolean is an error naming the
    /// variable, never silently replaced by a default.
    public static func fromEnvironment(_ env: [String: String]) throws(InvalidValue) -> PismoSettings {
        var s = PismoSettings()
        func string(_ name: String, _ target: inout String) {
            if let v = env[name], !v.isEmpty { target = v }
        }
        // Every number has a ceiling: values derived from them (timeouts doubled, milliseconds summed
        // over a schedule) must stay far from Int64 overflow whatever the environment says.
        func int(_ name: String, _ target: inout Int, min: Int, max: Int) throws(InvalidValue) {
            guard let v = env[name], !v.isEmpty else { return }
            guard let n = Int(v), n >= min, n <= max else {
                throw InvalidValue(variable: name, value: v, expected: "an integer from \(min) to \(max)")
            }
            target = n
        }
        func bool(_ name: String, _ target: inout Bool) throws(InvalidValue) {
            guard let v = env[name], !v.isEmpty else { return }
            switch v.lowercased() {
            case "true", "1", "yes", "on": target = true
            case "false", "0", "no", "off": target = false
            default: throw InvalidValue(variable: name, value: v, expected: "true or false")
            }
        }
        string("PISMO_EVENTS_QUEUE", &s.eventsQueue)
        string("PISMO_EVENTS_DLQ", &s.eventsDLQ)
        string("PISMO_DELIVER_DLQ", &s.deliverDLQ)
        string("PISMO_EVENTS_TABLE", &s.eventsTable)
        string("PISMO_ROUTES_TABLE", &s.routesTable)
        string("PISMO_LEASES_TABLE", &s.leasesTable)
        s.setSchemaLocation(directory: env["PISMO_SCHEMA_DIR"].flatMap { $0.isEmpty ? nil : $0 },
                            envelope: env["PISMO_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 })
        string("PISMO_LOG_LEVEL", &s.logLevel)
        if let v = env["PISMO_METRICS_ADDR"], !v.isEmpty { s.metricsAddress = v }
        if let v = env["PISMO_SINK_ADDR"], !v.isEmpty { s.sinkAddress = v }
        try bool("PISMO_STRICT_EVENT_TYPES", &s.strictEventTypes)
        try bool("DIRECT_DISPATCH", &s.directDispatch)
        try bool("PISMO_METRICS_EMF", &s.metricsEMF)
        string("PISMO_METRICS_EMF_NAMESPACE", &s.metricsEMFNamespace)
        let tenYearsMilliseconds = Int(RetrySchedule.maxDurationMilliseconds)
        try int("PISMO_MAX_ATTEMPTS", &s.maxAttempts, min: 1, max: 1_000_000)
        try int("PISMO_RETRY_BASE_MS", &s.retryBaseMilliseconds, min: 0, max: tenYearsMilliseconds)
        try int("PISMO_RETRY_MAX_MS", &s.retryMaxMilliseconds, min: 0, max: tenYearsMilliseconds)
        try int("PISMO_DELIVERY_TIMEOUT_MS", &s.deliveryTimeoutMilliseconds, min: 1, max: 3_600_000)
        try int("PISMO_ROUTE_CACHE_SIZE", &s.routeCacheSize, min: 1, max: 10_000_000)
        try int("PISMO_ROUTE_LOOKUPS_PER_SECOND", &s.unknownRouteLookupsPerSecond, min: 1, max: 1_000_000)
        try int("PISMO_MAX_WEBHOOKS_IN_FLIGHT", &s.maxWebhooksInFlight, min: 1, max: 1_000_000)
        try int("PISMO_DNS_TIMEOUT_MS", &s.dnsTimeoutMilliseconds, min: 1, max: 600_000)
        string("PISMO_RETRY_QUEUE", &s.retryQueue)
        try s.readRetryTiming(env)
        try bool("PISMO_WEBHOOK_HTTPS_ONLY", &s.webhookHTTPSOnly)
        if let v = env["PISMO_WEBHOOK_ALLOW_NETS"], !v.isEmpty { s.webhookAllowNets = try parseAllowNets(v) }
        string("PISMO_ATTEMPTS_TABLE", &s.attemptsTable)
        try int("PISMO_ATTEMPT_LOG_DAYS", &s.attemptLogDays, min: 1, max: 36_500)
        if let v = env["PISMO_ATTEMPT_LOG"], !v.isEmpty {
            guard let mode = AttemptLogMode(rawValue: v.lowercased()) else {
                throw InvalidValue(variable: "PISMO_ATTEMPT_LOG", value: v,
                                   expected: AttemptLogMode.allCases.map(\.rawValue).joined(separator: ", "))
            }
            s.attemptLog = mode
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(s.logLevel.lowercased()) else {
            throw InvalidValue(variable: "PISMO_LOG_LEVEL", value: s.logLevel, expected: levels.joined(separator: ", "))
        }
        return s
    }

    /// Sets where schemas come from; nil keeps the default derivation (see `schemaDirectory`).
    /// A flag such as `--schema-dir` calls this with the environment's envelope still in force.
    public mutating func setSchemaLocation(directory: String?, envelope: String?) {
        if let directory {
            schemaDirectory = directory
        } else if let envelope {
            let parent = envelope.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            schemaDirectory = envelope.hasPrefix("/") && parent.isEmpty ? "/" : (parent.isEmpty ? "." : parent)
        }
        schemaPath = envelope ?? (schemaDirectory.hasSuffix("/") ? schemaDirectory : schemaDirectory + "/") + "event_schema.json"
        schemaEnvelopeOverride = envelope
    }

    /// The envelope named by `PISMO_SCHEMA`, if any (kept so a later `--schema-dir` does not replace it).
    public private(set) var schemaEnvelopeOverride: String?

    /// Webhook outcomes, retried on `retrySchedule`.
    public var deliveryPolicy: DeliveryPolicy { DeliveryPolicy(schedule: retrySchedule) }
}

extension PismoSettings {
    /// `PISMO_RETRY_SCHEDULE` (or its legacy equivalent) and `PISMO_DISABLE_AFTER`; call after the
    /// legacy integers are read.
    private mutating func readRetryTiming(_ env: [String: String]) throws(InvalidValue) {
        func set(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let text = set("PISMO_RETRY_SCHEDULE") {
            do { retrySchedule = try RetrySchedule.parse(text) } catch {
                throw InvalidValue(variable: "PISMO_RETRY_SCHEDULE", value: text,
                                   expected: "delays such as 5s,5m,30m,2h (ms, s, m, h, d); \(error)")
            }
        } else if ["PISMO_MAX_ATTEMPTS", "PISMO_RETRY_BASE_MS", "PISMO_RETRY_MAX_MS"].contains(where: { set($0) != nil }) {
            // A value that worked before schedules existed keeps working: the schedule holds at most
            // `maxDelays` delays, so a larger PISMO_MAX_ATTEMPTS is clamped rather than refused.
            retrySchedule = .exponential(maxAttempts: min(maxAttempts, RetrySchedule.maxDelays + 1),
                                         base: .milliseconds(retryBaseMilliseconds),
                                         max: .milliseconds(retryMaxMilliseconds))
        }
        if let text = set("PISMO_METRICS_EMF_INTERVAL") {
            guard let interval = try? RetrySchedule.parseDuration(text), interval >= .seconds(1) else {
                throw InvalidValue(variable: "PISMO_METRICS_EMF_INTERVAL", value: text, expected: "a duration of at least 1s, such as 60s or 1m")
            }
            metricsEMFInterval = interval
        }
        if let text = set("PISMO_DISABLE_AFTER") {
            do { disableAfter = try RetrySchedule.parseDuration(text) } catch {
                throw InvalidValue(variable: "PISMO_DISABLE_AFTER", value: text,
                                   expected: "a duration such as 5d, 36h or 90m; \(error)")
            }
        }
    }
}
