extension Duration {
    /// The duration in seconds as a Double (for metrics and arithmetic on schedules).
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }

    /// Whole milliseconds, rounded towards zero (for table attributes and unix-millisecond arithmetic).
    public var wholeMilliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
