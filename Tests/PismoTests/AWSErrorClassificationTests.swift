import Testing
@testable import Pismo

/// Permanent versus retryable: a permanent error must never be retried, a retryable one never
/// dead-lettered, and configuration errors are neither permanent nor silently retried forever.
@Suite struct AWSErrorClassificationTests {
    func error(_ code: String, status: Int? = 400, legacy: String? = nil) -> AWSError {
        AWSError(service: "sqs", operation: "SendMessage", status: status, code: code, message: "", queryCompatibleCode: legacy)
    }

    @Test(arguments: ["ValidationException", "InvalidParameterValue", "MessageTooLong", "InvalidMessageContents",
                      "ItemCollectionSizeLimitExceededException", "BatchRequestTooLong"])
    func refusedForWhatTheyCarryArePermanent(_ code: String) {
        #expect(error(code).isPermanent && !error(code).isRetryable)
    }

    @Test func theLegacyQueryCodeCountsToo() {
        #expect(error("HTTP400", legacy: "AWS.SimpleQueueService.MessageTooLong").isPermanent)
        #expect(!error("HTTP400", legacy: "AWS.SimpleQueueService.NonExistentQueue").isPermanent)
    }

    @Test(arguments: ["ThrottlingException", "ProvisionedThroughputExceededException", AWSError.timeout,
                      AWSError.connectionError, "ExpiredTokenException", "ResourceNotFoundException",
                      "AccessDeniedException", "QueueDoesNotExist"])
    func throttlingOutagesCredentialsAndConfigurationAreNotPermanent(_ code: String) {
        #expect(!error(code).isPermanent)
    }

    @Test func aServerErrorIsRetryableWhateverItsCode() {
        #expect(!error("ValidationException", status: 500).isPermanent)
    }
}
