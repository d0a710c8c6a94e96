/// HTTP message types shared by the client, the server and everything built on them (AWS clients,
/// the webhook deliverer, tests). Pure values: no sockets here, so fakes can be built from them.

/// Header list that keeps the order and case the peer used; lookups are case-insensitive.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var entries: [(name: String, value: String)]

    public init(_ entries: [(String, String)] = []) {
        self.entries = entries.map { (name: $0.0, value: $0.1) }
    }

    /// For parsers: takes the list as built, without the relabelling copy of `init(_:)`.
    init(parsed entries: [(name: String, value: String)]) {
        self.entries = entries
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.name == $1.name && $0.value == $1.value }
    }

    public mutating func add(_ name: String, _ value: String) {
        entries.append((name: name, value: value))
    }

    /// Replaces every header of that name with one entry.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        entries.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// The first value of the header, if present.
    public subscript(_ name: String) -> String? {
        entries.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public func values(_ name: String) -> [String] {
        entries.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        entries.makeIterator()
    }
}

extension String {
    /// ASCII case-insensitive comparison (header names are ASCII tokens).
    @inlinable
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        // O(1) for native strings, and most header names differ in length.
        guard utf8.count == other.utf8.count else { return false }
        var a = self.utf8.makeIterator()
        var b = other.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return true
            case let (x?, y?):
                if x == y { continue }
                if (x | 0x20) != (y | 0x20) || !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7a) { return false }
            default: return false
            }
        }
    }
}

public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute URL for the client ("https://host:port/path?query"); origin-form path on the server side.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// How much of the response body to read (client only; AWS reads it whole).
    public var responseReading: ResponseReading

    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                responseReading: ResponseReading = .whole) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.responseReading = responseReading
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The body as received on the wire after de-chunking (still gzip-compressed when
    /// Content-Encoding says so and the caller asked for raw bytes; see the client options).
    public var body: [UInt8]
    /// True when `body` is only the start of what the peer sent (`ResponseReading.excerpt`).
    public var bodyIsExcerpt: Bool

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], bodyIsExcerpt: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyIsExcerpt = bodyIsExcerpt
    }
}

/// What every HTTP consumer (AWS clients, deliverer) depends on, so that tests can inject a
/// scripted in-memory transport and production uses `HTTPClient`.
public protocol HTTPExecuting: Sendable {
    /// Sends the request and returns the full response. Throws `HTTPClientError` on transport failure.
    /// `timeout` bounds the whole exchange (connect + write + response).
    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}
