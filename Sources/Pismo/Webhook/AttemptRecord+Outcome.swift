extension AttemptRecord {
    /// The record of one attempt of `job` on endpoint `endpointID`, as the delivery engine reports it:
    /// the status when one was received, else the outcome's error text; `responseBody` is cut to
    /// its first 1 KB. `atMillis` is when the attempt started.
    public init(job: DeliveryJob, endpointID: String, attempt: Int, atMillis: Int64, outcome: DeliveryPolicy.Outcome,
                delivered: Bool, latency: Duration, responseBody: [UInt8] = []) {
        var status: Int?, error: String?
        if case let .status(code, _) = outcome {
            status = code
        } else if case let .transportError(text) = outcome {
            error = text
        } else {
            error = "\(outcome)"
        }
        self.init(clientID: job.clientID, eventID: job.eventID, endpointID: endpointID, attempt: attempt, atMillis: atMillis,
                  status: status, error: error, latency: latency, responseExcerpt: responseBody, delivered: delivered)
    }
}
