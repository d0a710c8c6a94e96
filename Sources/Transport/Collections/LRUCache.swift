/// A map that holds at most `capacity` entries: storing a new key beyond that forgets the least
/// recently used one. Every cache keyed by something from outside (a `client_id`, a host name) is one
/// of these, so random keys cost bounded memory instead of growing a dictionary for ever.
///
/// O(1) per operation: a dictionary from key to slot, and the slots linked in recency order through
/// their indices (no per-entry allocation). A value type, not thread-safe: keep it behind a lock.
public struct LRUCache<Key: Hashable, Value> {
    private struct Slot {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    public let capacity: Int
    private var index: [Key: Int] = [:]
    private var slots: [Slot] = []
    /// Slots freed by `removeValue`, reused before the array grows.
    private var free: [Int] = []
    private var newest = -1
    private var oldest = -1

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { index.count }

    /// The value, marked as just used.
    public mutating func value(forKey key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        touch(slot)
        return slots[slot].value
    }

    /// The value without changing its recency (for looking, not using).
    public func peek(_ key: Key) -> Value? {
        index[key].map { slots[$0].value }
    }

    /// Stores `value` as the most recently used; returns the entry evicted to make room, if any.
    @discardableResult
    public mutating func setValue(_ value: Value, forKey key: Key) -> (key: Key, value: Value)? {
        if let slot = index[key] {
            slots[slot].value = value
            touch(slot)
            return nil
        }
        var evicted: (Key, Value)?
        if index.count >= capacity, oldest >= 0 {
            let victim = slots[oldest]
            evicted = (victim.key, victim.value)
            removeValue(forKey: victim.key)
        }
        let entry = Slot(key: key, value: value, newer: -1, older: newest)
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = entry
        } else {
            slot = slots.count
            slots.append(entry)
        }
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
        index[key] = slot
        return evicted
    }

    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        unlink(slot)
        free.append(slot)
        return slots[slot].value
    }

    /// Keys from most to least recently used (tests and diagnostics).
    public var keysByRecency: [Key] {
        var keys: [Key] = []
        var slot = newest
        while slot >= 0 {
            keys.append(slots[slot].key)
            slot = slots[slot].older
        }
        return keys
    }

    private mutating func touch(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (slots[slot].newer, slots[slot].older)
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = -1
        slots[slot].older = -1
    }
}

// Only arrays and a dictionary of Key and Value inside (the private Slot holds nothing else).
extension LRUCache: @unchecked Sendable where Key: Sendable, Value: Sendable {}
