// TLS engine microbenchmarks, entirely in memory (no sockets): handshake rate (full and resumed)
// and bulk transfer rate. They measure the engine plus OpenSSL, which is what TLS costs the loop.
import Transport
import TransportTesting

/// pismo-microbench tls-handshake [COUNT]: each connection is a handshake plus one byte from the
/// server, the read that lets a TLS 1.3 client take the fresh ticket it resumes with next time.
func tlsHandshakeBenchmark(_ args: [String]) throws {
    let count = args.first.flatMap { Int($0) } ?? 500
    let pki = try TLSTestPKI()
    defer { pki.remove() }
    let server = try TLSContext(server: pki.serverConfiguration)
    for resumed in [false, true] {
        var configuration = pki.clientConfiguration
        configuration.sessionCacheCapacity = resumed ? 16 : 0
        let client = try TLSContext(client: configuration)
        try TLSMemoryLink(client, server).handshakeAndReadOneByte()
        var reused = 0
        let elapsed = try ContinuousClock().measure {
            for _ in 0..<count {
                let link = try TLSMemoryLink(client, server)
                try link.handshakeAndReadOneByte()
                if link.client.isSessionReused { reused += 1 }
            }
        }
        let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
        let label = resumed ? "resumed" : "full"
        print("tls-handshake \(label): \(count) handshakes (\(reused) resumed) in \(fmt(seconds * 1000)) ms = \(fmt(Double(count) / seconds))/s")
    }
}

/// pismo-microbench tls-transfer [MEGABYTES]
func tlsTransferBenchmark(_ args: [String]) throws {
    let megabytes = args.first.flatMap { Int($0) } ?? 256
    let pki = try TLSTestPKI()
    defer { pki.remove() }
    let link = try TLSMemoryLink(try TLSContext(client: pki.clientConfiguration), try TLSContext(server: pki.serverConfiguration))
    try link.handshake()
    let chunk = [UInt8](repeating: 0x5a, count: 64 * 1024)
    var sink = [UInt8](repeating: 0, count: 64 * 1024)
    let total = megabytes << 20
    var received = 0
    let elapsed = try ContinuousClock().measure {
        var sent = 0
        while received < total {
            if sent < total, case .bytes(let n) = try chunk.withUnsafeBytes({ try link.client.write($0) }) { sent += n }
            link.pump()
            while case .bytes(let n) = try sink.withUnsafeMutableBytes({ try link.server.read(into: $0) }), n > 0 { received += n }
        }
    }
    let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
    print("tls-transfer: \(megabytes) MiB client->server (\(link.client.protocolVersion)) in \(fmt(seconds * 1000)) ms = \(fmt(Double(megabytes) / seconds)) MiB/s")
}

/// Two engines joined back to back in memory.
private struct TLSMemoryLink {
    let client: TLSConnection
    let server: TLSConnection

    init(_ client: TLSContext, _ server: TLSContext) throws {
        self.client = try TLSConnection(client: client, serverName: "localhost")
        self.server = try TLSConnection(server: server)
    }

    func pump() {
        while client.drainCiphertext({ server.feedCiphertext($0) }) + server.drainCiphertext({ client.feedCiphertext($0) }) > 0 {}
    }

    func handshake() throws {
        for _ in 0..<32 {
            let clientDone = try client.handshake() == .complete
            let serverDone = try server.handshake() == .complete
            pump()
            if clientDone && serverDone { return }
        }
        throw TLSError(.handshakeFailed, "benchmark handshake did not finish")
    }

    /// A handshake plus a read, so the client processes the TLS 1.3 tickets and caches a session.
    func handshakeAndReadOneByte() throws {
        try handshake()
        var byte: [UInt8] = [1]
        _ = try byte.withUnsafeBytes { try server.write($0) }
        pump()
        _ = try byte.withUnsafeMutableBytes { try client.read(into: $0) }
    }
}

private func fmt(_ value: Double) -> String {
    String(Int(value.rounded()))
}
