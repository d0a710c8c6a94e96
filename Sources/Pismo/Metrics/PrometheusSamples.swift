/// The sample lines of the registry's Prometheus text (`name{labels} value`), read back so that the
/// EMF reporter publishes exactly the figures `/metrics` shows, without a second set of counters.
enum PrometheusSamples {
    /// The values of every series of `family` (all label sets; not its `_bucket`/`_sum` series).
    static func values(of family: String, in text: String) -> [Double] {
        var found: [Double] = []
        for line in text.split(separator: "\n") where line.hasPrefix(family) && !line.hasPrefix("#") {
            let rest = line.dropFirst(family.count)
            guard let first = rest.first, first == "{" || first == " " else { continue }
            // The value is the last field: label values may hold spaces, never after the closing brace.
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]),
                  value.isFinite else { continue }
            found.append(value)
        }
        return found
    }
}
