import PismoJSON

/// One CloudWatch Embedded Metric Format document: a JSON object on one line that CloudWatch Logs
/// turns into metrics when it ingests it (from the awslogs driver too: no agent needed on Fargate).
///
/// The shape the specification asks for: the root holds `_aws` with `Timestamp` (unix ms) and
/// `CloudWatchMetrics`, one directive naming the namespace, the dimension set and each metric
/// (name and unit); every dimension and every metric is then a member of the root, dimensions with
/// string values and metrics with numbers. At most 100 metrics per directive and 30 dimensions.
public struct EMFLine: Sendable, Equatable {
    public struct Value: Sendable, Equatable {
        public var name: String
        /// A CloudWatch unit: `Seconds`, `Count` ...
        public var unit: String
        public var value: Double

        public init(name: String, unit: String, value: Double) {
            self.name = name
            self.unit = unit
            self.value = value
        }
    }

    public static let maxMetrics = 100, maxDimensions = 30

    public var namespace: String
    /// Dimension name and value, in order; one dimension set made of all of them.
    public var dimensions: [(String, String)]
    public var values: [Value]
    public var timestampMillis: Int64

    public init(namespace: String, dimensions: [(String, String)], values: [Value], timestampMillis: Int64) {
        self.namespace = namespace
        self.dimensions = dimensions
        self.values = values
        self.timestampMillis = timestampMillis
    }

    public static func == (a: EMFLine, b: EMFLine) -> Bool {
        a.namespace == b.namespace && a.dimensions.elementsEqual(b.dimensions, by: ==) && a.values == b.values
            && a.timestampMillis == b.timestampMillis
    }

    /// The document, without a line break. Values that are not finite (JSON has no NaN) and those past
    /// the 100th are left out; dimensions past the 30th too.
    public var text: String {
        let values = Array(self.values.filter { $0.value.isFinite }.prefix(Self.maxMetrics))
        let dimensions = Array(self.dimensions.prefix(Self.maxDimensions))
        var w = JSONWriter()
        w.beginObject()
        w.key("_aws"); w.beginObject()
        w.key("Timestamp"); w.int(Int(timestampMillis))
        w.key("CloudWatchMetrics"); w.beginArray(); w.beginObject()
        w.key("Namespace"); w.string(namespace)
        w.key("Dimensions"); w.beginArray(); w.beginArray()
        for (name, _) in dimensions { w.string(name) }
        w.endArray(); w.endArray()
        w.key("Metrics"); w.beginArray()
        for value in values {
            w.beginObject(); w.key("Name"); w.string(value.name); w.key("Unit"); w.string(value.unit); w.endObject()
        }
        w.endArray()
        w.endObject(); w.endArray()
        w.endObject()
        for (name, value) in dimensions { w.key(name); w.string(value) }
        for value in values { w.key(value.name); w.double(value.value) }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
