import Transport

/// Everything one signature computation produced; the intermediate strings are kept so the
/// conformance runner and tests can compare them with the published suite.
public struct SigV4Signature: Sendable, Equatable {
    /// Kept as bytes: every request is signed, and only the conformance runner and tests read it.
    public var canonicalRequestBytes: [UInt8]
    public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
    public var stringToSign: String
    public var signature: String
    public var signedHeaders: String
    public var credentialScope: String
    public var authorization: String
}

/// AWS Signature Version 4 for one (service, region) — the signing name, which for DynamoDB
/// Streams is `dynamodb`, not the endpoint prefix. A value type: share it freely across tasks;
/// the signing-key cache inside is thread-safe.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable, Equatable {
        /// Remove dot and empty path segments (every service but S3).
        public var normalizePath = true
        /// Include `x-amz-security-token` in the signature (all JSON services want it signed).
        public var signSessionToken = true
        /// Add and sign `x-amz-content-sha256` (S3 requires it; optional elsewhere).
        public var addContentSHA256Header = false
        public init() {}
    }

    static let algorithm = "AWS4-HMAC-SHA256"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public let service: String
    public let region: String
    public var options: Options
    private let keys: SigningKeyCache
    private let memo = SigningKeyMemo()

    public init(service: String, region: String, options: Options = Options(), keyCache: SigningKeyCache = SigningKeyCache()) {
        self.service = service
        self.region = region
        self.options = options
        self.keys = keyCache
    }

    /// Signs in place with headers: sets `Host`, `X-Amz-Date`, `X-Amz-Security-Token` (when the
    /// credentials carry one), optionally `X-Amz-Content-Sha256`, and `Authorization`.
    @discardableResult
    public func sign(_ request: inout HTTPRequest, credentials: AWSCredentials, time: AWSTimestamp,
                     payloadHash: String? = nil) -> SigV4Signature {
        let url = RequestTarget(signing: request.url)
        let hash = payloadHash ?? Hex.encode(Digests.sha256(request.body))
        request.headers.remove("Authorization")
        if request.headers["Host"] == nil, let url { request.headers.add("Host", url.hostHeader) }
        request.headers.set("X-Amz-Date", time.amzDate)
        if options.addContentSHA256Header { request.headers.set("X-Amz-Content-Sha256", hash) }
        if let token = credentials.sessionToken, options.signSessionToken {
            request.headers.set("X-Amz-Security-Token", token)
        }
        let result = signature(method: request.method, path: url?.pathOnly ?? "/", query: url?.query ?? "",
                               headers: request.headers.entries, payloadHash: hash,
                               credentials: credentials, time: time)
        if let token = credentials.sessionToken, !options.signSessionToken {
            request.headers.set("X-Amz-Security-Token", token)
        }
        request.headers.add("Authorization", result.authorization)
        return result
    }

    /// The header-mode signature over exactly the headers given (minus the never-signed ones).
    public func signature(method: String, path: String, query: String, headers: [(name: String, value: String)],
                          payloadHash: String, credentials: AWSCredentials, time: AWSTimestamp) -> SigV4Signature {
        let signable = headers.filter { !Self.isUnsigned($0.name) }
        let (block, signed) = CanonicalRequest.canonicalHeaderBytes(signable)
        let creq = CanonicalRequest.buildBytes(
            method: method, canonicalURI: CanonicalRequest.canonicalURI(path: path, normalize: options.normalizePath),
            canonicalQuery: query.isEmpty ? "" : CanonicalRequest.canonicalQuery(query), headerBlock: block,
            signedHeaders: signed, payloadHash: payloadHash)
        let signedList = String(decoding: signed, as: UTF8.self)
        return finish(canonicalRequest: creq, signedHeaders: signedList, credentials: credentials, time: time) { scope, sig in
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedList), Signature=\(sig)"
        }
    }

    /// Headers never signed: `authorization`, and those proxies and clients add or rewrite in transit
    /// (`expect`, `user-agent`, `x-amzn-trace-id`, `connection`). Case-insensitive, no lower-cased copy.
    static func isUnsigned(_ name: String) -> Bool {
        switch name.utf8.count {
        case 6: return name.caseInsensitiveEquals("expect")
        case 10: return name.caseInsensitiveEquals("user-agent") || name.caseInsensitiveEquals("connection")
        case 13: return name.caseInsensitiveEquals("authorization")
        case 15: return name.caseInsensitiveEquals("x-amzn-trace-id")
        default: return false
        }
    }

    /// Query-string ("presigned URL") mode: the auth parameters go into the query and only the
    /// given headers are signed. Returns the signature; the caller appends `X-Amz-Signature`.
    public func presignature(method: String, path: String, query: String, headers: [(name: String, value: String)],
                             payloadHash: String, credentials: AWSCredentials, time: AWSTimestamp,
                             expiresSeconds: Int) -> SigV4Signature {
        let signable = headers.filter { !Self.isUnsigned($0.name) }
        let (block, signed) = CanonicalRequest.canonicalHeaders(signable)
        let scope = credentialScope(time)
        var params: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", time.amzDate),
            ("X-Amz-Expires", String(expiresSeconds)),
            ("X-Amz-SignedHeaders", signed),
        ]
        if let token = credentials.sessionToken, options.signSessionToken { params.append(("X-Amz-Security-Token", token)) }
        let creq = CanonicalRequest.build(
            method: method, canonicalURI: CanonicalRequest.canonicalURI(path: path, normalize: options.normalizePath),
            canonicalQuery: CanonicalRequest.canonicalQuery(query, adding: params), headerBlock: block,
            signedHeaders: signed, payloadHash: payloadHash)
        return finish(canonicalRequest: Array(creq.utf8), signedHeaders: signed, credentials: credentials, time: time) { _, sig in sig }
    }

    public func credentialScope(_ time: AWSTimestamp) -> String {
        "\(time.scopeDate)/\(region)/\(service)/aws4_request"
    }

    private func finish(canonicalRequest creq: [UInt8], signedHeaders: String, credentials: AWSCredentials,
                        time: AWSTimestamp, authorization: (String, String) -> String) -> SigV4Signature {
        let date = time.scopeDate
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        // The string to sign as bytes (it is hashed, not read): no String to build and copy back.
        let amzDate = time.amzDate
        var sts: [UInt8] = []
        sts.reserveCapacity(Self.algorithm.utf8.count + amzDate.utf8.count + scope.utf8.count + 67)
        sts.append(contentsOf: Self.algorithm.utf8); sts.append(0x0A)
        sts.append(contentsOf: amzDate.utf8); sts.append(0x0A)
        sts.append(contentsOf: scope.utf8); sts.append(0x0A)
        Hex.append(Digests.sha256(creq), to: &sts)
        let key = memo.key(secret: credentials.secretAccessKey, date: date) {
            keys.signingKey(secret: credentials.secretAccessKey, date: date, region: region, service: service)
        }
        let sig = Hex.encode(Digests.hmacSHA256(key: key, message: sts))
        return SigV4Signature(canonicalRequestBytes: creq, stringToSign: String(decoding: sts, as: UTF8.self), signature: sig,
                              signedHeaders: signedHeaders, credentialScope: scope, authorization: authorization(scope, sig))
    }
}

/// The signer's last signing key, so the common request (same secret, same day) skips the shared
/// cache's hashing of four strings: two string comparisons, which are pointer comparisons for the
/// same credentials. Thread-safe.
final class SigningKeyMemo: Sendable {
    private struct Entry {
        let secret: String
        let date: String
        let key: [UInt8]
    }

    private let last = Locked<Entry?>(nil)

    func key(secret: String, date: String, derive: () -> [UInt8]) -> [UInt8] {
        if let hit = last.withLock({ entry -> [UInt8]? in
            guard let entry, entry.date == date, entry.secret == secret else { return nil }
            return entry.key
        }) { return hit }
        let key = derive()
        last.withLock { $0 = Entry(secret: secret, date: date, key: key) }
        return key
    }
}
