import Logging
import Transport
@testable import Pismo

/// A swift-log handler that keeps every record, for tests that check what a component logs.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    let records = Locked<[Record]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(logs: self) }
    }

    func at(_ level: Logger.Level) -> [Record] { records.withLock { $0.filter { $0.level == level } } }

    private struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let merged = self.metadata.merging(metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            logs.records.withLock { $0.append(Record(level: level, message: "\(message)", metadata: merged)) }
        }
    }
}
