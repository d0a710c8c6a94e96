/// Identifies a scheduled timer so it can be cancelled.
public struct TimerID: Hashable, Sendable {
    let raw: UInt64
}

/// Min-heap of deadlines (monotonic nanoseconds). Cancellation is lazy for the heap: a cancelled
/// id is left in it and skipped when it surfaces, so cancel is O(1) (connections cancel far more
/// timers than ever fire). The closure, though, is released at once: bodies live beside the heap,
/// and a cancelled timer's body is dropped on cancel. Keeping it until its deadline surfaced kept
/// whatever it captured alive too — every closed connection's channel and buffers for the 10 s of
/// its cancelled connect timeout, ~15 MB of RSS per 1,000 events against moto, which closes every
/// connection. Loop-confined.
struct TimerHeap {
    private struct Entry {
        let deadline: UInt64
        let id: UInt64
    }

    private var heap: [Entry] = []
    /// Bodies of the timers not yet fired or cancelled, by id.
    private var bodies: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1

    var isEmpty: Bool { bodies.isEmpty }

    /// Timers scheduled and neither fired nor cancelled (tests).
    var pendingCount: Int { bodies.count }

    mutating func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> TimerID {
        let id = nextID
        nextID += 1
        bodies[id] = body
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
        return TimerID(raw: id)
    }

    mutating func cancel(_ id: TimerID) {
        bodies[id.raw] = nil
    }

    /// The earliest live deadline, dropping cancelled entries found on the way.
    mutating func nextDeadline() -> UInt64? {
        while let top = heap.first {
            if bodies[top.id] != nil { return top.deadline }
            popTop()
        }
        return nil
    }

    /// Removes and returns the body of the earliest live timer due at or before `now`.
    mutating func popExpired(now: UInt64) -> (() -> Void)? {
        guard let deadline = nextDeadline(), deadline <= now else { return nil }
        let top = heap[0]
        popTop()
        return bodies.removeValue(forKey: top.id)
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
