import CSystemShims
import Glibc

/// One TLS session as a non-blocking state machine over in-memory buffers. It performs no I/O:
/// its owner moves ciphertext between the socket and this engine (`fillCiphertext` /
/// `drainCiphertext` in TLSConnection+Ciphertext.swift) and plaintext between the engine and the
/// HTTP codec (`read(into:)` / `write(_:)`). See docs/tls.md for the byte path.
///
/// Every call returns at once: `.wantRead` means "feed me more ciphertext from the peer",
/// `.wantWrite` means "my outbound buffer is full, drain it to the socket". After any call the
/// owner should drain pending ciphertext (a handshake step or a read may have produced some).
///
/// Threading: not thread-safe. A connection belongs to the one loop thread that owns its socket;
/// only its `TLSContext` is shared between threads.
public final class TLSConnection {
    public let context: TLSContext
    /// The name the server's certificate is verified against (client only).
    public let serverName: String?
    /// "host:port" under which this client connection stores and looks up sessions.
    let sessionKey: String?
    /// Subject of the certificate that failed the name check, for the error message (OpenSSL
    /// does not keep the peer's certificate of a failed handshake). Set by the verify callback.
    var mismatchedCertificateSubject: String?
    /// Set when an engine call threw: the session must not be resumed.
    var failed = false
    /// SSL*; owned. It owns the inner end of the BIO pair.
    let ssl: OpaquePointer
    /// Our end of the BIO pair; owned. Ciphertext enters and leaves through it.
    let network: OpaquePointer

    /// Ring sizes of the BIO pair, allocated when the pair is made (64 KiB per connection). Each
    /// holds one full record (16 KiB plus overhead) and most of the next, so bulk transfers move
    /// in pieces of about two records per syscall without idle connections costing much more.
    static let inboundCapacity = 32 * 1024
    static let outboundCapacity = 32 * 1024

    /// A client connection to `serverName` (a DNS name or an IP literal), verified against it.
    public init(client context: TLSContext, serverName: String, port: Int = 443) throws {
        precondition(context.role == .client, "client connection needs a client TLSContext")
        (ssl, network) = try Self.makeEngine(context)
        self.context = context
        self.serverName = serverName
        self.sessionKey = context.sessionCache == nil ? nil : "\(serverName):\(port)"
        do {
            try Self.setVerifiedName(ssl, serverName)
        } catch {
            SSL_free(ssl)
            BIO_free(network)
            throw error
        }
        SSL_set_connect_state(ssl)
        _ = chttp_tls_set_app_data(ssl, Unmanaged.passUnretained(self).toOpaque())
        if let sessionKey { context.sessionCache?.offer(to: ssl, key: sessionKey) }
    }

    /// A server connection presenting the context's certificate.
    public init(server context: TLSContext) throws {
        precondition(context.role == .server, "server connection needs a server TLSContext")
        (ssl, network) = try Self.makeEngine(context)
        self.context = context
        self.serverName = nil
        self.sessionKey = nil
        SSL_set_accept_state(ssl)
    }

    deinit {
        // SSL_free marks the session of a connection that was not shut down with close_notify as
        // not resumable, an SSL 3.0 rule TLS dropped (RFC 5246 section 7.2.1). HTTP clients close
        // idle pooled connections without ceremony, so a healthy connection is flagged as shut down
        // to keep its session usable; one that failed is left to be invalidated.
        if !failed && isHandshakeComplete {
            SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN)
        }
        SSL_free(ssl)
        BIO_free(network)
    }

    public var isHandshakeComplete: Bool { SSL_is_init_finished(ssl) == 1 }
    /// True when the handshake resumed an earlier session instead of verifying a certificate again.
    public var isSessionReused: Bool { SSL_session_reused(ssl) == 1 }
    /// "TLSv1.3", "TLSv1.2".
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The protocol both sides agreed on through ALPN, nil when none was negotiated.
    public var negotiatedALPN: String? {
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    private static func makeEngine(_ context: TLSContext) throws -> (ssl: OpaquePointer, network: OpaquePointer) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.handle) else {
            throw OpenSSLErrorQueue.configurationError("creating SSL")
        }
        var inner: OpaquePointer? = nil
        var outer: OpaquePointer? = nil
        // writebuf1 belongs to the SSL's end (ciphertext it produces), writebuf2 to ours.
        guard BIO_new_bio_pair(&inner, outboundCapacity, &outer, inboundCapacity) == 1, let inner, let outer else {
            SSL_free(ssl)
            throw OpenSSLErrorQueue.configurationError("creating BIO pair")
        }
        SSL_set_bio(ssl, inner, inner)
        return (ssl, outer)
    }

    /// SNI plus the name the certificate must carry. An IP literal is matched against the
    /// certificate's IP addresses and not sent as SNI (RFC 6066 section 3 forbids literals there).
    private static func setVerifiedName(_ ssl: OpaquePointer, _ name: String) throws {
        let bare = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        if isIPLiteral(bare) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare) == 1 else {
                throw OpenSSLErrorQueue.configurationError("setting expected IP address \(bare)")
            }
            return
        }
        guard chttp_tls_set_host_name(ssl, bare) == 1, SSL_set1_host(ssl, bare) == 1 else {
            throw OpenSSLErrorQueue.configurationError("setting server name \(bare)")
        }
        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
    }

    private static func isIPLiteral(_ name: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, name, &address) == 1 || inet_pton(AF_INET6, name, &address) == 1
    }
}

/// Results of a non-blocking engine step.
public enum TLSIOResult: Equatable, Sendable {
    /// Plaintext bytes read or accepted for writing (0 only for an empty buffer).
    case bytes(Int)
    /// Needs more ciphertext from the peer before it can continue.
    case wantRead
    /// The outbound ciphertext buffer is full: drain it, then repeat the call. A repeated
    /// `write` must start with the same bytes (OpenSSL already encrypted them).
    case wantWrite
    /// The peer sent close_notify: no more plaintext will come.
    case closed
}

public enum TLSHandshakeStatus: Equatable, Sendable {
    case complete, wantRead, wantWrite
}

public enum TLSShutdownStatus: Equatable, Sendable {
    /// Our close_notify is queued as ciphertext; the peer's has not arrived (it need not, for HTTP).
    case sent
    /// Both close_notify alerts have been exchanged.
    case complete
    /// The outbound buffer is full: drain it and call `shutdown()` again.
    case wantWrite
}
