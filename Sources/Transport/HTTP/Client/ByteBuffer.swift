/// A growable byte buffer with a read cursor, reused for the whole life of a connection so steady
/// state reads allocate nothing. Loop-confined (owned by one channel).
final class ByteBuffer {
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var readerIndex = 0
    private(set) var writerIndex = 0

    init(capacity: Int = 16 * 1024) {
        self.capacity = capacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var readableCount: Int { writerIndex - readerIndex }
    var isEmpty: Bool { readerIndex == writerIndex }

    var readable: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + readerIndex, count: readableCount)
    }

    func consume(_ n: Int) {
        precondition(n <= readableCount)
        readerIndex += n
        if readerIndex == writerIndex { readerIndex = 0; writerIndex = 0 }
    }

    /// Drops everything after `readerIndex + count` (used by in-place chunked decoding).
    func truncateReadable(to count: Int) {
        writerIndex = readerIndex + count
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserveWritable(bytes.count)
        (storage + writerIndex).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        writerIndex += bytes.count
    }

    func append(_ byte: UInt8) {
        reserveWritable(1)
        storage.storeBytes(of: byte, toByteOffset: writerIndex, as: UInt8.self)
        writerIndex += 1
    }

    /// Makes at least `n` bytes writable after `writerIndex`, compacting before growing.
    func reserveWritable(_ n: Int) {
        if capacity - writerIndex >= n { return }
        if readerIndex > 0 {
            let live = readableCount
            if live > 0 { storage.copyMemory(from: storage + readerIndex, byteCount: live) }
            readerIndex = 0
            writerIndex = live
            if capacity - writerIndex >= n { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - writerIndex < n { newCapacity *= 2 }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        bigger.copyMemory(from: storage, byteCount: writerIndex)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }

    /// Marks `n` bytes written directly into the storage after `writerIndex`.
    func commitWritten(_ n: Int) {
        precondition(writerIndex + n <= capacity)
        writerIndex += n
    }

    func copyReadable(_ count: Int) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: storage + readerIndex, count: count))
    }
}
