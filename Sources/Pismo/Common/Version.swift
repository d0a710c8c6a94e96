public enum PismoVersion {
    public static let current = "0.1.0"
    /// Sent as `user-agent` on every webhook and AWS request.
    public static let userAgent = "pismo/\(current)"
}
