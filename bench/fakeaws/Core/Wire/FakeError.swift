/// An AWS error as the fake answers it. `code` is the short name; each front end turns it into its
/// service's wire shape (`__type` with the service's namespace, query-compatible headers, XML).
public struct FakeError: Error, Sendable, Equatable {
    public var status: Int
    public var code: String
    public var message: String
    /// SQS's legacy (query protocol) code, when it differs from `code`.
    public var queryCode: String?
    public var senderFault: Bool

    public init(status: Int = 400, code: String, message: String, queryCode: String? = nil, senderFault: Bool = true) {
        self.status = status
        self.code = code
        self.message = message
        self.queryCode = queryCode
        self.senderFault = senderFault
    }

    public static func validation(_ message: String) -> FakeError {
        FakeError(code: "ValidationException", message: message)
    }

    /// What fakeaws does not implement: refused loudly, so a benchmark never runs on a silent guess.
    public static func unimplemented(_ what: String) -> FakeError {
        FakeError(code: "ValidationException", message: "fakeaws does not implement \(what)")
    }

    public static func resourceNotFound(_ message: String) -> FakeError {
        FakeError(code: "ResourceNotFoundException", message: message)
    }
}
