#if canImport(Glibc)
import Glibc
#endif

/// Names answered locally before any DNS query: /etc/hosts, and `localhost` (RFC 6761 §6.3: it
/// and every name under it are loopback, whatever the files say, so tests and sidecars keep working).
public struct HostsTable: Sendable {
    private var entries: [String: [SocketAddress]] = [:]

    /// Parses hosts(5) text: an address, then names, `#` starts a comment.
    public init(text: String = "") {
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let address = SocketAddress(numericHost: String(fields[0]), port: 0) else { continue }
            for name in fields.dropFirst() {
                entries[Resolver.normalise(String(name)), default: []].append(address)
            }
        }
    }

    /// The addresses for `name` (already normalised), IPv4 first; nil when the table does not know it.
    func addresses(for name: String) -> [SocketAddress]? {
        if let listed = entries[name] { return listed.sorted { $0.family == AF_INET && $1.family != AF_INET } }
        if name == "localhost" || name.hasSuffix(".localhost") {
            return [SocketAddress(numericHost: "127.0.0.1", port: 0)!, SocketAddress(numericHost: "::1", port: 0)!]
        }
        return nil
    }
}

/// The nameservers of resolv.conf(5): up to three `nameserver` lines, port 53; 127.0.0.1 when
/// there are none (what glibc does). `search`, `domain` and `options` are not used: names are
/// asked as given (see docs/operations.md, "Name resolution").
enum ResolvConf {
    static func nameservers(text: String) -> [SocketAddress] {
        var servers: [SocketAddress] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            // A link-local IPv6 server may carry a zone ("fe80::1%eth0"), which we cannot honour.
            let host = fields[1].split(separator: "%").first.map(String.init) ?? ""
            if let address = SocketAddress(numericHost: host, port: 53), servers.count < 3 { servers.append(address) }
        }
        return servers.isEmpty ? [SocketAddress(numericHost: "127.0.0.1", port: 53)!] : servers
    }

    /// The whole file, or "" when it cannot be read (a missing file means the defaults).
    static func read(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
