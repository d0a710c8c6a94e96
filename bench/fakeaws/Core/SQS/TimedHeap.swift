/// Min-heap of (due time, message, generation): when in-flight and delayed messages become visible.
/// Entries go stale when a message is deleted or re-hidden; the reader skips those.
struct TimedHeap {
    struct Entry { var at: Int64; var sequence: UInt64; var generation: UInt32 }
    private var entries: [Entry] = []

    var first: Entry? { entries.first }
    var isEmpty: Bool { entries.isEmpty }

    mutating func push(_ e: Entry) {
        entries.append(e)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[i].at < entries[parent].at else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < entries.count, entries[l].at < entries[smallest].at { smallest = l }
            if r < entries.count, entries[r].at < entries[smallest].at { smallest = r }
            if smallest == i { break }
            entries.swapAt(i, smallest)
            i = smallest
        }
        return top
    }
}
