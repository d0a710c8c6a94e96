import Testing
@testable import Pismo

@Suite struct LeasePlannerTests {
    let now: Int64 = 1_000_000

    func lease(_ shard: String, _ owner: String?, expires: Int64 = 2_000_000, checkpoint: String? = nil) -> ShardLease {
        ShardLease(shardID: shard, owner: owner, expiresAtMillis: expires, checkpoint: checkpoint)
    }

    @Test func firstInstanceTakesEveryFreeShard() {
        let shards = [ShardInfo(shardID: "a"), ShardInfo(shardID: "b")]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: [], me: "i1", nowMillis: now) == ["a", "b"])
    }

    @Test func childWaitsForItsParentToFinish() {
        let shards = [ShardInfo(shardID: "parent", endingSequenceNumber: "900"), ShardInfo(shardID: "child", parentShardID: "parent")]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: [], me: "i1", nowMillis: now) == ["parent"])
        let finished = [lease("parent", "i1", checkpoint: ShardLease.shardEnd)]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: finished, me: "i1", nowMillis: now) == ["child"])
    }

    @Test func childOfATrimmedParentIsEligible() {
        let shards = [ShardInfo(shardID: "child", parentShardID: "gone")]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: [], me: "i1", nowMillis: now) == ["child"])
    }

    @Test func twoInstancesSplitShardsFairly() {
        let shards = ["a", "b", "c", "d"].map { ShardInfo(shardID: $0) }
        let leases = [lease("a", "i1"), lease("b", "i1"), lease("c", "i1")]
        // i2 is not yet an owner, so the live set is {i1, i2}: target 2 each, and i2 may only take the free one.
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: leases, me: "i2", nowMillis: now) == ["d"])
        // i1 already holds more than its share: it takes nothing more.
        let withI2 = leases + [lease("d", "i2")]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: withI2, me: "i1", nowMillis: now) == [])
    }

    @Test func expiredLeaseOfADeadInstanceIsTakenOver() {
        let shards = [ShardInfo(shardID: "a")]
        let leases = [lease("a", "dead", expires: now - 1, checkpoint: "500")]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: leases, me: "i2", nowMillis: now) == ["a"])
    }

    @Test func liveLeaseIsNotStolen() {
        let shards = [ShardInfo(shardID: "a")]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: [lease("a", "i1")], me: "i2", nowMillis: now) == [])
    }

    @Test func finishedShardsAreNeverLeasedAgain() {
        let shards = [ShardInfo(shardID: "a", endingSequenceNumber: "9")]
        let leases = [lease("a", nil, expires: 0, checkpoint: ShardLease.shardEnd)]
        #expect(LeasePlanner.shardsToAcquire(shards: shards, leases: leases, me: "i1", nowMillis: now) == [])
    }
}
