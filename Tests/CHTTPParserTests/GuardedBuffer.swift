import Glibc

/// Bytes placed flush against a PROT_NONE page, so that any read past the end faults (the
/// picohttpparser test technique). The data pages are writable so the chunked decoder can work in place.
/// Not thread-safe; create one per use.
final class GuardedBuffer {
    let pointer: UnsafeMutablePointer<CChar>
    let count: Int
    private let base: UnsafeMutableRawPointer
    private let mappedSize: Int

    init(_ bytes: [UInt8]) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let dataPages = max(1, (bytes.count + page - 1) / page)
        mappedSize = (dataPages + 1) * page
        guard let mapped = mmap(nil, mappedSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED
        else { fatalError("mmap failed") }
        base = mapped
        let guardPage = mapped + dataPages * page
        precondition(mprotect(guardPage, page, PROT_NONE) == 0, "mprotect failed")
        let start = guardPage - bytes.count
        bytes.withUnsafeBytes { src in
            if let from = src.baseAddress { start.copyMemory(from: from, byteCount: bytes.count) }
        }
        pointer = start.assumingMemoryBound(to: CChar.self)
        count = bytes.count
    }

    /// The bytes as they are now (after an in-place decode, for instance).
    func bytes(_ range: Range<Int>) -> [UInt8] {
        UnsafeRawBufferPointer(start: pointer, count: count)[range].map { $0 }
    }

    deinit { munmap(base, mappedSize) }
}
