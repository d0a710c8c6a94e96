import CSystemShims

/// The plaintext side: handshake steps, reads straight into the caller's buffer, writes straight
/// from it, and close_notify. OpenSSL decrypts into and encrypts from the given memory, so the
/// engine adds no copy of its own on this side.
extension TLSConnection {
    /// Advances the handshake as far as the buffered ciphertext allows.
    public func handshake() throws -> TLSHandshakeStatus {
        if isHandshakeComplete { return .complete }
        OpenSSLErrorQueue.clear()
        let ret = SSL_do_handshake(ssl)
        if ret == 1 { return .complete }
        switch try outcome(of: ret) {
        case .wantWrite: return .wantWrite
        case .wantRead, .bytes: return .wantRead
        case .closed: throw TLSError(.handshakeFailed, "TLS handshake failed: peer closed the connection")
        }
    }

    /// Decrypts available plaintext into `buffer`. Also completes the handshake if it is not done.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TLSIOResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
        OpenSSLErrorQueue.clear()
        var count = 0
        let ret = SSL_read_ex(ssl, base, buffer.count, &count)
        if ret == 1 { return .bytes(count) }
        return try outcome(of: ret)
    }

    /// Encrypts up to one record (16 KB) of `bytes`; returns how many were taken.
    public func write(_ bytes: UnsafeRawBufferPointer) throws -> TLSIOResult {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .bytes(0) }
        OpenSSLErrorQueue.clear()
        var count = 0
        let ret = SSL_write_ex(ssl, base, bytes.count, &count)
        if ret == 1 { return .bytes(count) }
        return try outcome(of: ret)
    }

    /// Queues our close_notify. HTTP needs no reply to it (RFC 9110 section 9.8 only asks that
    /// close_notify be sent), so callers usually drain and close the socket after `.sent`.
    public func shutdown() throws -> TLSShutdownStatus {
        // Before the handshake finishes there is no session to close; OpenSSL would report an error.
        guard isHandshakeComplete else { return .complete }
        OpenSSLErrorQueue.clear()
        let ret = SSL_shutdown(ssl)
        if ret == 1 { return .complete }
        if ret == 0 { return .sent }
        switch try outcome(of: ret) {
        case .wantWrite: return .wantWrite
        case .wantRead, .bytes, .closed: return .sent
        }
    }

    /// Maps a failed SSL_* return to a retry hint, or throws what went wrong.
    private func outcome(of ret: Int32) throws -> TLSIOResult {
        let code = SSL_get_error(ssl, ret)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        default: throw failure(code)
        }
    }

    /// A thrown error ends the connection; its session is also dropped from the client cache,
    /// since a session whose connection failed is not offered again (see `deinit`).
    private func failure(_ code: Int32) -> TLSError {
        failed = true
        if let sessionKey { context.sessionCache?.remove(key: sessionKey) }
        // OpenSSL 3 reports a stream that ends mid-session as this reason (1.1 used SSL_ERROR_SYSCALL).
        if code == SSL_ERROR_SYSCALL || OpenSSLErrorQueue.lastReason() == SSL_R_UNEXPECTED_EOF_WHILE_READING {
            _ = OpenSSLErrorQueue.drain()
            return TLSError(.unexpectedEOF, "connection closed without TLS close_notify (data may be truncated)")
        }
        if isHandshakeComplete {
            return TLSError(.protocolError, "TLS error: \(Self.orUnknown(OpenSSLErrorQueue.drain()))")
        }
        return handshakeFailure()
    }

    /// Prefers the certificate verdict, which says what the operator must fix, over the generic
    /// "certificate verify failed" that the error queue holds.
    private func handshakeFailure() -> TLSError {
        let queued = OpenSSLErrorQueue.drain()
        let verdict = SSL_get_verify_result(ssl)
        guard context.role == .client, verdict != Int(X509_V_OK) else {
            return TLSError(.handshakeFailed, "TLS handshake failed: \(Self.orUnknown(queued))")
        }
        if verdict == Int(X509_V_ERR_HOSTNAME_MISMATCH) || verdict == Int(X509_V_ERR_IP_ADDRESS_MISMATCH) {
            let subject = mismatchedCertificateSubject.map { ", certificate is for \($0)" } ?? ""
            return TLSError(.hostnameMismatch, "hostname mismatch: expected \(serverName ?? "?")\(subject)")
        }
        let reason = String(cString: X509_verify_cert_error_string(verdict))
        return TLSError(.untrustedCertificate, "certificate verify failed: \(reason)")
    }

    private static func orUnknown(_ text: String) -> String {
        text.isEmpty ? "unknown error" : text
    }
}

/// OpenSSL announces each session a server grants (TLS 1.3 sends them after the handshake, as
/// tickets read by a later SSL_read). Returning 1 keeps the reference OpenSSL passed us.
func tlsClientNewSessionCallback(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
    guard let ssl, let session, let raw = chttp_tls_get_app_data(ssl) else { return 0 }
    let connection = Unmanaged<TLSConnection>.fromOpaque(raw).takeUnretainedValue()
    guard let key = connection.sessionKey, let cache = connection.context.sessionCache,
        SSL_SESSION_is_resumable(session) == 1
    else { return 0 }
    cache.store(session, key: key)
    return 1
}

/// Leaves OpenSSL's verdict unchanged; only remembers which certificate failed the name check.
func tlsClientVerifyCallback(_ preverified: Int32, _ store: OpaquePointer?) -> Int32 {
    guard preverified == 0, let store else { return preverified }
    let error = X509_STORE_CTX_get_error(store)
    guard error == X509_V_ERR_HOSTNAME_MISMATCH || error == X509_V_ERR_IP_ADDRESS_MISMATCH,
        let ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
        let raw = chttp_tls_get_app_data(OpaquePointer(ssl)),
        let certificate = X509_STORE_CTX_get_current_cert(store),
        let name = X509_get_subject_name(certificate)
    else { return preverified }
    var buffer = [CChar](repeating: 0, count: 256)
    guard X509_NAME_oneline(name, &buffer, Int32(buffer.count)) != nil else { return preverified }
    let connection = Unmanaged<TLSConnection>.fromOpaque(raw).takeUnretainedValue()
    connection.mismatchedCertificateSubject = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return preverified
}
