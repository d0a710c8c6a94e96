import PismoJSON
import Transport

/// A successful (2xx) AWS JSON response; `body` is the receive buffer, decoded in place by callers.
public struct AWSJSONResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var requestID: String? { headers["x-amzn-RequestId"] }

    /// Parses the body; an empty body counts as `{}`.
    public func document(service: String, operation: String) throws -> JSONDocument {
        do {
            return try JSONDocument(bytes: body.isEmpty ? Array("{}".utf8) : body)
        } catch {
            throw AWSError(service: service, operation: operation, status: status, code: AWSError.invalidResponse,
                           message: "response is not JSON: \(error)", requestID: requestID)
        }
    }
}

/// Everything the protocol client shares with its siblings in one process: HTTP transport,
/// credentials, clock (with skew), retry policy and quota, signing-key cache. Sendable value.
public struct AWSClientContext: Sendable {
    public var config: AWSConfig
    public var http: any HTTPExecuting
    public var credentials: CachedCredentialProvider
    public var clock: AWSClock
    public var retry: RetryPolicy
    public var quota: RetryQuota
    public var keyCache: SigningKeyCache
    /// Default timeout of one attempt (connect + write + response).
    public var timeout: Duration
    /// How the client waits between attempts; tests inject a recorder.
    public var sleep: @Sendable (Duration) async throws -> Void
    public var userAgent: String

    public init(config: AWSConfig, http: any HTTPExecuting, credentials: CachedCredentialProvider,
                clock: AWSClock = AWSClock(), retry: RetryPolicy? = nil, quota: RetryQuota = RetryQuota(),
                keyCache: SigningKeyCache = SigningKeyCache(), timeout: Duration = .seconds(10),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) },
                userAgent: String = "pismo") {
        self.config = config
        self.http = http
        self.credentials = credentials
        self.clock = clock
        self.retry = retry ?? RetryPolicy.standard(environment: config.environment)
        self.quota = quota
        self.keyCache = keyCache
        self.timeout = timeout
        self.sleep = sleep
        self.userAgent = userAgent
    }
}

/// AWS JSON 1.0 protocol: `POST /`, `X-Amz-Target: <prefix>.<Operation>`,
/// `Content-Type: application/x-amz-json-1.0`, SigV4, standard retries. Thread-safe; one per service,
/// any number of concurrent calls.
public struct AWSJSONClient: Sendable {
    public let service: AWSService
    public let context: AWSClientContext
    public let endpoint: String
    let signer: SigV4Signer
    /// DynamoDB sends `x-amz-crc32` over the body bytes; verified before anything is parsed.
    let verifiesCRC32: Bool

    public init(service: AWSService, context: AWSClientContext, endpoint: String? = nil) {
        self.service = service
        self.context = context
        self.endpoint = endpoint ?? context.config.endpoint(for: service)
        self.signer = SigV4Signer(service: service.signingName, region: context.config.region, keyCache: context.keyCache)
        self.verifiesCRC32 = service.signingName == "dynamodb"
    }

    /// Sends one operation with retries; returns the 2xx response or throws `AWSError`.
    /// `timeout` overrides the per-attempt timeout (long polls need more than WaitTimeSeconds).
    public func send(_ operation: AWSOperation, body: [UInt8], timeout: Duration? = nil) async throws -> AWSJSONResponse {
        var attemptNumber = 1
        var lastRetryCost: Int?
        while true {
            let error: AWSError
            let skewBefore = context.clock.skew
            do {
                let response = try await attempt(operation, body: body, timeout: timeout ?? context.timeout)
                context.quota.release(lastRetryCost: lastRetryCost)
                return response
            } catch let e as AWSError {
                error = e
            }
            // A signature refused because our clock is off, and the response taught us the server's time:
            // re-signing with the corrected clock will succeed, so retry at once (no backoff, no quota).
            let skewCorrected = error.mayBeClockSkew && context.clock.skew != skewBefore
            guard attemptNumber < context.retry.maxAttempts, error.isRetryable || skewCorrected else { throw error }
            if skewCorrected {
                attemptNumber += 1
                continue
            }
            let delay = context.retry.backoff(retry: attemptNumber)
            guard let cost = context.quota.acquire(afterTimeout: error.isTimeout) else {
                if operation.isLongPoll { try await context.sleep(delay) }
                throw error
            }
            lastRetryCost = cost
            try await context.sleep(delay)
            attemptNumber += 1
        }
    }

    /// One operation as the service clients spell it: `build` writes the request object's members,
    /// the response comes back parsed (an empty body counts as `{}`).
    public func call(_ operation: AWSOperation, capacity: Int = 512, timeout: Duration? = nil,
                     _ build: (inout JSONWriter) -> Void) async throws -> JSONNode {
        var writer = JSONWriter(capacity: capacity)
        writer.beginObject()
        build(&writer)
        writer.endObject()
        let response = try await send(operation, body: writer.bytes, timeout: timeout)
        return try response.document(service: service.id, operation: operation.name).root
    }

    private func attempt(_ operation: AWSOperation, body: [UInt8], timeout: Duration) async throws -> AWSJSONResponse {
        let credentials: AWSCredentials
        do {
            // The common case reads the cache in place; only a refresh (or none yet) awaits the actor.
            if let fresh = context.credentials.currentIfFresh() { credentials = fresh } else {
                credentials = try await context.credentials.credentials()
            }
        } catch {
            throw AWSError(service: service.id, operation: operation.name, status: nil,
                           code: AWSError.credentialsUnavailable, message: String(describing: error))
        }
        var request = HTTPRequest(method: "POST", url: endpoint + "/", headers: baseHeaders(operation), body: body)
        signer.sign(&request, credentials: credentials, time: context.clock.now())
        let response: HTTPResponse
        do {
            response = try await context.http.execute(request, timeout: timeout)
        } catch is CancellationError {
            throw CancellationError()  // the caller gave up: not a connection failure to retry
        } catch {
            throw transportError(error, operation: operation)
        }
        context.clock.observe(serverDate: response.headers["Date"])
        if (200..<300).contains(response.status) {
            try checkCRC32(response, operation: operation)
            return AWSJSONResponse(status: response.status, headers: response.headers, body: response.body)
        }
        let error = AWSErrorParser.parse(response, service: service.id, operation: operation.name)
        if error.status == 400 || error.status == 403, error.code == "ExpiredTokenException" || error.code == "ExpiredToken" {
            await context.credentials.invalidate()
        }
        throw error
    }

    private func baseHeaders(_ operation: AWSOperation) -> HTTPHeaders {
        var headers = HTTPHeaders([
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", service.targetPrefix + "." + operation.name),
            // Transparent gzip would make the CRC32 check and in-place decoding harder; ask for none.
            ("Accept-Encoding", "identity"),
            ("User-Agent", context.userAgent),
        ])
        if service.queryCompatible { headers.add("x-amzn-query-mode", "true") }
        return headers
    }

    private func checkCRC32(_ response: HTTPResponse, operation: AWSOperation) throws {
        guard verifiesCRC32, let header = response.headers["x-amz-crc32"] else { return }
        let actual = Digests.crc32(response.body)
        guard let expected = UInt32(header), expected == actual else {
            throw AWSError(service: service.id, operation: operation.name, status: response.status,
                           code: AWSError.crc32Mismatch,
                           message: "x-amz-crc32 \(header) but body CRC32 is \(actual)",
                           requestID: response.headers["x-amzn-RequestId"])
        }
    }

    /// Classified by the error's type, never by its text: a timeout costs more retry quota than a
    /// refused or reset connection (the SDKs' standard mode).
    private func transportError(_ error: any Error, operation: AWSOperation) -> AWSError {
        if let aws = error as? AWSError { return aws }
        let isTimeout: Bool = switch error as? HTTPClientError {
        case .connectTimeout?, .requestTimeout?, .dnsTimeout?: true
        default: false
        }
        return AWSError(service: service.id, operation: operation.name, status: nil,
                        code: isTimeout ? AWSError.timeout : AWSError.connectionError, message: String(describing: error))
    }
}
