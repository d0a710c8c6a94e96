import Testing
@testable import Transport

@Suite struct LRUCacheTests {
    @Test func forgetsTheLeastRecentlyUsedBeyondCapacity() {
        var cache = LRUCache<String, Int>(capacity: 3)
        cache.setValue(1, forKey: "a")
        cache.setValue(2, forKey: "b")
        cache.setValue(3, forKey: "c")
        #expect(cache.value(forKey: "a") == 1)  // a is now the most recent
        let evicted = cache.setValue(4, forKey: "d")
        #expect(evicted?.key == "b")
        #expect(cache.peek("b") == nil)
        #expect(cache.keysByRecency == ["d", "a", "c"])
        cache.setValue(30, forKey: "c")  // an update moves it to the front without evicting
        #expect(cache.keysByRecency == ["c", "d", "a"])
        #expect(cache.count == 3)
    }

    @Test func removedSlotsAreReused() {
        var cache = LRUCache<Int, Int>(capacity: 4)
        for i in 0..<4 { cache.setValue(i, forKey: i) }
        #expect(cache.removeValue(forKey: 1) == 1)
        #expect(cache.removeValue(forKey: 3) == 3)
        cache.setValue(10, forKey: 10)
        #expect(cache.keysByRecency == [10, 2, 0])
        cache.setValue(11, forKey: 11)
        cache.setValue(12, forKey: 12)  // full again: 0 (the oldest) goes
        #expect(cache.keysByRecency == [12, 11, 10, 2])
    }

    /// A hundred thousand random keys: the cache never holds more than its capacity, and what it
    /// holds is exactly the most recent keys.
    @Test func randomKeysStayWithinCapacity() {
        var cache = LRUCache<UInt64, UInt64>(capacity: 1_000)
        var recent: [UInt64] = []
        var largest = 0
        for _ in 0..<100_000 {
            let key = UInt64.random(in: 0...UInt64.max)
            cache.setValue(key, forKey: key)
            recent.append(key)
            largest = max(largest, cache.count)  // one #expect per key made this test take seconds
        }
        #expect(largest == 1_000)
        #expect(Set(cache.keysByRecency) == Set(recent.suffix(1_000)))
    }
}
