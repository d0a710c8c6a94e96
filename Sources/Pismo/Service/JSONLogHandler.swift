import Foundation
import Logging
import PismoJSON

/// Structured logs: one JSON object per line on stderr (`time`, `level`, `logger`, `msg`, metadata),
/// which is what log shippers in containers expect. Payloads and secrets never go into metadata at
/// info level — callers log ids and counts, not bodies.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let (level, message, explicit) = (event.level, event.message, event.metadata)
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("time"); writer.string(UTCTime.iso8601(Date()))
        writer.key("level"); writer.string(level.rawValue)
        writer.key("logger"); writer.string(label)
        writer.key("msg"); writer.string(message.description)
        if let error = event.error { writer.key("error"); writer.string(String(describing: error)) }
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            writer.key(key); writer.string(value.description)
        }
        writer.endObject()
        var bytes = writer.bytes
        bytes.append(0x0A)
        FileHandle.standardError.write(Data(bytes))
    }

    /// Installs the handler process-wide; `level` is PISMO_LOG_LEVEL's value.
    public static func bootstrap(level: String) {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: parsed) }
    }
}
