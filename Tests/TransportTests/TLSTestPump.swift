import Transport

/// Drives a client and a server engine against each other purely in memory, the way an event loop
/// would drive one engine against a socket. Client-to-server bytes go through the zero-copy drain
/// plus the copying feed; server-to-client bytes through the zero-copy fill plus the copying take,
/// so every ciphertext entry point is exercised by every test.
struct TLSTestPump {
    let client: TLSConnection
    let server: TLSConnection

    /// Moves all ciphertext that fits across, both ways. Returns the number of bytes moved.
    @discardableResult
    func pump() -> Int {
        var moved = 0
        while true {
            let forward = client.drainCiphertext { server.feedCiphertext($0) }
            let backward = client.fillCiphertext { server.takeCiphertext(into: $0) }
            moved += forward + backward
            if forward == 0 && backward == 0 { return moved }
        }
    }

    /// Steps both handshakes until both finish or one fails; a failing side's alert is still
    /// delivered so the other side reports its view of the failure too.
    func handshake() -> (client: Error?, server: Error?) {
        var clientError: Error?
        var serverError: Error?
        for _ in 0..<64 {
            var finished = true
            if clientError == nil {
                do { finished = try client.handshake() == .complete && finished } catch { clientError = error }
            }
            if serverError == nil {
                do { finished = try server.handshake() == .complete && finished } catch { serverError = error }
            }
            let moved = pump()
            let stuck = clientError != nil || serverError != nil
            if moved == 0 && (finished || stuck) { break }
        }
        return (clientError, serverError)
    }

    /// Sends `bytes` through `sender`'s engine and returns everything `receiver` decrypted.
    func send(_ bytes: [UInt8], from sender: TLSConnection, to receiver: TLSConnection) throws -> [UInt8] {
        var offset = 0
        var received: [UInt8] = []
        received.reserveCapacity(bytes.count)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        for _ in 0..<100_000 where received.count < bytes.count {
            if offset < bytes.count {
                let result = try bytes.withUnsafeBytes { try sender.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                if case .bytes(let count) = result { offset += count }
            }
            pump()
            while case .bytes(let count) = try buffer.withUnsafeMutableBytes({ try receiver.read(into: $0) }), count > 0 {
                received += buffer[..<count]
            }
        }
        return received
    }
}
