import Foundation
import Testing
import Transport
@testable import Pismo

/// CloudWatch Embedded Metric Format lines (`PISMO_METRICS_EMF=true`): the document shape the
/// specification asks for, and the figures read from the registry.
@Suite struct EMFTests {
    func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aLineIsOneEMFDocument() throws {
        let line = EMFLine(namespace: "Pismo/prod", dimensions: [("Service", "deliver")],
                           values: [.init(name: "StreamIteratorAge", unit: "Seconds", value: 12.5),
                                    .init(name: "DeadLettered", unit: "Count", value: 3)],
                           timestampMillis: 1_700_000_000_123)
        #expect(line.text == #"{"_aws":{"Timestamp":1700000000123,"CloudWatchMetrics":[{"Namespace":"Pismo/prod","Dimensions":[["Service"]],"#
            + #""Metrics":[{"Name":"StreamIteratorAge","Unit":"Seconds"},{"Name":"DeadLettered","Unit":"Count"}]}]},"#
            + #""Service":"deliver","StreamIteratorAge":12.5,"DeadLettered":3.0}"#)
        #expect(!line.text.contains("\n"))

        // What CloudWatch requires of it, checked on the parsed document.
        let root = try object(line.text)
        let aws = try #require(root["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int64 == 1_700_000_000_123)
        let directives = try #require(aws["CloudWatchMetrics"] as? [[String: Any]])
        #expect(directives.count == 1)
        let directive = directives[0]
        #expect(directive["Namespace"] as? String == "Pismo/prod")
        let dimensionSets = try #require(directive["Dimensions"] as? [[String]])
        for name in dimensionSets.flatMap({ $0 }) { #expect(root[name] is String, "dimension \(name) is a string member of the root") }
        let metrics = try #require(directive["Metrics"] as? [[String: String]])
        for metric in metrics {
            let name = try #require(metric["Name"])
            #expect(root[name] is NSNumber, "metric \(name) is a number member of the root")
            #expect(["Seconds", "Count"].contains(metric["Unit"] ?? ""))
        }
    }

    @Test func valuesJSONCannotHoldAreLeftOutAndTheLimitsKept() throws {
        let values = [EMFLine.Value(name: "Broken", unit: "Count", value: .nan)]
            + (0..<120).map { EMFLine.Value(name: "M\($0)", unit: "Count", value: Double($0)) }
        let line = EMFLine(namespace: "N", dimensions: (0..<40).map { ("D\($0)", "v") }, values: values, timestampMillis: 0)
        let root = try object(line.text)
        let directive = try #require(((root["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect((directive["Metrics"] as? [Any])?.count == EMFLine.maxMetrics)
        #expect((directive["Dimensions"] as? [[String]])?.first?.count == EMFLine.maxDimensions)
        #expect(root["Broken"] == nil && root["M99"] != nil && root["M100"] == nil)
    }

    /// Counters as their increase since the previous line (summed over label sets, 0 when none
    /// exists yet), gauges as their largest series (omitted when there is none).
    @Test func theReporterPublishesIncreasesAndLargestValues() throws {
        let registry = MetricsRegistry()
        let delivered = registry.counter("pismo_delivered_total", help: "d")
        let streams = StreamMetrics(registry: registry)
        let lines = Locked<[String]>([])
        let reporter = EMFReporter(registry: registry, namespace: "Pismo", service: "deliver", figures: EMFReporter.deliverFigures,
                                   write: { line in lines.withLock { $0.append(line) } },
                                   now: { Date(timeIntervalSince1970: 1_700_000_000) })

        delivered.increment(by: 5)
        let first = try object(reporter.line().text)
        #expect(first["Delivered"] as? Double == 5)
        #expect(first["DeliverRetriedErrors"] as? Double == 0, "a labelled counter nobody incremented yet")
        #expect(first["StreamIteratorAge"] == nil, "no shard read here: no figure rather than a made-up 0")
        #expect(first["Service"] as? String == "deliver")
        #expect((first["_aws"] as? [String: Any])?["Timestamp"] as? Int64 == 1_700_000_000_000)

        delivered.increment(by: 2)
        streams.iteratorAge(shard: "s1").set(4.5)
        streams.iteratorAge(shard: "s2").set(30.25)
        let retried = registry.counter("pismo_deliver_retried_errors_total", help: "r", labels: [("operation", "SendMessage"), ("code", "x")])
        let retriedOther = registry.counter("pismo_deliver_retried_errors_total", help: "r", labels: [("operation", "GetItem"), ("code", "y")])
        retried.increment(by: 3)
        retriedOther.increment()
        reporter.emit()
        let second = try object(try #require(lines.withLock { $0.last }))
        #expect(second["Delivered"] as? Double == 2, "the increase since the previous line, not the total")
        #expect(second["StreamIteratorAge"] as? Double == 30.25, "the shard furthest behind")
        #expect(second["DeliverRetriedErrors"] as? Double == 4)
    }

    @Test func samplesAreReadByExactFamilyName() {
        let text = """
            # HELP pismo_delivered_total d
            pismo_delivered_total 3
            pismo_delivered_total_extra 100
            pismo_x{shard="a b"} 2.5
            pismo_x{shard="c"} +Inf
            """
        #expect(PrometheusSamples.values(of: "pismo_delivered_total", in: text) == [3])
        #expect(PrometheusSamples.values(of: "pismo_x", in: text) == [2.5])
    }

    @Test func settingsTurnItOnWithAnIntervalAndNamespace() throws {
        let on = try PismoSettings.fromEnvironment(["PISMO_METRICS_EMF": "true", "PISMO_METRICS_EMF_INTERVAL": "30s",
                                                    "PISMO_METRICS_EMF_NAMESPACE": "Pismo/prod"])
        #expect(on.metricsEMF && on.metricsEMFInterval == .seconds(30) && on.metricsEMFNamespace == "Pismo/prod")
        let off = try PismoSettings.fromEnvironment([:])
        #expect(!off.metricsEMF && off.metricsEMFInterval == .seconds(60) && off.metricsEMFNamespace == "Pismo")
        #expect(throws: PismoSettings.InvalidValue.self) { try PismoSettings.fromEnvironment(["PISMO_METRICS_EMF_INTERVAL": "500ms"]) }
        #expect(throws: PismoSettings.InvalidValue.self) { try PismoSettings.fromEnvironment(["PISMO_METRICS_EMF": "maybe"]) }
    }

    /// Every figure names a family the services really register: a misspelt counter would otherwise
    /// be published as 0 for ever.
    @Test func everyFigureIsAMetricTheServicesRegister() {
        let registry = MetricsRegistry()
        _ = ProcessorMetrics(registry: registry)
        let failures = ProcessorFailureMetrics(registry: registry)
        failures.retried(operation: "PutItem", code: "x")
        let delivery = DeliveryMetrics(registry: registry)
        delivery.retriedError(operation: "SendMessage", code: "x")
        StreamMetrics(registry: registry).iteratorAge(shard: "s").set(1)
        let text = registry.render()
        for figure in EMFReporter.processorFigures + EMFReporter.deliverFigures {
            #expect(text.contains("# TYPE \(figure.family) "), "\(figure.family) (\(figure.name))")
        }
    }
}
