/// How much of a response body the client reads (`HTTPRequest.responseReading`).
///
/// `.whole` is what AWS needs: the entire body, inflated when gzip (`Accept-Encoding: gzip` is
/// sent unless the caller set the header). `.excerpt` is for a caller that only logs the start of
/// the answer (webhooks, whose endpoints we do not control): no `Accept-Encoding` (nothing to
/// inflate, so no gzip bomb), the first `keep` bytes kept in `HTTPResponse.body`, the rest read and
/// thrown away up to `drainBudget` bytes so the connection can be reused; a longer body ends the
/// exchange early and the connection is closed instead of read to its end.
public enum ResponseReading: Sendable, Equatable {
    case whole
    case excerpt(keep: Int, drainBudget: Int)

    /// What webhook attempts read: the 1 KB the attempt log keeps, 64 KiB drained at most.
    public static let webhookExcerpt = ResponseReading.excerpt(keep: webhookExcerptBytes, drainBudget: 64 * 1024)
    /// The start of a webhook answer that is kept (`WebhookSender.Report.responseExcerpt`).
    public static let webhookExcerptBytes = 1024
}
