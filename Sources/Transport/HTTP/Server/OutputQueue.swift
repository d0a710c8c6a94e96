import Glibc

/// Bytes waiting to be written on one connection, written with one `sendmsg` (writev) per flush
/// on plain sockets. Small pieces are coalesced into the tail chunk so a pipelined batch of
/// responses goes out in one call. Loop-confined.
struct OutputQueue {
    private var chunks: [[UInt8]] = []
    /// Bytes of `chunks[0]` already written.
    private var offset = 0
    private(set) var count = 0
    private static let coalesceLimit = 16 * 1024
    /// The last fully written small chunk, emptied and kept for the next response: a keep-alive
    /// connection then encodes every response into the same memory instead of a fresh array.
    private var spare: [UInt8] = []

    var isEmpty: Bool { count == 0 }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if bytes.count <= Self.coalesceLimit, let last = chunks.indices.last, chunks[last].count < Self.coalesceLimit,
            !(last == 0 && offset > 0)
        {
            chunks[last].append(contentsOf: bytes)
        } else {
            chunks.append(bytes)
        }
    }

    /// Appends through a closure writing into the tail chunk (avoids a temporary array).
    mutating func appendInPlace(_ build: (inout [UInt8]) -> Void) {
        if chunks.isEmpty || (chunks.count == 1 && offset > 0) || chunks[chunks.count - 1].count >= Self.coalesceLimit {
            var fresh: [UInt8] = []
            swap(&fresh, &spare)
            fresh.reserveCapacity(512)
            chunks.append(fresh)
        }
        let last = chunks.count - 1
        let before = chunks[last].count
        build(&chunks[last])
        count += chunks[last].count - before
    }

    /// Writes as much as the stream takes. Returns true when everything was written.
    mutating func flush(_ io: ConnectionIO) throws -> Bool {
        while !chunks.isEmpty {
            let progress: StreamProgress = io.tls == nil ? try writeVector(io.fd) : try writeFirst(io)
            guard case .bytes(let n) = progress else { return false }
            advance(n)
        }
        return try io.flushPending()
    }

    private func writeFirst(_ io: ConnectionIO) throws -> StreamProgress {
        try chunks[0].withUnsafeBytes { try io.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
    }

    private func writeVector(_ fd: Int32) throws -> StreamProgress {
        let n = min(chunks.count, 64)
        return try withUnsafeTemporaryAllocation(of: iovec.self, capacity: n) { iov in
            // The arrays are not mutated while their pointers are in use (within this call).
            for i in 0..<n {
                chunks[i].withUnsafeBytes { raw in
                    let skip = i == 0 ? offset : 0
                    iov[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + skip), iov_len: raw.count - skip)
                }
            }
            guard let written = try Socket.sendv(fd, iov.baseAddress!, count: n) else { return .waitWritable }
            return .bytes(written)
        }
    }

    private mutating func advance(_ written: Int) {
        var left = written
        count -= written
        while left > 0 {
            let available = chunks[0].count - offset
            if left >= available {
                left -= available
                var done = chunks.removeFirst()
                if done.capacity <= Self.coalesceLimit * 2 {
                    done.removeAll(keepingCapacity: true)
                    spare = done
                }
                offset = 0
            } else {
                offset += left
                left = 0
            }
        }
    }
}
