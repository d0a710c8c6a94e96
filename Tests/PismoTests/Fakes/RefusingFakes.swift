import Transport
@testable import Pismo

extension AWSError {
    /// What AWS answers a request it refuses for what it carries (never worth a retry).
    static func refusedForContent(_ service: String, _ operation: String) -> AWSError {
        AWSError(service: service, operation: operation, status: 400, code: "ValidationException", message: "refused for its content")
    }
}

/// A routes table that refuses every lookup for what it carries (a key over DynamoDB's limits).
struct RefusingRoutes: RouteStore {
    func route(for clientID: String) async throws -> Route? { throw AWSError.refusedForContent("dynamodb", "GetItem") }
}

/// A deliver-dlq that refuses every letter, counting the tries.
final class RefusingDLQ: DeadLetterPublisher {
    let tries = Locked(0)
    func publish(payload: [UInt8], letter: DeadLetter) async throws {
        tries.withLock { $0 += 1 }
        throw AWSError.refusedForContent("sqs", "SendMessage")
    }
}

/// A retry queue that refuses every follow-up, counting the tries.
final class RefusingRetryQueue: RetryScheduler {
    let tries = Locked(0)
    func schedule(_ retry: PendingRetry, delay: Duration) async throws {
        tries.withLock { $0 += 1 }
        throw AWSError.refusedForContent("sqs", "SendMessage")
    }
}
