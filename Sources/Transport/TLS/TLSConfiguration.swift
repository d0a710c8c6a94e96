/// Settings for a client `TLSContext`. The defaults are the safe ones: the peer's chain is verified
/// against the system trust store and its name against the host we dialled; there is deliberately
/// no switch to turn verification off — trust a private CA with `additionalTrustedCAFile` instead.
public struct TLSClientConfiguration: Sendable {
    /// Load OpenSSL's default trust locations (honours SSL_CERT_FILE and SSL_CERT_DIR).
    public var useSystemTrustStore: Bool
    /// A PEM file of extra CA certificates to trust (a private CA, or a test CA).
    public var additionalTrustedCAFile: String?
    /// Offered in preference order; the server picks one (RFC 7301).
    public var alpnProtocols: [String]
    /// How many hosts' sessions to keep for resumption; 0 disables resumption.
    public var sessionCacheCapacity: Int
    public var minimumVersion: TLSVersion

    public init(
        useSystemTrustStore: Bool = true,
        additionalTrustedCAFile: String? = nil,
        alpnProtocols: [String] = ["http/1.1"],
        sessionCacheCapacity: Int = 256,
        minimumVersion: TLSVersion = .tls12
    ) {
        self.useSystemTrustStore = useSystemTrustStore
        self.additionalTrustedCAFile = additionalTrustedCAFile
        self.alpnProtocols = alpnProtocols
        self.sessionCacheCapacity = sessionCacheCapacity
        self.minimumVersion = minimumVersion
    }
}

/// Settings for a server `TLSContext`: a PEM certificate chain (leaf first) and its PEM private key.
public struct TLSServerConfiguration: Sendable {
    public var certificateChainFile: String
    public var privateKeyFile: String
    /// Protocols we accept, in our preference order; a client offering none of them is refused
    /// with a no_application_protocol alert, as RFC 7301 requires. Clients without ALPN are accepted.
    public var alpnProtocols: [String]
    public var minimumVersion: TLSVersion

    public init(
        certificateChainFile: String,
        privateKeyFile: String,
        alpnProtocols: [String] = ["http/1.1"],
        minimumVersion: TLSVersion = .tls12
    ) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.alpnProtocols = alpnProtocols
        self.minimumVersion = minimumVersion
    }
}

public enum TLSVersion: Sendable {
    case tls12, tls13
}

enum ALPNWireFormat {
    /// RFC 7301 protocol list: each name prefixed by its one-byte length.
    static func encode(_ protocols: [String]) throws -> [UInt8] {
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes.count <= 255 else {
                throw TLSError(.configuration, "invalid ALPN protocol name \"\(name)\"")
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }
}
