import Foundation
import Glibc
import Testing
@testable import Pismo

/// A listener whose process runs out of descriptors (EMFILE) must not spin (issue 15, H6b): epoll
/// is level-triggered, so a connection that cannot be accepted keeps the listener readable. Run
/// as a child `pismo sink` with RLIMIT_NOFILE lowered to 64 (prlimit), flooded with 300 loopback
/// connections: its CPU time over 2 s stays far below a spinning core, and once the flood goes it
/// answers again.
@Suite("Listener out of descriptors", .serialized, .timeLimit(.minutes(2)))
struct ListenerOutOfDescriptorsTests {
    @Test func emfileNeitherSpinsNorWedgesTheListener() async throws {
        let dir = try PismoProcess.emptyDirectory()
        let log = "\(dir)/sink.log"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--nofile=64", PismoProcess.binary, "sink", "--addr", "127.0.0.1:0"]
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        var port = 0
        try await eventually("the sink reports its port", within: .seconds(30)) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }) else { return false }
            port = Int(line.split(separator: ":").last ?? "") ?? 0
            return port > 0
        }

        var flood: [Int32] = []
        defer { for fd in flood { close(fd) } }
        for _ in 0..<300 { if let fd = Self.connect(port) { flood.append(fd) } }
        try await Task.sleep(for: .milliseconds(500))
        let before = Self.cpuTicks(process.processIdentifier)
        try await Task.sleep(for: .seconds(2))
        let used = Double(Self.cpuTicks(process.processIdentifier) - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
        // A spinning accept loop burns ~1 core per loop (2 s of CPU or more here); backing off costs ms.
        #expect(used < 0.3, "the sink used \(used) s of CPU in 2 s while out of descriptors")

        for fd in flood { close(fd) }
        flood = []
        let socket = try RawSocketClient(port: port)
        socket.send("POST /after HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        #expect(socket.readToEnd().hasPrefix("HTTP/1.1 200 "), "the sink answers once descriptors are free again")
        kill(process.processIdentifier, SIGTERM)
    }

    /// utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    static func connect(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 { close(fd); return nil }
        return fd
    }
}

/// A blocking loopback client with a 5 s receive timeout.
final class RawSocketClient {
    let fd: Int32

    init(port: Int) throws {
        guard let fd = ListenerOutOfDescriptorsTests.connect(port) else { throw PismoError.invalidInput("cannot connect to 127.0.0.1:\(port)") }
        self.fd = fd
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func readToEnd() -> String {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            result += buffer[..<n]
        }
        return String(decoding: result, as: UTF8.self)
    }
}
