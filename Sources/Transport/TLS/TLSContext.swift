import CSystemShims

/// Long-lived TLS settings (trust store, certificate and key, ALPN, session cache) from which
/// `TLSConnection`s are made. Create one per role per process and share it.
///
/// Thread-safety: a `TLSContext` is shared by every loop thread. That is sound with OpenSSL 3
/// because the SSL_CTX is fully configured here, before it is published, and never mutated again;
/// OpenSSL 3 itself guards the parts that change afterwards (reference counts are atomic, the
/// server session cache and ticket keys are behind the context's own lock, the trust store's
/// lookups are locked). `SSL_new` from several threads on one SSL_CTX is the documented use.
/// The client session cache is ours and has its own mutex.
public final class TLSContext: @unchecked Sendable {
    public enum Role: Sendable { case client, server }

    public let role: Role
    /// SSL_CTX*; owned: freed in deinit. Connections keep the context alive while they exist.
    let handle: OpaquePointer
    /// Client only, nil when resumption is disabled.
    let sessionCache: TLSSessionCache?
    /// Server only: our ALPN list, the selection callback's argument. Held here so it outlives
    /// the SSL_CTX that points at it.
    private let serverALPN: ServerALPNList?

    /// A client context: verification on, hostname checked per connection, ALPN, resumption.
    public init(client configuration: TLSClientConfiguration = TLSClientConfiguration()) throws {
        let ctx = try Self.makeContext(TLS_client_method(), configuration.minimumVersion)
        do {
            try Self.configureTrust(ctx, configuration)
            let wire = try ALPNWireFormat.encode(configuration.alpnProtocols)
            // Unlike most OpenSSL calls, SSL_CTX_set_alpn_protos returns 0 on success.
            if !wire.isEmpty, SSL_CTX_set_alpn_protos(ctx, wire, UInt32(wire.count)) != 0 {
                throw OpenSSLErrorQueue.configurationError("setting ALPN protocols")
            }
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        if configuration.sessionCacheCapacity > 0 {
            // NO_INTERNAL_STORE: OpenSSL would never look sessions up on the client anyway;
            // the callback hands each new one to our per-host cache.
            _ = chttp_tls_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
            SSL_CTX_sess_set_new_cb(ctx, tlsClientNewSessionCallback)
            sessionCache = TLSSessionCache(capacity: configuration.sessionCacheCapacity)
        } else {
            _ = chttp_tls_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
            sessionCache = nil
        }
        self.role = .client
        self.handle = ctx
        self.serverALPN = nil
    }

    /// A server context presenting the given certificate chain and key.
    public init(server configuration: TLSServerConfiguration) throws {
        let ctx = try Self.makeContext(TLS_server_method(), configuration.minimumVersion)
        let alpn: ServerALPNList
        do {
            try Self.loadIdentity(ctx, configuration)
            alpn = ServerALPNList(try ALPNWireFormat.encode(configuration.alpnProtocols))
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        if alpn.wire.count > 0 {
            SSL_CTX_set_alpn_select_cb(ctx, tlsServerSelectALPN, Unmanaged.passUnretained(alpn).toOpaque())
        }
        // Any fixed id will do: it scopes resumption to this application's contexts.
        let sessionContext: [UInt8] = Array("pismo".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sessionContext, UInt32(sessionContext.count))
        self.role = .server
        self.handle = ctx
        self.sessionCache = nil
        self.serverALPN = alpn
    }

    deinit {
        SSL_CTX_free(handle)
    }

    private static func makeContext(_ method: OpaquePointer?, _ minimum: TLSVersion) throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let ctx = SSL_CTX_new(method) else {
            throw OpenSSLErrorQueue.configurationError("creating SSL_CTX")
        }
        let version = minimum == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        _ = chttp_tls_ctx_set_min_proto_version(ctx, version)
        // PARTIAL_WRITE: SSL_write returns after each record instead of insisting on the whole
        // buffer, so a full outbound BIO never strands half-encrypted data in a blocking retry.
        // MOVING_WRITE_BUFFER: the retry after WANT_WRITE may come from a different address
        // (the caller's queue may have been compacted). RELEASE_BUFFERS: idle keep-alive
        // connections give their 34 KB record buffers back.
        let mode = SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS
        _ = chttp_tls_ctx_set_mode(ctx, Int(mode))
        chttp_tls_ctx_disable_renegotiation(ctx)
        return ctx
    }

    private static func configureTrust(_ ctx: OpaquePointer, _ configuration: TLSClientConfiguration) throws {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tlsClientVerifyCallback)
        if configuration.useSystemTrustStore, SSL_CTX_set_default_verify_paths(ctx) != 1 {
            throw OpenSSLErrorQueue.configurationError("loading the system trust store")
        }
        if let file = configuration.additionalTrustedCAFile, SSL_CTX_load_verify_locations(ctx, file, nil) != 1 {
            throw OpenSSLErrorQueue.configurationError("loading trusted CA file \(file)")
        }
    }

    private static func loadIdentity(_ ctx: OpaquePointer, _ configuration: TLSServerConfiguration) throws {
        let certificateFile = configuration.certificateChainFile
        guard SSL_CTX_use_certificate_chain_file(ctx, certificateFile) == 1 else {
            throw OpenSSLErrorQueue.configurationError("loading certificate chain \(certificateFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, configuration.privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            throw OpenSSLErrorQueue.configurationError("loading private key \(configuration.privateKeyFile)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw OpenSSLErrorQueue.configurationError("private key does not match the certificate")
        }
    }
}

/// Our server ALPN list in wire format, in stable memory the selection callback can point into.
final class ServerALPNList: Sendable {
    nonisolated(unsafe) let wire: UnsafeMutableBufferPointer<UInt8>

    init(_ bytes: [UInt8]) {
        wire = .allocate(capacity: bytes.count)
        _ = wire.initialize(from: bytes)
    }

    deinit { wire.deallocate() }
}

/// Server-side ALPN choice: the first of our protocols that the client also offers. No overlap
/// is answered with a fatal no_application_protocol alert, as RFC 7301 section 3.2 requires.
private func tlsServerSelectALPN(
    _ ssl: OpaquePointer?,
    _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    _ outLength: UnsafeMutablePointer<UInt8>?,
    _ offered: UnsafePointer<UInt8>?,
    _ offeredLength: UInt32,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let outLength, let offered, let argument else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let ours = Unmanaged<ServerALPNList>.fromOpaque(argument).takeUnretainedValue().wire
    var selected: UnsafeMutablePointer<UInt8>? = nil
    let result = SSL_select_next_proto(&selected, outLength, ours.baseAddress, UInt32(ours.count), offered, offeredLength)
    guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    out.pointee = UnsafePointer(selected)
    return SSL_TLSEXT_ERR_OK
}
