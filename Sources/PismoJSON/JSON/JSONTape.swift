/// One node of the flat tape. Four 32-bit words, no pointers, so the whole tape is one
/// contiguous allocation per document and walking it touches no reference counts.
///
/// - `start`/`end`: the value's bytes in the source. For strings this is the content between the
///   quotes (so unescaping needs no adjustment); `rawRange` adds the quotes back.
/// - `next`: tape index just past this node's subtree, so siblings are one hop apart and a
///   container can be skipped in O(1).
/// - `info`: bits 0-2 kind, bit 3 a per-kind flag (string: has escapes; bool: true; number:
///   integer syntax), bits 5... the element/member count of a container.
@usableFromInline
struct TapeEntry {
    @usableFromInline var start: UInt32
    @usableFromInline var end: UInt32
    @usableFromInline var next: UInt32
    @usableFromInline var info: UInt32

    @inlinable init(start: UInt32, end: UInt32, next: UInt32, info: UInt32) {
        self.start = start
        self.end = end
        self.next = next
        self.info = info
    }
}

@usableFromInline
enum TapeKind {
    @usableFromInline static let null: UInt32 = 0
    @usableFromInline static let bool: UInt32 = 1
    @usableFromInline static let number: UInt32 = 2
    @usableFromInline static let string: UInt32 = 3
    @usableFromInline static let array: UInt32 = 4
    @usableFromInline static let object: UInt32 = 5
    @usableFromInline static let kindMask: UInt32 = 0b111
    @usableFromInline static let flag: UInt32 = 0b1000
    @usableFromInline static let countShift: UInt32 = 5
    /// Containers hold at most this many children; beyond it the document is rejected.
    @usableFromInline static let maxCount: UInt32 = (1 << 27) - 1
}

/// Owns the source bytes and the tape. Immutable after the parser hands it over, which is why
/// sharing it between threads is safe (`@unchecked` only because of the raw tape pointer).
@usableFromInline
final class JSONStorage: @unchecked Sendable {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline let tape: UnsafeMutablePointer<TapeEntry>
    @usableFromInline let tapeCount: Int

    init(bytes: [UInt8], tape: UnsafeMutablePointer<TapeEntry>, tapeCount: Int) {
        self.bytes = bytes
        self.tape = tape
        self.tapeCount = tapeCount
    }

    deinit {
        tape.deallocate()
    }
}

/// Growable tape used only while parsing; ownership of `base` moves to `JSONStorage` on success.
struct TapeBuilder {
    var base: UnsafeMutablePointer<TapeEntry>
    var count = 0
    var capacity: Int

    init(sourceLength: Int) {
        // A typical event has one node per ~12 bytes; start a little above that so most
        // documents never regrow.
        capacity = max(16, sourceLength / 8)
        base = .allocate(capacity: capacity)
    }

    @inline(__always)
    mutating func append(start: Int, end: Int, info: UInt32) -> Int {
        if count == capacity { grow() }
        let index = count
        (base + index).initialize(to: TapeEntry(
            start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: end),
            next: UInt32(truncatingIfNeeded: index + 1), info: info))
        count = index + 1
        return index
    }

    mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<TapeEntry>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
