/// One name being resolved: its tries (a socket each, A and AAAA asked in parallel; a truncated
/// answer asked again over TCP), its callers, and its deadline. Loop-confined; owned by
/// `DNSLookupEngine`, which it tells once, through `finished`, how it ended.
final class DNSLookup {
    /// How a lookup ended, before the engine turns it into callers' results and a cache entry.
    enum Outcome {
        case addresses([SocketAddress], ttl: UInt32)
        case noAddresses(ttl: UInt32?)
        case serverFailure(String)
        case timedOut
    }

    static let types = [DNSType.a, DNSType.aaaa]

    let name: String
    let deadline: UInt64
    var waiters: [@Sendable (Result<[SocketAddress], HTTPClientError>) -> Void] = []
    private let loop: EventLoop
    private let configuration: Resolver.Configuration
    private let finished: (DNSLookup, Outcome) -> Void
    private var answers: [UInt16: DNSAnswer] = [:]
    private var sockets: [DNSQuerySocket] = []
    /// Truncated answers being asked again over TCP.
    private var tcpQueries: [DNSTCPQuery] = []
    private var tries = 0
    private var lastFailure: String?
    private var deadlineTimer: LoopTimer?
    private var retryTimer: LoopTimer?
    private(set) var isStarted = false
    private var isFinished = false

    init(name: String, loop: EventLoop, configuration: Resolver.Configuration, finished: @escaping (DNSLookup, Outcome) -> Void) {
        self.name = name
        self.loop = loop
        self.configuration = configuration
        self.finished = finished
        deadline = monotonicNanos() &+ configuration.timeout.nanoseconds
        // Armed at admission: time spent queued counts against the same bound.
        deadlineTimer = loop.scheduleOnLoop(deadline: deadline) { [self] in finish(isStarted ? outcome() : .timedOut) }
    }

    private var maxTries: Int {
        let interval = max(1, configuration.retryInterval.nanoseconds)
        return max(1, Int((configuration.timeout.nanoseconds + interval - 1) / interval))
    }

    func start() {
        isStarted = true
        sendTry()
    }

    /// Asks the next nameserver for every type still without an answer, on a new socket. Earlier
    /// tries' sockets stay open: a slow server's late answer is as good as a new one.
    private func sendTry() {
        retryTimer?.cancel()
        retryTimer = nil
        let server = configuration.nameservers[tries % configuration.nameservers.count]
        tries += 1
        do {
            let socket = try DNSQuerySocket(server: server, loop: loop,
                                            onDatagram: { [unowned self] in received($1, on: $0) },
                                            onError: { [unowned self] in socketFailed($0, $1) })
            sockets.append(socket)
            for type in Self.types where answers[type] == nil { try socket.send(name: name, type: type) }
        } catch {
            lastFailure = "\(server): \(error)"
        }
        if tries < maxTries {
            retryTimer = loop.scheduleOnLoop(deadline: monotonicNanos() &+ configuration.retryInterval.nanoseconds) { [self] in retryDue() }
        }
    }

    private func retryDue() {
        retryTimer = nil
        // One family answered with addresses: do not hold them hostage to the other's silence.
        if hasAddresses { return finish(outcome()) }
        sendTry()
    }

    private var hasAddresses: Bool {
        answers.values.contains { if case .addresses = $0 { true } else { false } }
    }

    private func received(_ bytes: [UInt8], on socket: DNSQuerySocket) {
        guard !isFinished, let response = try? DNSMessage.decode(bytes), response.isResponse,
              response.questions.count == 1 else { return }
        // A response whose ID was not sent on this socket (or was answered already) is ignored,
        // as is one for another question: a spoofer must guess both, and the port.
        guard let type = socket.awaiting[response.id], response.questions[0] == DNSQuestion(name: name, type: type) else { return }
        socket.claim(response.id)
        guard answers[type] == nil else { return }   // an earlier try's answer came first: it stands
        if response.truncated { return askOverTCP(type, server: socket.server) }
        accept(DNSAnswer(response, name: name, type: type), for: type, from: socket.server)
    }

    private func accept(_ answer: DNSAnswer, for type: UInt16, from server: SocketAddress) {
        guard !isFinished, answers[type] == nil else { return }
        if case .serverFailure(let why) = answer {
            lastFailure = "\(server): \(why)"
            // Nothing else outstanding: ask the next server now rather than at the tick.
            if nothingOutstanding { nextTryOrFinish() }
            return
        }
        answers[type] = answer
        if answers.count == Self.types.count { finish(outcome()) }
    }

    /// The answer did not fit in UDP: the same server is asked over TCP, within the same deadline.
    private func askOverTCP(_ type: UInt16, server: SocketAddress) {
        do {
            tcpQueries.append(try DNSTCPQuery(server: server, name: name, type: type, loop: loop,
                                              onResponse: { [unowned self] in receivedOverTCP($1, on: $0) },
                                              onError: { [unowned self] in tcpFailed($0, $1) }))
        } catch {
            accept(.serverFailure("truncated answer, and TCP failed: \(error)"), for: type, from: server)
        }
    }

    private func receivedOverTCP(_ bytes: [UInt8], on query: DNSTCPQuery) {
        tcpQueries.removeAll { $0 === query }
        guard let response = try? DNSMessage.decode(bytes), response.isResponse, response.id == query.id,
              response.questions == [DNSQuestion(name: name, type: query.type)] else {
            return accept(.serverFailure("unusable answer over TCP"), for: query.type, from: query.server)
        }
        accept(DNSAnswer(response, name: name, type: query.type), for: query.type, from: query.server)
    }

    private func tcpFailed(_ query: DNSTCPQuery, _ why: String) {
        tcpQueries.removeAll { $0 === query }
        accept(.serverFailure("truncated answer, and TCP failed: \(why)"), for: query.type, from: query.server)
    }

    private func socketFailed(_ socket: DNSQuerySocket, _ why: String) {
        lastFailure = "\(socket.server): \(why)"
        socket.close()
        sockets.removeAll { $0 === socket }
        if nothingOutstanding { nextTryOrFinish() }
    }

    private var nothingOutstanding: Bool { tcpQueries.isEmpty && sockets.allSatisfy { $0.awaiting.isEmpty } }

    /// A server that failed or refused has answered, in its way: once every server has, the
    /// lookup ends instead of asking the same failing servers until the deadline.
    private func nextTryOrFinish() {
        if hasAddresses || tries >= min(maxTries, configuration.nameservers.count) { finish(outcome()) } else { sendTry() }
    }

    private func outcome() -> Outcome {
        var addresses: [SocketAddress] = []
        var ttl = UInt32.max
        var negativeTTL: UInt32?
        for type in Self.types {
            switch answers[type] {
            case .addresses(let list, let recordTTL)?:
                ttl = min(ttl, recordTTL)
                addresses += list.compactMap(SocketAddress.init(addressBytes:))
            case .noAddresses(let soaTTL)?:
                if let soaTTL { negativeTTL = min(negativeTTL ?? soaTTL, soaTTL) }
            default: break
            }
        }
        if !addresses.isEmpty { return .addresses(addresses, ttl: ttl) }
        if answers.count == Self.types.count { return .noAddresses(ttl: negativeTTL) }
        if let lastFailure { return .serverFailure(lastFailure) }
        return .timedOut
    }

    /// Ends the lookup once: timers cancelled, sockets closed, the engine told.
    func finish(_ outcome: Outcome) {
        guard !isFinished else { return }
        isFinished = true
        deadlineTimer?.cancel()
        retryTimer?.cancel()
        for socket in sockets { socket.close() }
        sockets = []
        for query in tcpQueries { query.close() }
        tcpQueries = []
        finished(self, outcome)
    }
}
