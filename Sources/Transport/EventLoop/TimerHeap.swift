/// Identifies a scheduled timer so it can be cancelled.
public struct TimerID: Hashable, Sendable {
    let raw: UInt64
}

/// Min-heap of deadlines (monotonic nanoseconds). Cancellation is lazy: cancelled ids are left in
/// the heap and skipped when they surface, so cancel is O(1) (connections cancel far more timers
/// than ever fire). Loop-confined.
struct TimerHeap {
    private struct Entry {
        let deadline: UInt64
        let id: UInt64
        let body: () -> Void
    }

    private var heap: [Entry] = []
    private var live: Set<UInt64> = []
    private var nextID: UInt64 = 1

    var isEmpty: Bool { live.isEmpty }

    mutating func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> TimerID {
        let id = nextID
        nextID += 1
        live.insert(id)
        heap.append(Entry(deadline: deadline, id: id, body: body))
        siftUp(heap.count - 1)
        return TimerID(raw: id)
    }

    mutating func cancel(_ id: TimerID) {
        live.remove(id.raw)
    }

    /// The earliest live deadline, dropping cancelled entries found on the way.
    mutating func nextDeadline() -> UInt64? {
        while let top = heap.first {
            if live.contains(top.id) { return top.deadline }
            popTop()
        }
        return nil
    }

    /// Removes and returns the body of the earliest live timer due at or before `now`.
    mutating func popExpired(now: UInt64) -> (() -> Void)? {
        guard let deadline = nextDeadline(), deadline <= now else { return nil }
        let top = heap[0]
        popTop()
        live.remove(top.id)
        return top.body
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        // Equal deadlines fire in scheduling order.
        heap[a].deadline != heap[b].deadline ? heap[a].deadline < heap[b].deadline : heap[a].id < heap[b].id
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count && less(left + 1, left) { smallest = left + 1 }
            guard less(smallest, parent) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
