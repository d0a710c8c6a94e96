/// A CIDR block (`10.0.0.0/8`, `fd00::/8`; a bare address is a single host): the entries of an
/// allow list and the special-purpose ranges the destination guard refuses.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block (host bits zero).
    public let address: IPAddress
    public let prefixLength: Int

    /// Why an allow-list entry was refused; the text says what to write instead.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let text: String
        public let problem: String
        public var description: String { "'\(text)' is not a CIDR block: \(problem)" }
    }

    /// `address/length` or a bare address. Addresses must be written in full (dotted quad or IPv6
    /// text): an allow list is configuration, where `127.1` would more likely be a typo than intent.
    /// Host bits must be zero, so that `10.1.2.3/8` is not silently read as all of 10/8.
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingSpaces
        let pieces = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = String(pieces[0])
        guard let address = IPAddress(addressText), Self.isWrittenInFull(addressText) else {
            throw ParseError(text: text, problem: "'\(addressText)' is not an IPv4 or IPv6 address written in full")
        }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if pieces.count == 2 {
            guard let n = Int(pieces[1]), (0...maximum).contains(n), pieces[1].allSatisfy(\.isNumber) else {
                throw ParseError(text: text, problem: "the prefix length must be a number from 0 to \(maximum)")
            }
            length = n
        }
        let network = IPNetwork(address, prefixLength: length)
        guard network.address == address else {
            throw ParseError(text: text, problem: "host bits are set (did you mean \(network)?)")
        }
        self = network
    }

    /// The block of `prefixLength` bits that holds `address` (host bits cleared).
    public init(_ address: IPAddress, prefixLength: Int) {
        self.prefixLength = prefixLength
        self.address = Self.masked(address, prefixLength)
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.isIPv4 == address.isIPv4 else { return false }
        return Self.masked(candidate, prefixLength) == address
    }

    public var description: String { "\(address)/\(prefixLength)" }

    private static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let value):
            return .v4(length == 0 ? 0 : value & (UInt32.max << UInt32(32 - length)))
        case .v6(let high, let low):
            let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : .max << UInt64(64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : .max << UInt64(128 - length))
            return .v6(high: high & highMask, low: low & lowMask)
        }
    }

    /// Dotted quad with four decimal parts, or IPv6 text: not the C library's shorthand spellings.
    private static func isWrittenInFull(_ text: String) -> Bool {
        if text.contains(":") { return true }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && ($0 == "0" || $0.first != "0") }
    }
}

extension String {
    var trimmingSpaces: String {
        var view = self[...]
        while view.first == " " || view.first == "\t" { view = view.dropFirst() }
        while view.last == " " || view.last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
