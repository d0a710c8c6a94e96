import ArgumentParser
import Foundation
import Pismo

struct PeekCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peek",
        abstract: "Show what is in a queue (without consuming it) or in the Events table.",
        discussion: "WHAT is events, events-dlq, deliver-dlq, deliver-retry (the retry queue: counts, and the due retries) or table (also accepts any queue name or URL)."
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Argument(help: "events | events-dlq | deliver-dlq | deliver-retry | table | <queue name or URL>") var what: String
    @Option(help: "At most this many messages or items.") var limit: Int = 20
    @Option(help: "Only dead letters whose pismo-error has this code (\(DeadLetterCode.allCases.map(\.rawValue).joined(separator: ", "))).")
    var code: String?

    func validate() throws {
        if let code, DeadLetterCode(rawValue: code) == nil {
            throw ValidationError("unknown --code '\(code)': one of \(DeadLetterCode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let settings = try settingsOptions.resolve()
        let aws = CommandRuntime.start(settings).aws
        if what == "table" { return try await showTable(aws, settings) }
        let queue: String = switch what {
        case "events": settings.eventsQueue
        case "events-dlq": settings.eventsDLQ
        case "deliver-dlq": settings.deliverDLQ
        case "deliver-retry": settings.retryQueue
        default: what
        }
        if queue == settings.retryQueue { return try await showRetries(aws, queue) }
        var (count, messages) = try await QueueTools(aws: aws).peek(queueURL: try await aws.queueURL(queue), limit: limit)
        if let code = code.flatMap(DeadLetterCode.init(rawValue:)) {
            messages = messages.filter { QueueTools.code(of: $0) == code }
            print("(showing those with code \(code.rawValue))")
        }
        print("\(queue): about \(count) message\(count == 1 ? "" : "s")")
        if messages.isEmpty && count > 0 {
            print("  (not received: this queue has a redrive policy, and every receive counts towards it)")
        }
        for message in messages {
            let attributes = message.messageAttributes.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.stringValue ?? "<binary>")" }.joined(separator: " ")
            print("  \(message.messageID) \(attributes)")
            print("    \(message.body.prefix(300))")
        }
    }

    /// The retry queue: how much waits, and what the visible (due) retries are. Delayed and hidden
    /// retries cannot be looked at without waiting for them; their counts are SQS's.
    private func showRetries(_ aws: PismoAWS, _ queue: String) async throws {
        let url = try await aws.queueURL(queue)
        let counts = try await aws.sqs.getQueueAttributes(queueURL: url, names: [
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible"])
        func count(_ name: String) -> Int { Int(counts[name] ?? "") ?? 0 }
        print("\(queue): about \(count("ApproximateNumberOfMessages")) due, \(count("ApproximateNumberOfMessagesDelayed")) delayed, "
              + "\(count("ApproximateNumberOfMessagesNotVisible")) waiting out a longer delay or being attempted")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var oldest: Int64?
        for message in try await QueueTools(aws: aws).peek(queueURL: url, limit: limit).messages {
            guard let retry = PendingRetry(json: message.body) else { print("  \(message.messageID) (not a retry: \(message.body.prefix(80)))"); continue }
            oldest = min(oldest ?? retry.firstAttemptAtMillis, retry.firstAttemptAtMillis)
            print("  \(retry.clientID) \(retry.eventID): attempt \(retry.attempt), due \(UTCTime.iso8601(millisecondsSince1970: retry.dueAtMillis)), "
                  + "first attempt \(UTCTime.iso8601(millisecondsSince1970: retry.firstAttemptAtMillis))"
                  + (retry.lastStatus.map { ", last status \($0)" } ?? ""))
        }
        if let oldest { print("oldest shown: first attempted \((now - oldest) / 1000) s ago") }
    }

    private func showTable(_ aws: PismoAWS, _ settings: PismoSettings) async throws {
        let page = try await aws.dynamo.scan(DynamoDBQuery(table: settings.eventsTable, limit: limit))
        print("\(settings.eventsTable): showing \(page.items.count) item\(page.items.count == 1 ? "" : "s")")
        for item in page.items {
            let fields = [EventsTable.clientID, EventsTable.eventKey, EventsTable.eventType, EventsTable.receivedAt, EventsTable.dispatch].compactMap { key in
                item[key]?.string.map { "\(key)=\($0)" }
            }
            print("  " + fields.joined(separator: " "))
        }
    }
}
