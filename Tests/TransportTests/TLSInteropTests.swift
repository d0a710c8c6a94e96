import Foundation
import Glibc
import Testing
import Transport
import TransportTesting

let opensslCommandPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// Our client engine against an independent TLS server process (`openssl s_server -www`) over real
/// loopback TCP. Skipped when the openssl command is not installed.
@Suite(.enabled(if: opensslCommandPath != nil), .timeLimit(.minutes(1)))
struct TLSInteropTests {

    @Test func httpsGetAgainstOpenSSLServerWithResumption() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let port = try Self.freeLoopbackPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: opensslCommandPath!)
        server.arguments = [
            "s_server", "-accept", "127.0.0.1:\(port)", "-cert", pki.serverCertificateFile, "-key", pki.serverKeyFile,
            "-www", "-alpn", "http/1.1", "-quiet",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            // SIGKILL: s_server can inherit a signal mask from the test runner that blocks SIGTERM.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let client = try TLSContext(client: pki.clientConfiguration)
        let first = try Self.get(port: port, context: client)
        #expect(first.response.hasPrefix("HTTP/1.0 200 ok"))
        #expect(first.alpn == "http/1.1")
        #expect(!first.resumed)
        let second = try Self.get(port: port, context: client)
        #expect(second.response.hasPrefix("HTTP/1.0 200 ok"))
        #expect(second.resumed)
    }

    /// One HTTP/1.0 GET over a fresh TCP connection, driven with poll() like a loop would.
    static func get(port: UInt16, context: TLSContext) throws -> (response: String, alpn: String?, resumed: Bool) {
        let fd = try connectWithRetry(port: port)
        defer { close(fd) }
        let stream = TLSStream(engine: try TLSConnection(client: context, serverName: "localhost", port: Int(port)), io: DescriptorIO(fd: fd))
        _ = try drive(fd) { try stream.handshake() }
        var request = Array("GET / HTTP/1.0\r\n\r\n".utf8)
        while !request.isEmpty {
            if case .bytes(let count) = try drive(fd, { try request.withUnsafeBytes { try stream.write($0) } }) {
                request.removeFirst(count)
            }
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        reading: while true {
            switch try drive(fd, { try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } }) {
            case .bytes(let count): response += buffer[..<count]
            default: break reading
            }
        }
        return (String(decoding: response, as: UTF8.self), stream.engine.negotiatedALPN, stream.engine.isSessionReused)
    }

    /// Repeats `step` while it asks to wait, polling the descriptor for what it waits for (5 s cap).
    static func drive(_ fd: Int32, _ step: () throws -> TLSStream<DescriptorIO>.Progress) throws -> TLSStream<DescriptorIO>.Progress {
        for _ in 0..<1000 {
            let progress = try step()
            let events: Int16
            switch progress {
            case .waitReadable: events = Int16(POLLIN)
            case .waitWritable: events = Int16(POLLOUT)
            default: return progress
            }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            guard poll(&descriptor, 1, 5000) == 1 else { throw TLSError(.protocolError, "timed out waiting for the server") }
        }
        throw TLSError(.protocolError, "no progress")
    }

    static func freeLoopbackPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TLSError(.configuration, "no free port") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// s_server needs a moment to listen; retry refused connects for up to 5 s.
    static func connectWithRetry(port: UInt16) throws -> Int32 {
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in(
                sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
                sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if connected {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                return fd
            }
            close(fd)
            usleep(50_000)
        }
        throw TLSError(.configuration, "could not connect to s_server on port \(port)")
    }
}
