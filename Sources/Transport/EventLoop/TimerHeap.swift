import CHTTP
/// A one-shot timer owned by a loop. Cancelling only flips a flag: the heap drops the entry lazily
/// when it reaches the top, which keeps cancel O(1) (request timeouts are cancelled far more often
/// than they fire).
public final class LoopTimer: @unchecked Sendable {
    // Loop-confined: written only on the owning loop's thread.
    let deadline: UInt64
    var sequence: UInt64
    var action: (() -> Void)?
    private unowned let loop: EventLoop

    init(loop: EventLoop, deadline: UInt64, sequence: UInt64, action: @escaping () -> Void) {
        self.loop = loop
        self.deadline = deadline
        self.sequence = sequence
        self.action = action
    }

    /// Cancels the timer; callable from any thread (hops to the loop when needed).
    public func cancel() {
        if loop.inEventLoop { action = nil } else { loop.execute { self.action = nil } }
    }

    var isCancelled: Bool { action == nil }
}

/// Binary min-heap of timers ordered by (deadline, sequence), so equal deadlines fire in the order
/// they were scheduled.
struct TimerHeap {
    private var items: [LoopTimer] = []

    var isEmpty: Bool { items.isEmpty }
    var earliest: LoopTimer? { items.first }

    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = items[a], y = items[b]
        return x.deadline < y.deadline || (x.deadline == y.deadline && x.sequence < y.sequence)
    }

    mutating func push(_ timer: LoopTimer) {
        items.append(timer)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !less(i, parent) { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> LoopTimer? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count && less(l, smallest) { smallest = l }
            if r < items.count && less(r, smallest) { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return top
    }

    mutating func removeAll() { items.removeAll() }
}
