import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// Receives a channel's events, on its loop thread.
protocol ChannelDelegate: AnyObject {
    /// An outgoing connect finished (successfully); not called for accepted sockets.
    func channelDidConnect(_ channel: Channel)
    /// New bytes are in `channel.inbound`; consume what you can, leave the rest.
    func channelDidRead(_ channel: Channel)
    /// The channel closed: `error` is nil for an orderly EOF or a local close.
    func channelDidClose(_ channel: Channel, error: Error?)
    /// Everything queued has been handed to the kernel.
    func channelDidDrain(_ channel: Channel)
}

extension ChannelDelegate {
    func channelDidDrain(_ channel: Channel) {}
}

/// A non-blocking TCP connection on one loop: reads into a reused inbound buffer, queues writes in
/// a reused outbound buffer, and applies back-pressure (stops reading while more than `highWater`
/// bytes wait to be written, resumes under `lowWater`). Loop-confined.
final class Channel: Selectable, @unchecked Sendable {
    enum State { case connecting, open, closed }

    let fd: Int32
    let loop: EventLoop
    /// Strong, not weak: a weak reference gives the delegate (the client connection) a side table
    /// and sends every retain of it down the slow path. The cycle it makes with the delegate's own
    /// reference to this channel ends in `close`, which every channel reaches (the loop holds an
    /// open channel anyway, through its registration).
    var delegate: ChannelDelegate?
    let inbound = ByteBuffer()
    let outbound = ByteBuffer()
    /// Slot for TLS: when set, every byte passes through it (see ByteStreamFilter).
    private(set) var filter: ByteStreamFilter?

    /// Puts `filter` between the socket and the codec; it starts as soon as TCP is connected.
    func attach(filter: ByteStreamFilter) {
        self.filter = filter
        if state == .open { startFilter() }
    }

    private func startFilter() {
        guard let filter else { return }
        do {
            try filter.start(wire: outbound)
            flush()
        } catch {
            close(error: error)
        }
    }
    private(set) var state: State
    /// Bytes handed to the kernel since the channel opened (the client's "was anything sent?").
    private(set) var bytesSent = 0
    private var readingPaused = false
    /// Ciphertext lands here before the filter decrypts it into `inbound` (only with a filter).
    private var scratch: UnsafeMutableRawBufferPointer?
    private var filterScratch: UnsafeMutableRawBufferPointer {
        if let scratch { return scratch }
        let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        scratch = fresh
        return fresh
    }

    deinit { scratch?.deallocate() }
    private var wantsWrite = false
    private let highWater = 4 * 1024 * 1024
    private let lowWater = 256 * 1024

    /// Wraps a connected (accepted) or connecting socket and registers it with `loop`.
    init(fd: Int32, loop: EventLoop, connecting: Bool) throws(SystemError) {
        self.fd = fd
        self.loop = loop
        state = connecting ? .connecting : .open
        wantsWrite = connecting
        try loop.register(fd, Interest(rawValue: currentInterest), self)
    }

    private var currentInterest: UInt32 {
        var mask = EPOLLRDHUP.rawValue
        if !readingPaused || state == .connecting { mask |= EPOLLIN.rawValue }
        if wantsWrite { mask |= EPOLLOUT.rawValue }
        return mask
    }

    func handleEvents(_ events: UInt32) {
        if state == .connecting {
            finishConnect()
            return
        }
        if events & EPOLLOUT.rawValue != 0 { flush() }
        if state == .open && events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue) != 0 {
            readAvailable()
        }
    }

    func loopStopped() { close(error: SystemError(call: "event loop shutdown", errno: ECANCELED)) }

    private func finishConnect() {
        let err = Socket.pendingError(fd)
        guard err == 0 else {
            close(error: SystemError(call: "connect", errno: err))
            return
        }
        state = .open
        wantsWrite = false
        try? loop.setInterest(fd, Interest(rawValue: currentInterest))
        startFilter()
        guard state == .open else { return }
        delegate?.channelDidConnect(self)
        if outbound.readableCount > 0 { flush() }
    }

    // MARK: Reading

    private func readAvailable() {
        // Level-triggered: a few reads per wake-up are enough; the kernel reports the rest next time.
        for _ in 0..<4 {
            guard state == .open, !readingPaused else { return }
            let received: Int
            do {
                received = try readOnce()
            } catch {
                close(error: error)
                return
            }
            if received < 0 { return }
            if received == 0 {
                close(error: nil)
                return
            }
            delegate?.channelDidRead(self)
            if received < 16 * 1024 { return }
        }
    }

    /// Bytes read (0 = EOF), or -1 when the socket had nothing.
    private func readOnce() throws -> Int {
        if let filter {
            let scratch = filterScratch
            guard case .bytes(let n) = try Socket.read(fd, into: scratch) else { return -1 }
            if n > 0 {
                let pending = outbound.readableCount
                try filter.receive(UnsafeRawBufferPointer(rebasing: scratch[0..<n]), into: inbound, wire: outbound)
                if outbound.readableCount > pending { flush() }
            }
            return n
        }
        inbound.reserveWritable(32 * 1024)
        let tail = UnsafeMutableRawBufferPointer(start: inbound.storage + inbound.writerIndex,
                                                 count: inbound.capacity - inbound.writerIndex)
        switch try Socket.read(fd, into: tail) {
        case .bytes(let n):
            inbound.commitWritten(n)
            return n
        case .endOfStream: return 0
        case .wouldBlock: return -1
        }
    }

    // MARK: Writing

    /// Queues `bytes` behind whatever is pending; call `flush()` (or let the caller batch several).
    func enqueue(_ bytes: UnsafeRawBufferPointer) {
        if filter != nil {
            seal(head: bytes, body: UnsafeRawBufferPointer(start: nil, count: 0))
        } else {
            outbound.append(bytes)
        }
    }

    private func seal(head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) {
        do { try filter?.send(head: head, body: body, wire: outbound) } catch { close(error: error) }
    }

    /// Writes the queued head and then `body` with one writev when possible, copying only what the
    /// kernel did not take (large bodies skip the outbound buffer entirely on a fast peer).
    func write(head: UnsafeRawBufferPointer?, body: [UInt8]) {
        if filter != nil {
            body.withUnsafeBytes { seal(head: head ?? UnsafeRawBufferPointer(start: nil, count: 0), body: $0) }
            flush()
            return
        }
        if let head { enqueue(head) }
        if state != .open || outbound.readableCount > lowWater || body.count < 16 * 1024 {
            body.withUnsafeBytes { enqueue($0) }
            flush()
            return
        }
        let sent = body.withUnsafeBytes { writeVectored(outbound.readable, $0) }
        guard sent >= 0 else { return }
        let fromHead = min(sent, outbound.readableCount)
        outbound.consume(fromHead)
        let bodySent = sent - fromHead
        if bodySent < body.count {
            body.withUnsafeBytes { outbound.append(UnsafeRawBufferPointer(rebasing: $0[bodySent...])) }
            flush()
        }
    }

    private func writeVectored(_ a: UnsafeMutableRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        var iov = (iovec(iov_base: a.baseAddress, iov_len: a.count),
                   iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress), iov_len: b.count))
        let result = withUnsafeMutablePointer(to: &iov) { p in
            p.withMemoryRebound(to: iovec.self, capacity: 2) { vectors in
                Result { () throws(SystemError) -> Int? in try Socket.sendv(fd, vectors, count: b.count > 0 ? 2 : 1) }
            }
        }
        switch result {
        case .success(let n?):
            bytesSent += n
            return n
        case .success(nil): return 0
        case .failure(let error):
            close(error: error)
            return -1
        }
    }

    /// Writes as much of the outbound buffer as the kernel takes; arms EPOLLOUT for the rest.
    func flush() {
        guard state == .open else { return }
        while outbound.readableCount > 0 {
            let sent = writeVectored(outbound.readable, UnsafeRawBufferPointer(start: nil, count: 0))
            if sent < 0 { return }
            if sent == 0 { break }
            outbound.consume(sent)
        }
        updateInterest()
        if outbound.readableCount == 0 && state == .open { delegate?.channelDidDrain(self) }
    }

    private func updateInterest() {
        let pending = outbound.readableCount
        let needWrite = pending > 0
        let pause = pending > highWater || (readingPaused && pending > lowWater)
        guard needWrite != wantsWrite || pause != readingPaused else { return }
        wantsWrite = needWrite
        readingPaused = pause
        try? loop.setInterest(fd, Interest(rawValue: currentInterest))
        if !pause && inbound.readableCount > 0 { delegate?.channelDidRead(self) }
    }

    /// Stops or resumes reading on the codec's request (e.g. while an async handler runs).
    var pendingWriteBytes: Int { outbound.readableCount }

    // MARK: Closing

    /// Closes once; the delegate hears about it exactly once.
    func close(error: Error?) {
        guard state != .closed else { return }
        state = .closed
        loop.deregister(fd)
        Glibc.close(fd)
        let delegate = self.delegate
        self.delegate = nil
        delegate?.channelDidClose(self, error: error)
    }
}
