/// A connection's reusable read buffer: bytes `[readerIndex, writerIndex)` are received but not
/// yet consumed. Reads land directly in its memory; consumed space is reclaimed by moving the
/// unread tail to the front only when room is needed, so a keep-alive connection reuses one
/// allocation for its whole life. Loop-confined (owned by one connection).
final class ReceiveBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var readerIndex = 0
    private(set) var writerIndex = 0

    init(capacity: Int = 16 * 1024) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var readableCount: Int { writerIndex - readerIndex }
    var readable: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base + readerIndex, count: writerIndex - readerIndex)
    }

    /// Free space after the unread bytes, at least `minimum` bytes (compacting or growing).
    func writableSpace(minimum: Int = 4096) -> UnsafeMutableRawBufferPointer {
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
        if capacity - writerIndex < minimum {
            if readerIndex > 0 {
                (base).copyMemory(from: base + readerIndex, byteCount: writerIndex - readerIndex)
                writerIndex -= readerIndex
                readerIndex = 0
            }
            if capacity - writerIndex < minimum {
                let newCapacity = max(capacity * 2, writerIndex + minimum)
                let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                grown.copyMemory(from: base, byteCount: writerIndex)
                base.deallocate()
                base = grown
                capacity = newCapacity
            }
        }
        return UnsafeMutableRawBufferPointer(start: base + writerIndex, count: capacity - writerIndex)
    }

    func didWrite(_ count: Int) {
        writerIndex += count
    }

    /// Forgets the consumed bytes; called once a message is complete.
    func consume(_ count: Int) {
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// After an in-place chunked decode left `kept` body bytes at the reader index: the input
    /// before `consumedTo` is gone (the caller copied the body bytes out).
    func discardAll() {
        readerIndex = 0
        writerIndex = 0
    }

    /// Returns memory to a large-body connection that went back to small messages.
    func shrinkIfIdle(above limit: Int = 256 * 1024) {
        guard capacity > limit, readerIndex == writerIndex else { return }
        base.deallocate()
        capacity = 16 * 1024
        base = .allocate(byteCount: capacity, alignment: 16)
        readerIndex = 0
        writerIndex = 0
    }
}
