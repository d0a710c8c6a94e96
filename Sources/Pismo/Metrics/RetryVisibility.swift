import Logging

/// Makes a retry loop over a remote call visible: every failure counted by its error code, and a
/// warning with the code and message at the first failure and then at most once per `interval`, so
/// a retry that persists is seen without flooding the log. One per retry loop (its state is that
/// loop's). Used by the processor's storage and dead-letter loops and by deliver's infrastructure
/// calls (routes table, DLQ, retry queue).
struct RetryVisibility {
    let warning: Logger.Message
    /// What the loop is about (operation, message or event), added to each warning.
    let context: Logger.Metadata
    let interval: Duration
    /// Counts one failure: the error and its code.
    let count: (_ error: any Error, _ code: String) -> Void
    let logger: Logger
    private var lastWarning: ContinuousClock.Instant?

    init(warning: Logger.Message, context: Logger.Metadata, interval: Duration, logger: Logger,
         count: @escaping (_ error: any Error, _ code: String) -> Void) {
        self.warning = warning
        self.context = context
        self.interval = interval
        self.logger = logger
        self.count = count
    }

    mutating func failed(_ error: any Error, failures: Int) {
        let (code, message) = Self.describe(error)
        count(error, code)
        let now = ContinuousClock.now
        if let last = lastWarning, now - last < interval { return }
        lastWarning = now
        var metadata = context
        metadata["code"] = "\(code)"
        metadata["error"] = "\(message)"
        metadata["failures"] = "\(failures)"
        logger.warning(warning, metadata: metadata)
    }

    static func describe(_ error: any Error) -> (code: String, message: String) {
        if let aws = error as? AWSError { return (aws.code, aws.message) }
        return (String(describing: type(of: error)), String(describing: error))
    }
}
